"""The one way a number is written for a reader: so many decimals, the language's decimal mark
("0.68", "0,68"), and no minus before a number that rounds to zero ("-0,00" reads as a negative).
The reasons of related motions (:func:`motion_ops.numerics.relatedness.reason`) and the Dutch pages
(:func:`motion_ops.serve.dutch.number`) both write numbers with it."""
from __future__ import annotations


def decimal(value: float, digits: int = 2, mark: str = ".") -> str:
    """``value`` with ``digits`` decimals and ``mark`` as its decimal mark; one that rounds to zero
    without a minus.

    :param mark: "." (English) or "," (Dutch).
    """
    return f"{round(float(value), digits) + 0.0:.{digits}f}".replace(".", mark)  # + 0.0: -0.0 becomes 0.0
