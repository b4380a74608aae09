"""Nothing named that the motion's text does not name (the faithfulness check's point 4): no party
(:data:`motion_ops.parties.LINEAGE`, in any case, or a word like "PartijX"), no capitalised name of
a person or place (a sentence's first word too), no number, date, percentage or amount."""
from __future__ import annotations

import re

from motion_ops.llm import english
from motion_ops.llm.polarity import fold
from motion_ops.llm.schema import MotionSummary
from motion_ops.llm.words import STOP, WORD, numbers, sentences, stem, supported
from motion_ops.parties import LINEAGE

_FRAME_NAMES = frozenset("""kamer tweede eerste regering kabinet minister ministerie staatssecretaris nederland
nederlandse nederlanders rijk rijksoverheid motie de het een in dit deze dat""".split())
_AMOUNT_WORDS = tuple(sorted({w for dutch in english.AMOUNTS.values() for w in dutch}))  # the Dutch amount words
_PARTY_NAMES = sorted({a for identity, aliases in LINEAGE.items() for a in (identity, *aliases)}, key=len, reverse=True)
_WORDLIKE = frozenset({"DENK", "Volt"})  # party names that are also ordinary words: only as the party writes them
_PARTY = re.compile(r"(?<![\w-])(?:(?i:" + "|".join(re.escape(p) for p in _PARTY_NAMES if p not in _WORDLIKE) + r")|"
                    + "|".join(re.escape(p) for p in _WORDLIKE) + r"|Partij\w*)(?![\w-])")
#: words a Dutch sentence may start with that are no name (besides function and frame words)
_OPENERS = frozenset("""daarom daarnaast daardoor daarmee daarbij daarvoor hierdoor hiermee hiervoor volgens bovendien
toch tegelijk vervolgens kortom tijdens sinds vanaf zonder nadat voordat zodra zolang indien tenzij waarom wanneer
verder eerst ten slotte tot slot nu dan wel niet geen nog alleen vooral zelfs ook pas iedereen niemand mensen sommige
veel weinig bijna hierbij hierin daarin daarop zo deze dit die dat hun haar zijn hij zij ze wij we men volgend vanwege
mede ondanks behalve evenals net zoals""".split())


def named(summary: MotionSummary, own: str, known: set[str]) -> list[str]:
    """Parties, names, places, numbers and amounts in the output that the text does not name.

    :param own: the motion's folded text (without its instructions to a model).
    :param known: the numbers of that text (:func:`motion_ops.llm.words.numbers`).
    """
    out: list[str] = []
    fields = [("summary_nl", summary.summary_nl), ("summary_en", summary.summary_en),
              *((f"verzoek {r.clause}", r.ask) for r in summary.requests)]
    for field, text in fields:
        if not text:
            continue
        invented = sorted(numbers(text) - known)
        if invented:
            out.append(f"{field} noemt {', '.join(invented)}, dat niet in de motie staat")
        names = {m.group(0) for m in _PARTY.finditer(text) if not _named_in(m.group(0), own)}
        if field != "summary_en":  # English capitalises what Dutch does not ("the House", "Government")
            for s in sentences(text) or [text]:
                for k, w in enumerate(WORD.findall(s)):
                    if k == 0 and (fold(w) in STOP or fold(w) in _OPENERS):
                        continue
                    if w[0].isupper() and fold(w) not in _FRAME_NAMES and not supported(stem(w), own):
                        names.add(w)
            amounts = {a for a in _AMOUNT_WORDS if a in fold(text) and a not in own}
            if amounts:
                out.append(f"{field} noemt een bedrag of aantal ({', '.join(sorted(amounts))}) dat niet in de motie staat")
        if names:
            out.append(f"{field} noemt {', '.join(sorted(names))}, die de motie niet noemt")
    return out


def _named_in(name: str, own: str) -> bool:
    return bool(re.search(rf"(?<!\w){re.escape(fold(name))}(?!\w)", own))
