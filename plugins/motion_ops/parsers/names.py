"""People's names as Dutch writes them: the particles of a surname (van, de, den, der, ten, ter,
het, ...) are lower case after initials or a first name ("L. van den Berg") and the first of them
capitalised when the surname stands alone ("Van den Berg")."""
from __future__ import annotations

import re

PARTICLES = frozenset({"van", "de", "den", "der", "ten", "ter", "het", "te", "in", "op", "'t", "’t", "d'", "la", "le"})
_SPACES = re.compile(r"\s+")


def _is_particle(word: str) -> bool:
    return word.casefold() in PARTICLES


def _surname_word(word: str) -> str:
    """A surname's word after its particles: as written, but one written all in capitals is capitalised,
    each part of a double name on its own, a particle after the hyphen lower case ("Plas-de")."""
    if not (word.isupper() and len(word) > 1 and "." not in word):
        return word
    parts = word.split("-")
    return "-".join([parts[0].capitalize()] + [p.lower() if _is_particle(p) else p.capitalize() for p in parts[1:]])


def dutch_name(name: str) -> str:
    """``name`` (e.g. "L. Van den Berg (VVD)") with its particles as Dutch writes them ("L. van den
    Berg (VVD)"); a party in parentheses at the end is kept as it is; whitespace is collapsed.

    :param name: a person's name: initials and/or a first name, then the surname; or the surname alone.
    """
    words = _SPACES.split((name or "").strip())
    if words == [""]:
        return ""
    party = []
    if len(words) > 1 and words[-1].startswith("(") and words[-1].endswith(")"):
        party = [words.pop()]
    first = next((i for i, w in enumerate(words) if _is_particle(w)), None)
    if first is None or first == len(words) - 1:  # no particle, or one that is the surname itself ("De")
        return " ".join(words + party)
    out = words[:first]
    i = first
    while i < len(words) - 1 and _is_particle(words[i]):
        out.append(words[i].lower())
        i += 1
    if first == 0:  # the surname stands alone: its first particle capitalised
        out[0] = out[0][:1].upper() + out[0][1:]
    out += [_surname_word(w) for w in words[i:]]
    return " ".join(out + party)
