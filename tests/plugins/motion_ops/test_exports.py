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


def test_the_listing_names_each_complete_export_newest_first_with_sizes(store, published, tmp_path):
    export(store, tmp_path)
    (tmp_path / file_name(published + 1, "motions")).write_text("id\n")  # an export that never completed
    (tmp_path / "notes.txt").write_text("x")
    (found,) = listing(tmp_path)
    assert found["version"] == published and found["metadata"] == metadata_name(published)
    assert [f["name"] for f in found["files"]][0] == metadata_name(published)
    assert all(f["bytes"] > 0 and f["modified"].endswith("Z") for f in found["files"])
    assert listing(tmp_path / "missing") == []
