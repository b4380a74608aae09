import json
import subprocess
import sys

import pytest

from devkit.env import airflow_env
from tests.conftest import FIXTURES, REAL, ROOT


def cli(*args):
    return subprocess.run([sys.executable, "-m", "motion_ops", *args], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"}, timeout=60)


def test_parse_feed_prints_normalised_entities_as_json_lines():
    out = cli("parse-feed", str(FIXTURES / "zaak_page_ns1.xml"))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["deleted"] for r in rows] == [False, True] and rows[0]["fields"]["soort"] == "Motie"


def test_extract_text_prints_the_paragraphs():
    out = cli("extract-text", str(FIXTURES / "publication.xml"))
    assert out.returncode == 0 and out.stdout.splitlines()[0] == "De Kamer,"


@pytest.mark.parametrize("name,n", [("stemming_page.xml", 5), ("besluit_feed.xml", 1), ("activiteit_feed.xml", 1)])
def test_parse_feed_works_on_the_real_samples(name, n):
    out = cli("parse-feed", str(REAL / "syncfeed" / name))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == n
    if name == "stemming_page.xml":
        assert [r["deleted"] for r in rows] == [True, True, False, False, False]
        assert rows[2]["refs"]["besluit"] == ["643f76ba-2d42-4d6f-b903-d71b0927144a"] and rows[2]["fields"]["sidActorLid"] is None
        assert rows[0]["skiptoken"] == 3547906


def test_extract_text_works_on_the_real_publications():
    for path in sorted((REAL / "publication").glob("*documentpublicatie*.xml")):
        out = cli("extract-text", str(path))
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("De Kamer,") and "orde van de dag" in out.stdout
    expected = json.loads((REAL / "publication" / "kst-19637-3384_extracted_text_dfd9c46a.json").read_text())["content"]
    ours = cli("extract-text", str(REAL / "publication" / "kst-19637-3384_documentpublicatie_dfd9c46a.xml")).stdout
    # the other project's text also has the header lines and bullets; every paragraph of ours is in it
    assert all(line in expected for line in ours.splitlines())


def test_check_connections_tests_all_four_and_reports_model_dimension_and_latency(pg_uri, standin):
    from devkit.standin.chat import ChatServer
    from devkit.standin.provider import ProviderServer

    host = pg_uri.split("host=", 1)[1]
    with ProviderServer(model="m", dims=16) as provider, ChatServer(model="c") as chat:
        env = {**airflow_env(home=ROOT / ".airflow", base={"PATH": "/usr/bin:/bin"}),
               "AIRFLOW_CONN_MOTION_DB": json.dumps({"conn_type": "postgres", "host": host, "login": "postgres", "schema": "postgres"}),
               "AIRFLOW_CONN_MOTION_FEED": json.dumps({"conn_type": "http", "host": standin.url}),
               "AIRFLOW_CONN_MOTION_EMBEDDINGS": json.dumps({"conn_type": "generic", "host": provider.url, "password": "sk-secret-1",
                                                             "extra": {"provider": "openai", "model": "m"}})}
        out = subprocess.run([sys.executable, "-m", "motion_ops", "check-connections"], capture_output=True, text=True,
                             cwd=ROOT, env=env, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        lines = dict(line.split(None, 1) for line in out.stdout.splitlines())
        assert lines["motion_llm"].startswith("ok") and "not defined" in lines["motion_llm"]  # the extractive default
        env["AIRFLOW_CONN_MOTION_LLM"] = json.dumps({"conn_type": "pydanticai", "host": chat.base_url, "password": "sk-llm-2",
                                                     "extra": {"model": "openai:c"}})
        out = subprocess.run([sys.executable, "-m", "motion_ops", "check-connections"], capture_output=True, text=True,
                             cwd=ROOT, env=env, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        lines = dict(line.split(None, 1) for line in out.stdout.splitlines())
        assert lines["motion_llm"].startswith("ok") and f"openai:c at {chat.base_url}" in lines["motion_llm"]
        assert "sk-llm-2" not in out.stdout + out.stderr
        env["AIRFLOW_CONN_MOTION_LLM"] = json.dumps({"conn_type": "pydanticai", "host": chat.base_url, "extra": {"model": "c"}})
        out = subprocess.run([sys.executable, "-m", "motion_ops", "check-connections"], capture_output=True, text=True,
                             cwd=ROOT, env=env, timeout=120)
        assert out.returncode == 1 and "motion_llm         FAIL" in out.stdout and "'openai:<model>'" in out.stdout
        del env["AIRFLOW_CONN_MOTION_LLM"]
        assert lines["motion_db"].startswith("ok") and "pgvector" in lines["motion_db"]
        assert lines["motion_feed"].startswith("ok") and "Fractie" in lines["motion_feed"]
        assert "model m+substance-v1, dimension 16" in lines["motion_embeddings"] and " ms" in lines["motion_embeddings"]
        assert "sk-secret-1" not in out.stdout + out.stderr and provider.calls[-1].authorized
        env["AIRFLOW_CONN_MOTION_EMBEDDINGS"] = json.dumps({"conn_type": "generic", "host": "http://127.0.0.1:9",
                                                            "password": "sk-secret-1", "extra": {"provider": "ollama", "model": "m",
                                                                                                  "retry_backoff": 0.01}})
        bad = subprocess.run([sys.executable, "-m", "motion_ops", "check-connections"], capture_output=True, text=True,
                             cwd=ROOT, env=env, timeout=120)
        assert bad.returncode == 1 and "motion_embeddings  FAIL" in bad.stdout and "sk-secret-1" not in bad.stdout + bad.stderr


def test_status_reports_pending_migrations_and_applies_none(store, pg_uri):
    store.conn.execute("DROP SCHEMA public CASCADE")
    store.conn.execute("CREATE SCHEMA public")
    store.conn.commit()
    out = cli("--dsn", pg_uri, "status")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("store migrations pending: 001_init, 002_neighbour_spares")
    assert store.conn.execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is None
    store.conn.commit()
    store.migrate()
    out = cli("--dsn", pg_uri, "status")
    assert "pending" not in out.stdout and out.stdout.startswith("motions: 0 live")


def test_related_prints_a_motions_neighbours_by_number_or_id(store, pg_uri, motions):
    from motion_ops.publish import publish
    from motion_ops.similarity import compute_version
    from tests.plugins.motion_ops.test_similarity import embed_all

    store.conn.execute("UPDATE motions SET nummer = '2025Z' || lpad(right(id::text, 5), 5, '0')")
    store.conn.commit()
    publish(store, compute_version(store, model=embed_all(store), top_n=3)["version"])
    nummer = store.conn.execute("SELECT nummer FROM motions WHERE id = %s", (motions[0],)).fetchone()[0]
    by_number, by_id = cli("--dsn", pg_uri, "related", nummer), cli("--dsn", pg_uri, "related", motions[0])
    assert by_number.returncode == 0 and by_number.stdout == by_id.stdout
    lines = by_number.stdout.splitlines()
    assert by_number.stdout.startswith(nummer) and len(lines) == 7  # the motion + 3, each with why
    assert all(line.strip().startswith("related because: ") for line in lines[2::2])
    missing = cli("--dsn", pg_uri, "related", "2099Z99999")
    assert missing.returncode == 1 and "no motion" in missing.stderr


def test_export_writes_the_published_version_once_and_says_so(store, pg_uri, motions, tmp_path):
    from motion_ops.publish import publish
    from motion_ops.similarity import compute_version
    from motion_ops.store.export_files import metadata_name
    from tests.plugins.motion_ops.csvw_validator import validate
    from tests.plugins.motion_ops.test_similarity import embed_all

    empty = cli("--dsn", pg_uri, "export", "--dir", str(tmp_path))
    assert empty.returncode == 1 and "no similarity version is published" in empty.stderr
    v = publish(store, compute_version(store, model=embed_all(store), top_n=3)["version"])["version"]
    first = cli("--dsn", pg_uri, "export", "--dir", str(tmp_path))
    assert first.returncode == 0 and f"exported version {v} to {tmp_path}: 40 motions" in first.stdout, first.stderr
    assert len(validate(tmp_path / metadata_name(v))) == 4
    again = cli("--dsn", pg_uri, "export", "--dir", str(tmp_path))
    assert again.returncode == 0 and "nothing written" in again.stdout


@pytest.mark.parametrize("args,needle", [
    (["release-quarantine", "not-a-uuid"], "is not a motion id"),
    (["audit", "--limit", "-5"], "must be 1 or more"),
    (["related", "x", "--limit", "0"], "must be 1 or more"),
])
def test_bad_cli_arguments_are_one_clear_line_not_a_traceback(pg_uri, store, args, needle):
    out = cli("--dsn", pg_uri, *args)
    assert out.returncode == 2 and needle in out.stderr and "Traceback" not in out.stderr


def test_a_database_error_is_one_line_without_the_password(tmp_path):
    out = cli("--dsn", "postgresql://motions:pa55w0rd-x@127.0.0.1:1/motions?connect_timeout=2", "status")
    assert out.returncode == 1 and out.stderr.startswith("error: ") and "Traceback" not in out.stderr
    assert "pa55w0rd-x" not in out.stderr


def test_parse_feed_refuses_a_file_larger_than_its_limit(tmp_path):
    big = tmp_path / "big.xml"
    big.write_bytes(b"<feed>" + b" " * 5000 + b"</feed>")
    out = cli("parse-feed", str(big), "--max-bytes", "1000")
    assert out.returncode == 1 and "larger than 1000 bytes" in out.stderr and "Traceback" not in out.stderr


def test_the_help_and_the_module_docstring_name_every_command_the_parser_has():
    import re

    from motion_ops import cli as cli_module

    commands = cli_module.commands()
    assert {"status", "migrate", "serve", "approvals", "prune-embeddings", "grant-reader"} <= set(commands)
    listed = cli_module.__doc__.split("\n\n")[1]  # the docstring's paragraph of commands
    assert sorted(re.findall(r"``([a-z][a-z-]*)``", listed)) == sorted(commands)
    out = cli("--help")
    assert out.returncode == 0
    for name, help_text in commands.items():  # each on its own line with its help, as the parser defines it
        assert re.search(rf"^ +{re.escape(name)}\s+{re.escape(help_text.split()[0])}", out.stdout, re.M), name
    description = out.stdout.split("\n\n")[1]
    assert description.replace("\n", " ") == cli_module.__doc__.split("\n\n")[0].replace("\n", " ")


def test_curated_adds_lists_and_removes_a_motion_by_number_and_refuses_bad_input_in_one_line(store, pg_uri, motions):
    store.conn.execute("UPDATE motions SET nummer = '2025Z00042' WHERE id = %s", (motions[0],))
    store.conn.commit()
    assert "no curated motions" in cli("--dsn", pg_uri, "curated", "list").stdout
    added = cli("--dsn", pg_uri, "curated", "add", "2025Z00042", "--note", "Het begin van het stikstofdebat")
    assert added.returncode == 0 and motions[0] in added.stdout
    listed = cli("--dsn", pg_uri, "curated", "list").stdout
    assert listed.startswith("2025Z00042") and "Het begin van het stikstofdebat" in listed
    for args, needle in ((["add", "2025Z00042"], "--note is required"), (["add", "2099Z1", "--note", "x"], "no live motion"),
                         (["add", "2025Z00042", "--note", "x" * 300], "at most 280"), (["remove"], "needs the motion")):
        out = cli("--dsn", pg_uri, "curated", *args)
        assert out.returncode == 1 and needle in out.stderr and "Traceback" not in out.stderr, args
    assert cli("--dsn", pg_uri, "curated", "remove", motions[0]).returncode == 0
    gone = cli("--dsn", pg_uri, "curated", "remove", motions[0])
    assert gone.returncode == 1 and "was not curated" in gone.stdout
