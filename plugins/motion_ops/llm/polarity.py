"""What a request asks and which way: its head (the asked action, without the purpose and relative
clauses that hang from it), the action words, its negation and its direction, for Dutch and English.

"verzoekt de regering om zo snel mogelijk met de sector in gesprek te treden om te zorgen dat de
sector ... niet geconfronteerd wordt" asks to *talk*: the "niet" belongs to a purpose clause, not
to the request. The head is what follows the lead ("verzoekt de regering (om)") up to its first
infinitive ("te treden"), with infinitives coordinated to it ("te verhogen en dit te betalen"),
and for a clause without one ("spreekt uit dat het eigen risico moet worden afgeschaft") up to its
first punctuation or subordinate clause.
"""
from __future__ import annotations

import re
import unicodedata

NEGATION = re.compile(
    r"\b(?:niet(?!\s+(?:alleen|enkel|slechts)\b)|geen|nooit|niets|stop(?:t|pen)?\s+met|af\s+te\s+schaffen|afschaf\w*|afgeschaft|schaf\w*\s+\w+(?:\s+\w+){0,4}\s+af"
    r"|schrap\w*|geschrapt|opheff\w*|opgeheven|hef\w*\s+\w+(?:\s+\w+){0,4}\s+op|beëindig\w*|verdwijn\w*|verdwenen"
    r"|verbied\w*|verbod\w*|verboden|afzien|afziet|afzag|afgezien|af\s+te\s+zien|zie[tn]?\s+\w+(?:\s+\w+){0,4}\s+af\s+van"
    r"|(?:is|zijn|staat|staan)\s+tegen|tegen\s+(?:is|zijn)|afwijz\w*|afgewezen|wijs\w*\s+\w+(?:\s+\w+){0,4}\s+af"
    r"|verwerp\w*|verworpen|weiger\w*|geweigerd|terug\s+te\s+draaien|terugdraai\w*|teruggedraaid"
    r"|ongedaan|intrekk\w*|in\s+te\s+trekken|ingetrokken|trek\w*\s+\w+(?:\s+\w+){0,4}\s+in)\b", re.I)
EN_NEGATION = re.compile(r"\b(?:not|no|never|nothing|none|stop\w*|abolish\w*|scrap\w*|end(?:s|ed|ing)?|ban(?:s|ned|ning)?"
                         r"|prohibit\w*|forbid\w*|against|refrain\w*|reject\w*|refus\w*|withdraw\w*|revers\w*|cancel\w*"
                         r"|\w+n't|cannot)\b", re.I)
#: (up, down) per dimension: an amount, a scope, a pace, a size, a strength, a permission
DIRECTIONS = [
    (re.compile(r"\b(?:verho[go]\w*|ophog\w*|ophoog\w*|opgehoogd|hoger\w*|omhoog|stijg\w*|gestegen|toenem\w*|toename"
                r"|neemt\s+toe|optrekk\w*|op\s+te\s+trekken|opgetrokken|vermeerder\w*)\b", re.I),
     re.compile(r"\b(?:verla[ag]\w*|lager\w*|omlaag|daal\w*|dalen|gedaald|verminder\w*|reduc\w*|terug\s+te\s+dringen"
                r"|terugdring\w*|teruggedrongen|korten|te\s+korten|gekort|bezuinig\w*|afbouw\w*|af\s+te\s+bouwen"
                r"|bevr[io]\w*|neemt\s+af|afnem\w*|afname)\b", re.I)),
    (re.compile(r"\b(?:uitbrei\w*|uit\s+te\s+breiden|uitgebreid|verruim\w*)\b", re.I),
     re.compile(r"\b(?:inperk\w*|in\s+te\s+perken|ingeperkt|beperk\w*)\b", re.I)),
    (re.compile(r"\b(?:versnel\w*)\b", re.I), re.compile(r"\b(?:vertra[ag]\w*|uitstel\w*|uit\s+te\s+stellen|uitgesteld)\b", re.I)),
    (re.compile(r"\b(?:vergrot\w*|groter)\b", re.I), re.compile(r"\b(?:verklein\w*|kleiner)\b", re.I)),
    (re.compile(r"\b(?:versterk\w*)\b", re.I), re.compile(r"\b(?:verzwak\w*)\b", re.I)),
    (re.compile(r"\b(?:toe\s+te\s+staan|toestaan|toegestaan|sta\w*\s+\w+(?:\s+\w+){0,4}\s+toe)\b", re.I),
     re.compile(r"\b(?:verbied\w*|verbod\w*|verboden)\b", re.I)),
]
EN_DIRECTIONS = [
    (re.compile(r"\b(?:rais\w*|increas\w*|higher|grow\w*|boost\w*)\b", re.I),
     re.compile(r"\b(?:lower\w*|reduc\w*|decreas\w*|cut(?:s|ting)?|freez\w*|froze\w*)\b", re.I)),
    (re.compile(r"\b(?:expand\w*|extend\w*|widen\w*|broaden\w*)\b", re.I), re.compile(r"\b(?:limit\w*|restrict\w*|narrow\w*)\b", re.I)),
    (re.compile(r"\b(?:speed\w*|accelerat\w*|faster)\b", re.I), re.compile(r"\b(?:delay\w*|postpon\w*|slow\w*)\b", re.I)),
    (re.compile(r"\b(?:enlarg\w*|bigger|larger)\b", re.I), re.compile(r"\b(?:shrink\w*|smaller)\b", re.I)),
    (re.compile(r"\b(?:strengthen\w*)\b", re.I), re.compile(r"\b(?:weaken\w*)\b", re.I)),
    (re.compile(r"\b(?:allow\w*|permit\w*)\b", re.I), re.compile(r"\b(?:ban(?:s|ned|ning)?|prohibit\w*|forbid\w*)\b", re.I)),
]
#: words that say the same action as a request's infinitive (beginnings of words)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "verhogen": ("ophog", "omhog", "hoger", "stijg", "optrek", "meer"),
    "verlagen": ("omlag", "lager", "minder", "verminder", "kort", "bezuinig"),
    "afschaffen": ("schrap", "ophef", "stop", "verdwijn", "beeindig", "afgeschaf", "weg"),
    "stoppen": ("afschaf", "beeindig", "ophoud", "schrap"),
    "inspannen": ("inzet", "sterk", "werk", "zorg", "pleit", "ijver"),
    "inzetten": ("inspan", "sterk", "werk", "zorg", "pleit"),
    "onderzoeken": ("uitzoek", "bekijk", "kijk", "verken", "onderzocht", "nagaan", "nag"),
    "verkennen": ("onderzoek", "uitzoek", "bekijk", "kijk"),
    "informeren": ("melden", "meld", "laten weten", "brief", "hoogte", "vertel", "rapporter", "terugkoppel"),
    "betalen": ("financier", "bekostig", "dekk", "geld"),
    "uitbreiden": ("verruim", "groter", "meer"),
    "beperken": ("inperk", "minder", "kleiner"),
    "treden": ("ga", "gesprek", "praat", "overleg"),
    "gaan": ("tred", "gesprek"),
}
_PARTICLES = ("terug", "voort", "door", "over", "mee", "toe", "uit", "aan", "af", "op", "in", "om", "bij", "na", "vast", "weg")
LEAD = re.compile(r"^\s*(?:en\s+)?(?:verzoekt|roept|draagt|vraagt|dringt|nodigt|doet|geeft)\s+(?:(?:de|het)\s+)?"
                  r"(?:(?:[\w-]+\s+){0,4}?(?:regering|kabinet|minister|ministers|staatssecretaris|staatssecretarissen|kamer"
                  r"|presidium|commissie|overheid)\b(?:\s+(?:en|of)\s+(?:de|het)\s+(?:regering|kabinet|minister"
                  r"|staatssecretaris)\b)?|\w+)"
                  r"(?:\s+van\s+[^,]+?)?\s*(?:,\s*)?(?:erop\s+aan\s+|op\s+|aan\s+|een\s+\w+\s+)?(?:om\s+)?|"
                  r"^\s*(?:en\s+)?(?:spreekt|besluit|wenst|betreurt|keurt)\s+(?:zich\s+)?(?:uit\s+)?(?:de\s+wens\s+uit\s+)?"
                  r"(?:als\s+haar\s+mening\s+uit\s+)?(?:dat\s+|om\s+)?", re.I)
_INFINITIVE = re.compile(r"\bte\s+([^\W\d_]+)", re.UNICODE)
_SUBORDINATE = re.compile(r"[,;:()]|\b(?:om|zodat|opdat|omdat|waardoor|waarmee|waarbij|waarin|waarop|waarvan|die|dat|wat"
                          r"|wanneer|indien|als|tenzij|zonder|terwijl|zolang|totdat|door|nu|mits|hetgeen|welke)\b", re.I)
_COORDINATED = re.compile(r"\s*,?\s*(?:en|of)\s+((?:(?!\b(?:om|zodat|opdat|omdat|waardoor|waarmee|waarbij|die|dat|door)\b)"
                          r"[^,;:])*?)\bte\s+([^\W\d_]+)", re.I)
_INSERT = re.compile(r"\s*(?:zolang|indien|als|wanneer|nu|mits|tenzij|totdat|zodra|nadat|voordat|ongeacht|waar|gelet"
                     r"|gezien|bijvoorbeeld|dat\s+wil\s+zeggen)\b", re.I)  # a subordinate insert before the asked verb
_SENTENCE_FRAME = re.compile(r"^\s*(?:de\s+kamer|de\s+motie|de\s+indieners?|zij|ze)\s+(?:wil|wilt|willen|vraagt|vragen|verzoekt"
                             r"|roept|vindt|vinden|spreekt|besluit|draagt|eist|pleit|wenst|stelt)\b(?:\s+\w+){0,3}?\s*"
                             r"(?:(?:van\s+)?(?:de|het)\s+(?:regering|kabinet|minister|staatssecretaris)\s+(?:op\s+)?(?:om\s+)?)?"
                             r"(?:dat\s+|om\s+|uit\s+dat\s+|op\s+)?", re.I)
WISH = re.compile(r"\b(?:wil|wilt|willen|vraagt|vragen|verzoekt|roept|moet|moeten|vindt|vinden|spreekt|besluit|draagt"
                  r"|eist|pleit|wenst|is\s+tegen|zijn\s+tegen)\b", re.I)


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def head(text: str) -> tuple[str, list[str]]:
    """``(head, actions)`` of a request clause, an ask or a summary's sentence: see the module
    docstring; ``actions`` are the head's infinitives with their separable particle ("toe te
    passen" -> "toepassen"). What precedes a colon that comes before any infinitive ("In gewone
    taal: de Kamer wil dat ...: ") is a frame, as is the clause's lead or the sentence's "De Kamer wil dat"."""
    rest = text
    while (colon := rest.find(":")) >= 0 and not _INFINITIVE.search(rest[:colon]):
        rest = rest[colon + 1:]
    rest = LEAD.sub("", rest, count=1) if LEAD.match(rest) else _SENTENCE_FRAME.sub("", rest, count=1)
    rest = re.sub(r"^\s*(?:om|dat)\s+", "", rest, flags=re.I)
    first = _INFINITIVE.search(rest)
    upto = first.start() if first else len(rest)
    if "," in rest[:upto]:  # "tevens, zolang dit niet is geregeld, maatregelen te nemen": the insert is no request
        kept = [p for p in rest[:upto].split(",") if not _INSERT.match(p)]
        rest = ",".join(kept) + rest[upto:]
        first = _INFINITIVE.search(rest)
    if first is None or re.search(r"\b(?:om|zodat|opdat|omdat|waardoor|doordat|terwijl)\b", rest[:first.start()], re.I):
        cut = _SUBORDINATE.search(rest, 1)
        return (rest[:cut.start()] if cut else rest), []
    actions = [_with_particle(rest, first)]
    end = first.end()
    while (more := _COORDINATED.match(rest, end)) is not None:
        inner = list(_INFINITIVE.finditer(rest, more.start(), more.end()))
        actions.append(_with_particle(rest, inner[-1]))
        end = more.end()
    tail = re.match(r"\s*(?:met|van)\b", rest[end:end + 12])  # "te stoppen met", "af te zien van"
    return rest[:end + (tail.end() if tail else 0)], actions


def _with_particle(text: str, te: re.Match[str]) -> str:
    before = text[:te.start()].split()
    verb = te.group(1)
    return (before[-1] + verb) if before and fold(before[-1]) in _PARTICLES else verb


def root(word: str) -> str:
    """A Dutch verb's root for matching inflections: "verhogen"/"verhoogt"/"verhoogd" -> "verhog"."""
    w = re.sub(r"([aeiou])\1", r"\1", fold(word))
    w = re.sub(r"([^aeiou])\1", r"\1", w)
    for suffix in ("en", "n", "t", "d"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w


def carries(text: str, action: str) -> bool:
    """Does ``text`` say ``action`` (an infinitive): its root, also without its particle and with
    "ge" ("toegepast", "past ... toe"), or a listed synonym?"""
    joined = re.sub(r"\b(" + "|".join(_PARTICLES) + r")\s+te\s+(?=[^\W\d_])", r"\1", text, flags=re.I)  # "uit te gaan"
    words = [f for w in re.findall(r"[^\W\d_]+", f"{text} {joined}") for f in (fold(w), root(w))]
    r = root(action)
    forms = {r}
    for p in _PARTICLES:
        if r.startswith(p) and len(r) - len(p) >= 3:
            forms |= {r[len(p):], p + "ge" + r[len(p):]}
    forms |= {"ge" + f for f in list(forms)}
    forms |= set(_SYNONYMS.get(r, ()))
    return any(w.startswith(f) or (len(w) >= 4 and f.startswith(w)) for w in words for f in forms if len(f) >= 2)


_SYNONYMS = {root(k): v for k, v in SYNONYMS.items()}


def negated(text: str) -> bool:
    return bool(NEGATION.search(text))


def directions(text: str, table: list = DIRECTIONS) -> tuple[int, ...]:
    return tuple((1 if up.search(text) else 0) - (1 if down.search(text) else 0) for up, down in table)


def opposite(said: tuple[int, ...], asked: tuple[int, ...]) -> bool:
    """``said`` goes the other way than ``asked`` on some dimension and never the same way."""
    return any(s and a == -s for s, a in zip(said, asked)) and not any(s and a == s for s, a in zip(said, asked))
