"""Numbers as a reader reads them (numerics/written.py): decimals, the language's mark, no "-0"."""
from motion_ops.numerics.written import decimal


def test_a_number_has_its_decimals_and_the_languages_decimal_mark():
    assert (decimal(0.456), decimal(0.456, mark=","), decimal(-0.456, mark=","), decimal(1)) == \
        ("0.46", "0,46", "-0,46", "1.00")
    assert decimal(0.6789, 1, ",") == "0,7"


def test_a_tiny_negative_is_written_as_zero_without_a_minus():
    assert (decimal(-0.001), decimal(-0.004, mark=","), decimal(-0.0)) == ("0.00", "0,00", "0.00")
