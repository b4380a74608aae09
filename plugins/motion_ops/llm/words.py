"""The words of a Dutch text as the faithfulness check compares them: content words (light
stemming, no function or frame words), sentences and numbers, all folded (lower case, no accents:
:func:`motion_ops.llm.polarity.fold`)."""
from __future__ import annotations

import re

from motion_ops.llm.polarity import fold

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
#: function and frame words: no content
STOP = frozenset("""
de het een en of van in op te dat die dit deze is zijn wordt worden werd met voor aan bij door om over naar
als ook nog maar dan er hun haar zij wij we u uit tot tegen na al veel onder tussen hoe kan kunnen moet moeten
mag mogen wil willen wilt wel zo zich iets alle alles ieder elke meer dus want omdat zodat waar wat wie welke
hij ze zijn haar ons onze jaar jaren laten gaan gaat komen komt doen doet geven geeft zorgen zorgt maken maakt
kamer tweede regering kabinet minister staatssecretaris motie verzoekt verzoek vraagt vragen vraag roept draagt
spreekt uit daarbij hierover informeren geinformeerd hoogte houden voorstel ervoor erbij daarom daarvoor
constaterende overwegende gehoord beraadslaging mening orde dag leden lid wet nieuw nieuwe goed beter eerst
gewone taal woorden kort samengevat namelijk want ook zeker verder echter snel mogelijk andere ander
hieronder hierboven zie punt punten daarnaast bovendien zegt zeggen stelt
""".split())


def numbers(text: str | None) -> set[str]:
    """The digit groups of ``text``, separators removed ("1.500" and "1,500" are "1500")."""
    return {re.sub(r"[.,]", "", n) for n in _NUMBER.findall(text or "")}


def stem(word: str) -> str:
    """A light Dutch stem: folded, common suffixes off ("boeren" -> "boer", "verhogen" -> "verhog")."""
    w = fold(word)
    for suffix in ("ingen", "heden", "ing", "heid", "lijk", "en", "es", "er", "e", "s", "t", "d"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)]
    return w


def content(text: str | None) -> list[str]:
    """The content words' stems of ``text`` (no function or frame words)."""
    stems = [(fold(w), stem(w)) for w in WORD.findall(text or "") if len(w) > 2]
    return [s for w, s in stems if w not in STOP and s not in STOP]


def supported(s: str, haystack: str) -> bool:
    """Whether the stem ``s`` occurs in the folded ``haystack``, also as the start of a compound's
    part ("quotum" is in "tongquotum")."""
    return s in haystack or (len(s) >= 5 and s[:5] in haystack and bool(re.search(rf"\b{re.escape(s[:5])}", haystack)))


def sentences(text: str | None) -> list[str]:
    """The sentences of ``text``: a new one starts with a capital ("c.q. de", "nr. 12" go on)."""
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[^\W\d_a-z])", text or "") if len(s.strip()) > 3]
