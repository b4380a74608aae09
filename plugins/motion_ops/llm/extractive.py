"""The embedded default summarizer: no model, only the motion's own words. It says what the
motion asks by its own request clauses, and is honest about it (status ``extractive``, shown as
such wherever a summary is shown). Topics are found by keywords and marked as inferred."""
from __future__ import annotations

import re

from motion_ops.llm.prompt import MotionText
from motion_ops.llm.schema import MAX_SUMMARY, MotionSummary, Request
from motion_ops.parsers.substance import subject

LABEL = "extractive summary: the motion's own request clauses, not a model's plain-language summary"

_ADDRESSEE = [("staatssecretaris", re.compile(r"\bstaatssecretaris\b", re.I)),
              ("minister", re.compile(r"\bminister\b", re.I)),
              ("kabinet", re.compile(r"\bkabinet\b", re.I)),
              ("regering", re.compile(r"\bregering\b", re.I)),
              ("kamer", re.compile(r"^\s*(?:en\s+)?(?:spreekt|besluit|betreurt|wenst|keurt)\b", re.I))]
_LEAD = re.compile(r"^\s*(?:en\s+)?(?:verzoekt|roept|draagt|vraagt|dringt|nodigt)\s+(?:de|het)\s+"
                   r"(?:regering|kabinet|minister|staatssecretaris)(?:\s+van\s+[^,]+?)?\s*(?:,\s*)?(?:op\s+)?", re.I)
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "landbouw en visserij": ("landbouw", "boer", "visserij", "vissers", "veehouder", "mest", "quotum", "gewas"),
    "natuur en milieu": ("natuur", "stikstof", "milieu", "biodiversiteit", "water", "pfas", "vervuiling"),
    "klimaat en energie": ("klimaat", "energie", "co2", "gas", "wind", "zonne", "waterstof", "emissie"),
    "wonen": ("woning", "huur", "wonen", "bouw", "hypotheek", "huisvesting"),
    "zorg": ("zorg", "ziekenhuis", "patiënt", "gezondheid", "medisch", "ggz", "jeugdzorg", "huisarts"),
    "onderwijs": ("onderwijs", "school", "leraar", "leraren", "student", "universiteit", "leerling"),
    "werk en inkomen": ("werk", "loon", "arbeid", "werkgever", "werknemer", "minimumloon", "baan"),
    "sociale zekerheid": ("uitkering", "toeslag", "armoede", "pensioen", "aow", "bijstand"),
    "belastingen en financiën": ("belasting", "begroting", "financi", "btw", "fiscale", "bank"),
    "economie": ("economie", "ondernemer", "bedrijven", "mkb", "handel", "industrie"),
    "migratie en asiel": ("asiel", "migratie", "vluchteling", "vreemdeling", "migrant", "ind"),
    "justitie en veiligheid": ("politie", "justitie", "straf", "criminaliteit", "rechter", "veiligheid"),
    "defensie": ("defensie", "krijgsmacht", "militair", "navo", "wapen"),
    "buitenland en europa": ("europese", "europa", "eu", "internationale", "oekraïne", "israël", "verenigd koninkrijk"),
    "verkeer en infrastructuur": ("verkeer", "spoor", "trein", "wegen", "snelweg", "vervoer", "luchtvaart", "schiphol", "ov"),
    "digitalisering en privacy": ("digitale", "privacy", "data", "algoritme", "internet", "ict"),
    "cultuur en media": ("cultuur", "media", "omroep", "kunst", "erfgoed", "sport"),
    "bestuur en democratie": ("gemeente", "provincie", "democratie", "verkiezing", "grondwet", "bestuur", "enquête",
                              "parlementair"),
}


def addressee(clause: str) -> str:
    for name, pattern in _ADDRESSEE:
        if pattern.search(clause):
            return name
    return "anders"


def topics(text: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` topics whose keywords occur most often in ``text``."""
    low = text.lower()
    def hits(word: str) -> int:  # a short keyword whole (ov, eu), a longer one as a word's start (boer -> boeren)
        return len(re.findall(rf"\b{re.escape(word)}\b" if len(word) <= 3 else rf"\b{re.escape(word)}", low))

    counts = {t: sum(hits(w) for w in words) for t, words in TOPIC_WORDS.items()}
    return [t for t, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c][:limit]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"


def summarize(m: MotionText) -> MotionSummary:
    """A summary built only from the motion's own words (see the module docstring)."""
    clauses = m.clauses
    asks = [Request(clause=i, ask=_clip(c, 400) if len(c) >= 3 else "(leeg)", addressee=addressee(c))
            for i, c in enumerate(clauses, start=1)]
    if clauses:
        first = _LEAD.sub("", clauses[0], count=1).strip() or clauses[0]
        more = " En meer verzoeken (hieronder)." if len(clauses) > 1 else ""
        text = f"De motie vraagt: {first}.{more}"
    else:
        text = f"De motie gaat over: {subject(m.title) or m.title or 'onbekend'}."
    text = _clip(text, MAX_SUMMARY)
    if len(text) < 20:
        text = (text + " " + (subject(m.title) or ""))[:MAX_SUMMARY].ljust(20, ".")
    found = topics(" ".join(filter(None, (m.title, m.dossier_title, m.body_text))))
    return MotionSummary(summary_nl=text, summary_en=None, requests=asks, topics=found,
                         inferred=["topics", "addressee"] if found else ["addressee"])
