"""Curated motions: motions staff picked, each with a short note, that the landing page presents
first (table ``curated_motions``, migration 022). Managed from the command line
(``python -m motion_ops curated``) and the API with its write token; readers only read them."""
from __future__ import annotations

import unicodedata
from typing import Any

from motion_ops.store.db import Store

MAX_NOTE = 280  # characters of a note
MAX_CURATED = 50  # motions the landing page and the list show at most
_DIRECTION = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # embeddings, overrides, isolates
_INVISIBLE = frozenset({"Zs", "Cf"})  # spaces, and format characters (zero-width space, joiner, BOM)


def clean_note(note: str) -> str:
    """``note`` stripped; a clear ``ValueError`` when it is empty, too long, shows nothing visible or holds
    a control character, a unicode line break, a lone surrogate or a direction override."""
    text = (note or "").strip()
    if not text:
        raise ValueError("a curated motion needs a note (1 to 280 characters)")
    if len(text) > MAX_NOTE:
        raise ValueError(f"the note has {len(text)} characters; at most {MAX_NOTE}")
    categories = {unicodedata.category(c) for c in text}
    if "Cc" in categories:
        raise ValueError("the note holds a control character (a NUL, a tab or a line break)")
    if categories & {"Zl", "Zp"}:
        raise ValueError("the note holds a unicode line break (U+2028 or U+2029): a note is one line")
    if "Cs" in categories:
        raise ValueError("the note holds a lone surrogate: it is not valid text")
    if any(c in _DIRECTION for c in text):
        raise ValueError("the note holds a direction override (U+202A-U+202E, U+2066-U+2069): it could "
                         "reverse how the note reads on the landing page")
    if categories <= _INVISIBLE:
        raise ValueError("the note shows nothing visible (only spaces or invisible characters)")
    return text


def add(store: Store, key: str, note: str) -> dict[str, Any]:
    """Pick the live motion ``key`` (id or Zaak number) with ``note``; picking it again changes the note.

    :raises LookupError: no live motion ``key``.
    :raises ValueError: the note is not one short visible line (:func:`clean_note`).
    """
    row = store.fetch_one("upsert_curated_motion", {"key": key, "note": clean_note(note)})
    if row is None:
        raise LookupError(f"no live motion {key!r}")
    return row


def remove(store: Store, key: str) -> bool:
    """Unpick the motion ``key``; whether it was picked."""
    return bool(store.fetch("delete_curated_motion", {"key": key}))


def entries(store: Store, limit: int = MAX_CURATED) -> list[dict[str, Any]]:
    """The curated live motions, the newest pick first (a reader's connection: one read)."""
    return store.read("select_curated_motions", {"limit": limit})
