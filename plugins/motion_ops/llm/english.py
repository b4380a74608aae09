"""What of ``summary_en`` the faithfulness check can check without a dictionary: it may not say more
than ``summary_nl`` (which passed the Dutch checks) nor turn it around.

A general English-Dutch lexicon is not feasible here, so the English summary is held to what can
be compared across the languages: its negation (an English "not", "no", "stop", "abolish", "ban",
"against", ... only where the Dutch summary or the requests negate too; a full-length English
summary keeps the Dutch negation), its direction ("raise"/"lower", "expand"/"limit", ...) not
opposite to the requests' and the Dutch summary's, amounts ("million", "percent", ...) only
where the text has them, drastic claims ("expropriate", "deport", "ban", ...) only where the text
has their Dutch word, and a length comparable to ``summary_nl`` (an English summary half again as
long says something the Dutch does not). Parties and digits are checked with the Dutch fields.
"""
from __future__ import annotations

import re

from motion_ops.llm import polarity
from motion_ops.llm.schema import MotionSummary

#: an English amount word and the Dutch words of the text that allow it
AMOUNTS = {"million": ("miljoen",), "billion": ("miljard",), "thousand": ("duizend",), "hundred": ("honderd",),
           "percent": ("procent", "%"), "per cent": ("procent", "%"), "euro": ("euro", "€"), "€": ("euro", "€"),
           "%": ("procent", "%")}
#: drastic claims in English and the beginnings of the Dutch words the text must have for them
CLAIMS = {"expropriat": ("onteigen",), "confiscat": ("confisq", "beslag", "inbeslag"), "seiz": ("beslag", "inbeslag"),
          "deport": ("uitzet", "uit te zetten", "uitgezet", "deport", "terugkeer", "uitzetting"),
          "arrest": ("arrest", "aanhoud", "aan te houden", "opsluit"), "imprison": ("gevangen", "opsluit", "celstraf", "detentie"),
          "nationalis": ("nationalis", "genationaliseerd"), "nationaliz": ("nationalis", "genationaliseerd"),
          "privatis": ("privatis", "geprivatiseerd"), "privatiz": ("privatis", "geprivatiseerd"),
          "dissolv": ("ontbind", "ontbonden", "op te heffen", "opheff"), "abolish": ("afschaf", "af te schaffen", "afgeschaft",
                                                                                    "opheff", "schrap"),
          "ban": ("verbod", "verbied", "verboden"), "prohibit": ("verbod", "verbied", "verboden"),
          "close": ("sluit", "sluiting", "gesloten", "te sluiten"), "shut": ("sluit", "sluiting", "gesloten", "te sluiten"),
          "cull": ("ruim", "dood", "afschiet", "afschot"), "kill": ("dood", "doden", "gedood", "afschiet"),
          "demolish": ("sloop", "slopen", "gesloopt"), "evict": ("uitzet", "ontruim"), "fine": ("boete", "beboet"),
          "tax": ("belast", "heffing", "btw", "accijns"), "subsid": ("subsidie", "subsidi"), "sanction": ("sanctie",),
          "boycott": ("boycot",), "war": ("oorlog",), "weapon": ("wapen",), "troops": ("troepen", "militair", "missie")}
_CLAIM = re.compile(r"\b(" + "|".join(sorted(CLAIMS, key=len, reverse=True)) + r")\w*", re.I)
#: "tax", "war", "ban", "fine", "close" are claims only as whole words or their inflections
_WHOLE = {"tax": r"tax(?:es|ed|ing)?", "war": r"wars?", "ban": r"ban(?:s|ned|ning)?", "fine": r"fine(?:s|d)?",
          "close": r"clos(?:e|es|ed|ing|ure)", "seiz": r"seiz(?:e|es|ed|ing|ure)", "cull": r"cull(?:s|ed|ing)?",
          "kill": r"kill(?:s|ed|ing)?", "shut": r"shut(?:s|ting)?(?:\s+down)?"}
_EN_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
MAX_LENGTH_RATIO = 1.5  # summary_en at most this much longer than summary_nl (plus a sentence's slack)
_SLACK = 40


def problems(summary: MotionSummary, clauses: list[str], own: str) -> list[str]:
    """What ``summary_en`` says that ``summary_nl``, the requests (``clauses``) or the motion's
    folded text (``own``) do not (see the module docstring)."""
    en, nl = summary.summary_en, summary.summary_nl
    if not en:
        return []
    out: list[str] = []
    low = en.lower()
    if len(en) > MAX_LENGTH_RATIO * len(nl) + _SLACK:
        out.append(f"summary_en is veel langer dan summary_nl ({len(en)} tegen {len(nl)} tekens): zeg hetzelfde, niet meer")
    dutch = " ".join([nl, *(polarity.head(c)[0] for c in clauses)])
    en_neg, nl_neg = bool(polarity.EN_NEGATION.search(en)), polarity.negated(nl) or any(
        polarity.negated(polarity.head(c)[0]) for c in clauses)
    if en_neg and not nl_neg:
        out.append("summary_en ontkent iets dat summary_nl en de verzoeken niet ontkennen")
    elif polarity.negated(nl) and not en_neg and len(_EN_WORD.findall(en)) >= 0.8 * len(nl.split()):
        out.append("summary_en laat de ontkenning van summary_nl weg")
    # EN_DIRECTIONS has the dimensions of DIRECTIONS in the same order (amount, scope, pace, size, strength, permission)
    if polarity.opposite(polarity.directions(en, polarity.EN_DIRECTIONS), polarity.directions(dutch)):
        out.append("summary_en draait de richting om tegenover summary_nl en de verzoeken")
    amounts = sorted(a for a, dutch_words in AMOUNTS.items()
                     if re.search(rf"(?<!\w){re.escape(a)}", low) and not any(w in own for w in dutch_words))
    if amounts:
        out.append(f"summary_en noemt een bedrag of aantal ({', '.join(amounts)}) dat niet in de motie staat")
    claims = sorted({m.group(0).lower() for m in _CLAIM.finditer(en) if _claimed(m) and not any(
        w in own for w in CLAIMS[m.group(1).lower()])})
    if claims:
        out.append(f"summary_en zegt {', '.join(claims)}, wat niet in de motie staat")
    return out


def _claimed(m: re.Match[str]) -> bool:
    whole = _WHOLE.get(m.group(1).lower())
    return whole is None or bool(re.fullmatch(whole, m.group(0), re.I))

