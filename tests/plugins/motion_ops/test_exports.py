import json

import pytest

from motion_ops.exports import NothingToExport, export
from motion_ops.publish import publish
from motion_ops.similarity import compute_version
from motion_ops.store.export_files import file_name, listing, metadata_name
from tests.plugins.motion_ops.csvw_validator import validate


@pytest.fixture
def published(store, synced):
    """The cases corpus synced, embedded and published, one motion with a published summary: the version."""
    corpus, model = synced
    v = compute_version(store, model=model, top_n=5)["version"]
    publish(store, v)
    store.conn.execute(
        "INSERT INTO motion_summaries (motion_id, text_hash, prompt_version, schema_version, status, summary_nl, "
        "requests, topics, inferred, backend, model, chain, attempts, input_tokens, output_tokens, latency_ms, "
        "published_at) SELECT id, embed_hash, 'p1', 1, 'extractive', 'De regering moet, zegt de motie; \"iets\" doen.', "
        "'[{\"ask\": \"iets doen\", \"addressee\": \"regering\"}]', '{water,\"dijken; rivieren\"}', '{}', 'extractive', "
        "'extractive', 'extractive', 1, 0, 0, 0, now() FROM motions WHERE body_text IS NOT NULL ORDER BY id LIMIT 1")
    store.conn.commit()
    return v


def test_the_export_writes_csv_files_that_validate_against_their_csvw_metadata(store, published, tmp_path):
    out = export(store, tmp_path)
    assert out["written"] and out["version"] == published
    tables = validate(tmp_path / metadata_name(published))
    live = store.conn.execute("SELECT count(*) FROM motions WHERE NOT deleted").fetchone()[0]
    votes = store.conn.execute("SELECT count(*) FROM motion_votes").fetchone()[0]
    assert len(tables[file_name(published, "motions")]) == live == out["rows"]["motions"]
    assert 0 < len(tables[file_name(published, "votes")]) <= votes
    related = tables[file_name(published, "related")]
    assert related and {r["version"] for r in related} == {str(published)}
    assert {"text_score", "vote_correlation", "same_dossier"} <= set(related[0])  # the components
    (summary,) = tables[file_name(published, "summaries")]
    assert json.loads(summary["topics"]) == ["water", "dijken; rivieren"]  # a list survives its punctuation
    assert json.loads(summary["requests"])[0]["ask"] == "iets doen"
    assert all(r["updated_at"].endswith("Z") for r in tables[file_name(published, "motions")])  # UTC
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_a_second_export_of_the_same_version_writes_nothing_and_force_rewrites_it(store, published, tmp_path):
    export(store, tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    again = export(store, tmp_path)
    assert not again["written"] and {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before
    assert export(store, tmp_path, force=True)["written"]
    validate(tmp_path / metadata_name(published))


def test_a_value_that_is_not_a_finite_number_fails_the_export_and_leaves_no_partial_file(store, published, tmp_path):
    store.conn.execute("UPDATE motion_neighbours SET text_score = 'NaN' WHERE version = %s AND rank = 2", (published,))
    store.conn.commit()
    with pytest.raises(ValueError, match=r"related row \d+: text_score is nan, not a finite number"):
        export(store, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [file_name(published, "motions"), file_name(published, "votes")]  # whole files only
    assert listing(tmp_path) == []  # no metadata: not an export readers are offered


def test_exporting_before_any_version_is_published_says_so(store, tmp_path):
    with pytest.raises(NothingToExport, match="no similarity version is published"):
        export(store, tmp_path)


def test_an_exports_folder_that_is_a_file_is_a_clear_error(store, published, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        export(store, target)


def test_the_exports_of_versions_the_store_no_longer_keeps_are_removed_and_nothing_else(store, published, tmp_path):
    from motion_ops.exports import summary_line
    from motion_ops.store.export_files import names

    gone = published - 1  # an older version publishing pruned from the store (keep_versions)
    assert store.fetch_one("select_current_version")["version"] == published and gone not in [
        r["version"] for r in store.fetch("select_kept_versions")]
    link = tmp_path / file_name(gone, "votes")
    for name in names(gone):
        if name != link.name:
            (tmp_path / name).write_text("x\n")
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("kept\n")
    link.symlink_to(elsewhere)  # a link with an export's name: not ours
    (tmp_path / "notes.txt").write_text("x")
    out = export(store, tmp_path)
    assert out["removed"] == [gone] and f"removed the exports of versions {gone}" in summary_line(out)
    assert [e["version"] for e in listing(tmp_path)] == [published]
    assert not any((tmp_path / n).exists() for n in names(gone) if n != link.name)
    assert elsewhere.read_text() == "kept\n" and link.is_symlink()
    assert (tmp_path / "notes.txt").exists()
    assert export(store, tmp_path)["removed"] == []  # a re-run: nothing more to remove


def test_the_listing_names_each_complete_export_newest_first_with_sizes(store, published, tmp_path):
    export(store, tmp_path)
    (tmp_path / file_name(published + 1, "motions")).write_text("id\n")  # an export that never completed
    (tmp_path / "notes.txt").write_text("x")
    (found,) = listing(tmp_path)
    assert found["version"] == published and found["metadata"] == metadata_name(published)
    assert [f["name"] for f in found["files"]][0] == metadata_name(published)
    assert all(f["bytes"] > 0 and f["modified"].endswith("Z") for f in found["files"])
    assert listing(tmp_path / "missing") == []


def test_a_file_at_a_temporary_name_is_never_written_through_and_the_files_are_readable_by_all(store, published,
                                                                                              tmp_path):
    import os
    import stat

    folder, outside = tmp_path / "exports", tmp_path / "outside.txt"
    folder.mkdir()
    outside.write_text("not yours")
    # what an earlier export of this process id would have named its temporary file (a stale file, or a symlink)
    (folder / f".{file_name(published, 'motions')}.{os.getpid()}.tmp").symlink_to(outside)
    export(store, folder)
    assert outside.read_text() == "not yours"
    for p in folder.iterdir():
        mode = p.lstat().st_mode
        assert stat.S_ISREG(mode) and mode & 0o044 == 0o044, p.name  # the read API may run as another user
    validate(folder / metadata_name(published))


def test_temporary_files_a_killed_export_left_behind_are_removed_by_the_next(store, published, tmp_path):
    stale = tmp_path / f".{file_name(published, 'related')}.4242.tmp"
    stale.write_text("version,motion_id\n1,")  # an export killed mid-file (no finally ran)
    other = tmp_path / ".someone-elses.tmp"
    other.write_text("x")
    export(store, tmp_path)
    assert not stale.exists() and other.exists()


def test_a_second_export_at_once_waits_for_the_first_and_then_writes_nothing(store, published, pg_uri, tmp_path):
    import shutil
    import threading
    import time

    import psycopg

    from motion_ops.store.db import sql

    done = tmp_path / "done"
    export(store, done)  # what the first export (an Airflow try) is about to write
    folder = tmp_path / "exports"
    result = {}
    with psycopg.connect(pg_uri) as first:
        first.execute(sql("lock_export"))  # the first export holds the lock (its transaction is open)
        second = threading.Thread(target=lambda: result.update(export(store, folder)))  # the CLI, meanwhile
        second.start()
        deadline = time.monotonic() + 30
        waiting = False
        while second.is_alive() and not waiting and time.monotonic() < deadline:
            waiting = first.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                    "AND wait_event = 'advisory' AND pid <> pg_backend_pid()").fetchone()[0] > 0
            time.sleep(0.02)
        assert waiting, "the second export did not wait for the first"
        assert not [p for p in folder.iterdir() if not p.name.startswith(".")]
        for p in done.iterdir():  # the first export completes
            shutil.copy2(p, folder / p.name)
        first.commit()
        second.join(60)
    assert result["version"] == published and not result["written"]


def test_cells_a_spreadsheet_would_take_for_formulas_are_exported_as_they_are_and_the_metadata_warns(
        store, published, tmp_path):
    titles = ['=HYPERLINK("https://example.org","klik")', "+31 20 123", "-2+3", "@SUM(A1)"]
    ids = [r[0] for r in store.conn.execute("SELECT id::text FROM motions WHERE NOT deleted ORDER BY id LIMIT 4")]
    for motion, title in zip(ids, titles):
        store.conn.execute("UPDATE motions SET title = %s WHERE id = %s", (title, motion))
    store.conn.commit()
    export(store, tmp_path)
    rows = {r["id"]: r["title"] for r in validate(tmp_path / metadata_name(published))[file_name(published, "motions")]}
    assert [rows[m] for m in ids] == titles  # open data: the values exactly, no prefix
    meta = json.loads((tmp_path / metadata_name(published)).read_text())
    assert "formula" in meta["rdfs:comment"] and "spreadsheet" in meta["rdfs:comment"]


def test_an_export_that_waited_for_the_lock_never_removes_the_export_of_a_version_published_meanwhile(
        store, published, pg_uri, tmp_path):
    import threading
    import time

    import psycopg

    from motion_ops.store.db import sql
    from motion_ops.store.export_files import names

    export(store, tmp_path)  # the published version's export is there
    result = {}
    with psycopg.connect(pg_uri) as other:
        other.execute(sql("lock_export"))  # an export holds the lock
        waiter = threading.Thread(target=lambda: result.update(export(store, tmp_path)))  # took its snapshot, waits
        waiter.start()
        deadline, waiting = time.monotonic() + 30, False
        while waiter.is_alive() and not waiting and time.monotonic() < deadline:
            waiting = other.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                    "AND wait_event = 'advisory' AND pid <> pg_backend_pid()").fetchone()[0] > 0
            time.sleep(0.02)
        assert waiting, "the second export did not wait for the first"
        newer = other.execute(  # meanwhile a newer version is published and the lock holder exports it
            "INSERT INTO similarity_versions (model, status, mode, params, motion_count, run_id, corpus_as_of) "
            "SELECT model, 'published', mode, params, motion_count, run_id, corpus_as_of FROM similarity_versions "
            "WHERE version = %s RETURNING version", (published,)).fetchone()[0]
        for name in names(newer):
            (tmp_path / name).write_text("x\n")
        other.commit()
        waiter.join(60)
    assert result["version"] == published and result["removed"] == []
    assert all((tmp_path / n).exists() for n in names(newer))
