"""File names of the reports: a run id (or any text) as a safe file name."""
from __future__ import annotations


def file_safe(text: str) -> str:
    """``text`` with every character but letters, digits, ``-``, ``_`` and ``.`` replaced by ``_``
    (a run id's ``:`` and ``+``, a ``/`` that would leave the reports folder).

    :param text: a run id, or a DAG id and run id joined.
    """
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
