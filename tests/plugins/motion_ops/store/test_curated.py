"""Curated motions in the store: picked with a note, changed, unpicked, listed newest first."""
import pytest

from motion_ops.store import curated


def test_a_motion_is_picked_with_a_note_repicking_changes_the_note_and_removing_unpicks_it(store, motions):
    first, second = motions[0], motions[1]
    assert curated.add(store, first, "  Een goed voorbeeld  ")["note"] == "Een goed voorbeeld"
    curated.add(store, second, "Nog een")
    assert [e["id"] for e in curated.entries(store)] == [second, first]  # the newest pick first
    curated.add(store, first, "Andere notitie")
    assert [(e["id"], e["note"]) for e in curated.entries(store)] == [(second, "Nog een"), (first, "Andere notitie")]
    assert curated.remove(store, first) is True and curated.remove(store, first) is False
    assert [e["id"] for e in curated.entries(store)] == [second]


def test_a_motion_is_found_by_its_zaak_number_and_an_unknown_or_deleted_one_is_refused(store, motions):
    store.conn.execute("UPDATE motions SET nummer = '2025Z00001' WHERE id = %s", (motions[2],))
    store.conn.execute("UPDATE motions SET deleted = true WHERE id = %s", (motions[3],))
    store.conn.commit()
    assert curated.add(store, "2025Z00001", "Op nummer")["id"] == motions[2]
    with pytest.raises(LookupError, match="no live motion '2025Z99999'"):
        curated.add(store, "2025Z99999", "x")
    with pytest.raises(LookupError):
        curated.add(store, motions[3], "verwijderd")
    assert [e["id"] for e in curated.entries(store)] == [motions[2]]


@pytest.mark.parametrize("note, problem", [("", "needs a note"), ("   ", "needs a note"), ("x" * 281, "at most 280"),
                                           ("a\x00b", "control character"), ("twee\nregels", "control character")])
def test_an_empty_long_or_control_character_note_is_refused_with_a_clear_error(store, motions, note, problem):
    with pytest.raises(ValueError, match=problem):
        curated.add(store, motions[0], note)
    assert curated.entries(store) == []


def test_a_deleted_motion_leaves_the_list(store, motions):
    curated.add(store, motions[0], "Weg straks")
    store.conn.execute("UPDATE motions SET deleted = true WHERE id = %s", (motions[0],))
    store.conn.commit()
    assert curated.entries(store) == []


@pytest.mark.parametrize("note, problem", [("\u200b", "nothing visible"), ("\ufeff \u200d", "nothing visible"),
                                           ("lees dit \u202eeerst", "direction"), ("a\u2066b\u2069", "direction"),
                                           ("twee\u2028regels", "line break"), ("alinea\u2029twee", "line break"),
                                           ("a\ud800b", "surrogate")])
def test_a_note_with_nothing_visible_a_direction_override_or_a_unicode_line_break_is_refused(store, motions, note,
                                                                                               problem):
    with pytest.raises(ValueError, match=problem):
        curated.add(store, motions[0], note)
    assert curated.entries(store) == []


def test_a_note_keeps_its_letters_accents_and_emoji(store, motions):
    note = "Lees dit eerst: één motie over 🐄 en de Noordzee (zie ook 't Hart)"
    assert curated.add(store, motions[0], note)["note"] == note
