"""The deterministic faithfulness check of a summary against its motion's text.

1. Every request clause the text makes ("verzoekt de regering ...", "draagt de regering op ...",
   "spreekt uit ...", extracted by :func:`motion_ops.parsers.substance.requests`) is covered: the
   output's ``requests`` name every clause number exactly once, none that does not exist, and each
   ``ask`` shares at least one content word with its clause.
2. No number, date, amount or dossier number appears in the output that is not in the text: every
   group of digits in the summaries and the asks (thousands separators ignored) occurs in the text.

A summary with problems is re-asked once with them (the cascade), then fails; it is never stored as
a summary.
"""
from __future__ import annotations

import re

from motion_ops.llm.prompt import MotionText
from motion_ops.llm.schema import MotionSummary

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)
# words every request shares, which say nothing about what it asks
_FRAME = {"verzoekt", "regering", "kabinet", "minister", "staatssecretaris", "draagt", "spreekt", "roept",
          "vraagt", "daarbij", "worden", "hierover", "kamer", "voor", "zodat", "zich", "geven", "informeren"}


def numbers(text: str | None) -> set[str]:
    """The digit groups of ``text``, separators removed ("1.500" and "1,500" are "1500")."""
    return {re.sub(r"[.,]", "", n) for n in _NUMBER.findall(text or "")}


def _stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in _WORD.findall(text) if w.lower() not in _FRAME}


def problems(motion: MotionText, summary: MotionSummary) -> list[str]:
    """What is unfaithful in ``summary`` (empty: it passes), each a sentence a model can act on."""
    out: list[str] = []
    clauses = motion.clauses
    given: dict[int, int] = {}
    for r in summary.requests:
        given[r.clause] = given.get(r.clause, 0) + 1
    for i, clause in enumerate(clauses, start=1):
        if i not in given:
            out.append(f"verzoek {i} ontbreekt in requests: {clause[:160]}")
        elif given[i] > 1:
            out.append(f"verzoek {i} staat {given[i]} keer in requests; geef het een keer")
    for n in sorted(set(given) - set(range(1, len(clauses) + 1))):
        out.append(f"requests noemt verzoek {n}, maar de motie heeft {len(clauses)} verzoek(en)")
    for r in summary.requests:
        stems = _stems(clauses[r.clause - 1]) if 1 <= r.clause <= len(clauses) else set()
        if stems and not (_stems(r.ask) & stems):  # a clause of frame words only ("... hierover te informeren") has none
            out.append(f"de tekst bij verzoek {r.clause} heeft niets gemeen met dat verzoek in de motie")
    known = numbers(motion.source)
    for field, text in (("summary_nl", summary.summary_nl), ("summary_en", summary.summary_en),
                        *((f"verzoek {r.clause}", r.ask) for r in summary.requests)):
        invented = sorted(numbers(text) - known)
        if invented:
            out.append(f"{field} noemt {', '.join(invented)}, dat niet in de motie staat")
    return out
