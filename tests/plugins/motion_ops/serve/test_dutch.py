"""What a reader sees in Dutch (serve/dutch.py): one number format for every page, and the problems
of a page's input in the reader's words."""
from motion_ops.serve import dutch


def test_numbers_have_a_decimal_comma_and_a_tiny_negative_is_no_minus_zero():
    assert (dutch.number(-0.001), dutch.number(-0.004), dutch.number(0.456), dutch.number(-0.456)) == \
        ("0,00", "0,00", "0,46", "-0,46")
    assert (dutch.number(None), dutch.number(1), dutch.number(0.6789, 1)) == ("-", "1,00", "0,7")


def test_a_share_is_a_whole_percentage():
    assert (dutch.percent(0.5734), dutch.percent(1.0), dutch.percent(0.0), dutch.percent(None)) == \
        ("57 %", "100 %", "0 %", "-")


def test_a_problem_that_carries_its_own_dutch_words_is_said_in_them_under_the_fields_label():
    errors = [{"loc": ("query", "m"), "msg": "motion 'X' is answered twice", "type": "value_error",
               "ctx": {"nl": "motie X is twee keer beantwoord"}}]
    assert dutch.invalid_input(errors) == "Antwoorden: motie X is twee keer beantwoord"
    assert dutch.invalid_input([{"loc": ("path", "b"), "msg": "too long", "type": "string_too_long"}]) == "Partij: te lang"
