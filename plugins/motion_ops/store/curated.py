"""Curated motions: motions staff picked, each with a short note, that the landing page presents
first (table ``curated_motions``, migration 022). Managed from the command line
(``python -m motion_ops curated``) and the API with its write token; readers only read them."""
from __future__ import annotations

import unicodedata
from typing import Any

from motion_ops.store.db import Store

MAX_NOTE = 280  # characters of a note
MAX_CURATED = 50  # motions the landing page and the list show at most


def clean_note(note: str) -> str:
    """``note`` stripped; a clear ``ValueError`` when it is empty, too long or holds control characters."""
    text = (note or "").strip()
    if not text:
        raise ValueError("a curated motion needs a note (1 to 280 characters)")
    if len(text) > MAX_NOTE:
        raise ValueError(f"the note has {len(text)} characters; at most {MAX_NOTE}")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise ValueError("the note holds a control character (a NUL, a tab or a line break)")
    return text


def add(store: Store, key: str, note: str) -> dict[str, Any]:
    """Pick the live motion ``key`` (id or Zaak number) with ``note``; picking it again changes the note.

    :raises LookupError: no live motion ``key``.
    :raises ValueError: the note is empty, too long or holds control characters.
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
