import pytest

from motion_ops.numerics.finite import finite


def test_finite_numbers_pass_as_their_kind():
    assert finite("1.5", "x") == 1.5 and finite(2, "x") == 2.0 and finite("7", "x", kind=int) == 7
    assert isinstance(finite(3, "x", kind=int), int) and finite(-0.0, "x") == 0.0


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), "nan", "NaN", "inf", "-Infinity", 10 ** 400])
def test_nan_and_infinity_are_refused_with_the_name(value):
    with pytest.raises(ValueError, match="max_cost must be a finite number"):
        finite(value, "max_cost")


@pytest.mark.parametrize("value", [None, "many", [], {}])
def test_what_is_no_number_at_all_is_refused_with_the_name(value):
    with pytest.raises(ValueError, match="max_cost must be a number"):
        finite(value, "max_cost")
