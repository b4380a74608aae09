"""``make demo``: one complete ``motion_enrichment`` run on embedded defaults, a
``motion_summaries`` run beside it once the texts are in (the extractive summarizer: no model
runs offline), then a report.

Starts (or reuses) the embedded Postgres in ``.pgdata``, serves the 638 real motions of
``devkit/data`` (Tweede Kamer open data, CC0) with the stand-in on 127.0.0.1 over the SyncFeed
protocol (:class:`~devkit.standin.real.RealCorpus`), runs ``airflow dags test motion_enrichment``
and, as soon as its ``sync_content`` has stored the texts, ``airflow dags test motion_summaries``
beside it (as the scheduler starts it on the Asset ``motion_texts`` while the embedding goes on), with the connections pointed at both, stops what it
started, and prints what the runs did, read back from the store: real motions with their related
motions, an amended motion with its earlier version, and a search answer. ``--generated`` serves
the generated sample corpus instead (labelled as generated wherever it is shown).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import psycopg

from devkit import pgembedded
from devkit.env import airflow_env, connection_env, socket_dir
from devkit.standin.corpus import Corpus
from devkit.standin.real import RealCorpus
from devkit.standin.server import StandinServer
from motion_ops.numerics.relatedness import reason
from motion_ops.reports.qa import report_stem
from motion_ops.store.db import Store

SQL = Path(__file__).resolve().parent / "sql"  # the queries of the demo's report


def _q(store: Store, name: str, params: dict[str, Any] | None = None, *, one: bool = True) -> Any:
    """Run one of the demo's own queries (``devkit/sql/<name>.sql``)."""
    with store.transaction() as cur:
        cur.execute((SQL / f"{name}.sql").read_text(encoding="utf-8"), params or {})
        rows = cur.fetchall()
    return (rows[0] if rows else None) if one else rows


def run_demo(root: Path, *, feed_port: int = 0, generated: bool = False) -> tuple[int, str]:
    """Run the demo on the real motions (``generated``: on the generated sample corpus); returns
    (exit code, what to show the user)."""
    root = root.resolve()
    datadir = root / ".pgdata"
    started_pg = not (datadir / "postmaster.pid").exists()
    uri = pgembedded.ensure(datadir)
    store = Store(uri)
    t0 = _q(store, "select_db_now")["now"]  # the DAG's first task, migrate_store, creates the tables
    # generated: with amended motions, a party merge, a dossier only in the externeidentifier
    corpus = Corpus(cases=True) if generated else RealCorpus()
    server = StandinServer(corpus, port=feed_port).start()
    log_path = root / ".airflow" / "demo-last-run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # the stand-in is this process on loopback: no polite interval between requests (the real API's
        # 0.05 s would add a minute for the 638 motions' 1,276 body requests)
        connections = connection_env(pg_socket_dir=socket_dir(uri), feed_url=server.url,
                                     feed_extra={"min_request_interval": 0})
        env = airflow_env(home=root / ".airflow", root=root, overrides=connections)
        env.pop("AIRFLOW_CONN_MOTION_LLM", None)  # the embedded default: the extractive summarizer
        started = time.perf_counter()
        code, failed, failed_log = run_both(airflow_test("motion_enrichment"), airflow_test("motion_summaries"),
                                            env=env, cwd=root, logs=(log_path, summaries_log(log_path)),
                                            texts_ready=lambda: texts_synced(store, t0))
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    try:
        if code != 0:
            tail = "".join(failed_log.read_text().splitlines(keepends=True)[-40:])
            return 1, f"{failed[-1]} FAILED (exit {code}); the last lines of {failed_log}:\n{tail}"
        return 0, report(store, t0=t0, feed_url=server.url, corpus=corpus, elapsed=elapsed, log_path=log_path,
                         embeddings=json.loads(connections["AIRFLOW_CONN_MOTION_EMBEDDINGS"]))
    finally:
        store.close()
        if started_pg:
            pgembedded.stop(datadir)


def airflow_test(dag_id: str) -> list[str]:
    """``airflow dags test <dag_id>`` in this interpreter."""
    return [sys.executable, "-m", "airflow", "dags", "test", dag_id]


def summaries_log(log_path: Path) -> Path:
    """The log of the summaries run, beside the enrichment run's."""
    return log_path.with_name(log_path.stem + "-summaries" + log_path.suffix)


def texts_synced(store: Store, since: Any) -> bool:
    """Whether motion_enrichment's ``sync_content`` has ended since ``since`` (its line in
    ``run_metrics`` is its last write): the motion texts are in the store, and ``announce_texts``,
    which only emits the Asset event that schedules motion_summaries, runs next."""
    try:
        return _q(store, "count_task_metrics_since", {"dag_id": "motion_enrichment", "task_id": "sync_content",
                                                      "since": since})["n"] > 0
    except psycopg.errors.UndefinedTable:  # migrate_store has not created run_metrics yet
        return False


def run_both(enrichment: list[str], summaries: list[str], *, env: dict[str, str], cwd: Path, logs: tuple[Path, Path],
             texts_ready: Callable[[], bool], poll: float = 0.5) -> tuple[int, list[str], Path]:
    """Run ``enrichment``, and ``summaries`` beside it as soon as ``texts_ready()``, as Airflow's
    scheduler starts motion_summaries on the Asset while the enrichment goes on embedding; if that
    never happens, after ``enrichment`` succeeded. The summaries run gets a copy of the migrated
    SQLite metadata database: SQLite takes one writer at a time. Each writes its own log (``logs``).

    :returns: (exit code, the command that failed (else the last), its log).
    """
    home = Path(env["AIRFLOW_HOME"])
    metadata = home / "airflow-summaries.db"
    shutil.copyfile(home / "airflow.db", metadata)
    summaries_env = {**env, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{metadata}"}
    with open(logs[0], "w") as log0, open(logs[1], "w") as log1:
        first = subprocess.Popen(enrichment, env=env, stdout=log0, stderr=subprocess.STDOUT, cwd=cwd)
        second = None
        try:
            while first.poll() is None and second is None:
                if texts_ready():
                    second = subprocess.Popen(summaries, env=summaries_env, stdout=log1, stderr=subprocess.STDOUT, cwd=cwd)
                else:
                    time.sleep(poll)
            if first.wait() != 0:
                if second is not None:
                    second.wait()
                return first.returncode, enrichment, logs[0]
            if second is None:
                second = subprocess.Popen(summaries, env=summaries_env, stdout=log1, stderr=subprocess.STDOUT, cwd=cwd)
            return second.wait(), summaries, logs[1]
        finally:
            for proc in (first, second):
                if proc is not None and proc.poll() is None:  # interrupted: nothing left running
                    proc.terminate()
                    proc.wait()


SEARCH_QUERY = "minder koeien houden voor het klimaat"
# The read API's search modes the report shows, in order: hybrid (the page's default) first.
SEARCH_MODES = ("hybrid", "text", "semantic")
HOW = {"hybrid": "words and meaning, fused by rank", "text": "Dutch full text", "semantic": "by meaning"}


def _provider(definition: dict[str, Any]) -> Any:
    """The embedding provider config of a connection definition (``{"conn_type", "host", "extra"...}``)."""
    from types import SimpleNamespace

    from motion_ops.clients.providers import ProviderConfig

    conn = SimpleNamespace(host=definition.get("host"), port=definition.get("port"), schema=definition.get("schema"),
                           login=definition.get("login"), password=definition.get("password"),
                           conn_type=definition.get("conn_type"), extra_dejson=definition.get("extra") or {})
    return ProviderConfig.from_connection(conn)


def _label(row: dict[str, Any]) -> str:
    return "  [GENERATED sample, not Tweede Kamer data]" if row.get("generated") else ""


def search_answer(store: Store, query: str, config: Any, *, modes: tuple[str, ...] = SEARCH_MODES,
                  limit: int = 5) -> list[str]:
    """The report's search answer: ``query`` through the read API's own search (``reads.search``),
    in each of ``modes``; a semantic query is embedded as the read API embeds it (its
    :class:`~motion_ops.serve.query_embedding.QueryEmbedder`, the published version's model)."""
    from motion_ops.serve import reads
    from motion_ops.serve.query_embedding import QueryEmbedder

    out = [f'  search "{query}" (the read API\'s search, first {limit} of each mode):']
    for mode in modes:
        semantic, how = None, HOW[mode]
        if mode in ("semantic", "hybrid"):
            embedder = QueryEmbedder(config)
            try:
                current = store.fetch_one("api_version", {"version": None})
                model = embedder.check(store, current["model"] if current else None)
                semantic, how = (model, embedder.vector(model, query)), f"{how}, model {model}"
            except reads.Unavailable as exc:
                out.append(f"    {mode:<9} not available: {exc}")
                continue
        rows = reads.search(store, q=query, mode=mode, filters=reads.Filters(), limit=limit, offset=0, semantic=semantic)
        reads.mark_generated(store, rows)
        out.append(f"    {mode:<9} ({how}): {len(rows) if rows else 'no'} result{'s' if len(rows) != 1 else ''}")
        for i, r in enumerate(rows, start=1):
            found = f"  (found by {r['found_by']})" if mode == "hybrid" and r.get("found_by") else ""
            out.append(f"        {i}. {r['title']}  [dossier {r['dossier']}]{found}{_label(r)}")
    return out


def report(store: Store, *, t0: Any, feed_url: str, corpus: Any, elapsed: float, log_path: Path,
           embeddings: dict[str, Any] | None = None) -> str:
    """What the run did, read back from the store (anything generated labelled as such)."""
    from motion_ops.clients.providers import model_name
    from motion_ops.serve import reads

    config = _provider(embeddings or {"conn_type": "motion_embeddings", "extra": {}})  # the default model
    model = model_name(config)
    s = store.fetch_one("select_status")
    changed = _q(store, "count_changed_since", {"since": t0})["n"]
    bodies = _q(store, "count_bodies_since", {"since": t0})["n"]
    embedded = _q(store, "count_embedded_since", {"model": model, "since": t0})["n"]
    total_vectors = _q(store, "count_embeddings", {"model": model})["n"]
    failed = store.fetch("select_recent_audit", {"action": "embedding_failed", "since": t0, "limit": 50})
    version = _q(store, "select_latest_version")
    rows = _q(store, "count_version_rows", {"version": version["version"]})["rows"] if version else 0
    qa = _q(store, "select_qa_report_since", {"since": t0})
    current = store.fetch_one("select_current_version")
    kind = "real" if not corpus.generated else "generated"
    source = (f"{len(corpus.motions)} real motions of the Tweede Kamer (devkit/data, open data CC0)" if kind == "real"
              else f"{len(corpus.motions)} GENERATED sample motions (made up by devkit/standin, not Tweede Kamer data)")
    out = [f"motion-ops demo: one run of motion_enrichment and one of motion_summaries in {elapsed:.0f}s "
           f"(airflow logs: {log_path}, {summaries_log(log_path).name})",
           f"  feed        stand-in SyncFeed at {feed_url}: {source}, {len(corpus.log)} feed entries",
           f"  motions     {s['live']} live, {s['deleted']} deleted; {changed} raw entities new or changed this run",
           f"  bodies      {bodies} fetched this run; {s['with_text']} motions have text, {s['without_text']} not yet published",
           f"  embedded    {embedded} this run with {model}"
           + ("" if embedded else f" (nothing re-embedded: all {total_vectors} vectors are current)"),
           f"  failed ids  {', '.join(r['target'] for r in failed) if failed else 'none'}"]
    if version:
        out.append(f"  similarity  version {version['version']} ({version['motion_count']} motions), {rows} neighbour rows written, "
                   f"status {version['status']}")
    if qa:
        failed_checks = [c["name"] for c in qa["metrics"]["checks"] if not c["passed"]]
        out.append(f"  QA          {'PASSED' if qa['passed'] else 'FAILED: ' + ', '.join(failed_checks)} "
                   f"({qa['metrics']['sample_size']} motions sampled); report: "
                   f"{log_path.parent / 'qa_reports' / (report_stem(qa['run_id'], qa['version'], qa['try_number']) + '.html')}")
    out.append(f"  readers see version {current['version'] if current else 'none'} (view motion_related)")
    out.append("  what each task said:")
    for t in sorted(_q(store, "select_last_run_summaries", one=False), key=lambda t: t["recorded_at"]):
        if t["map_index"] <= 0:  # one line per task (the first batch stands for the others)
            out.append(f"    {t['dag_id'].replace('motion_', '')[:10]:<10} {t['task_id']:<19} {t['summary']}")
    samples = _q(store, "select_demo_samples", {"n": 3}, one=False)
    related = {m["id"]: [{**r, "id": r["neighbour_id"]} for r in store.fetch("select_related", {"id": m["id"], "limit": 3})]
               for m in samples}
    reads.mark_generated(store, samples, *related.values())
    dossiers = {r["dossier"] for rs in related.values() for r in rs} | {m["dossier"] for m in samples}
    out.append(f"  three {kind} motions and their top-3 related motions ({len(dossiers)} dossiers among them):")
    for m in samples:
        out.append(f"    * {m['title']}  [dossier {m['dossier']}]{_label(m)}")
        for r in related[m["id"]]:
            out.append(f"        {r['rank']}. {r['score']:.3f}  {r['title']}  [dossier {r['dossier']}]{_label(r)}")
    amended = corpus.cases.get("amended_tvv")
    row = store.fetch_one("select_motion_by_key", {"key": amended}) if amended else None
    if row is None:  # the real motions (or a store filled by an older stand-in): a motion with an earlier version
        found = _q(store, "select_demo_amended")
        amended = found["id"] if found else None
        row = store.fetch_one("select_motion_by_key", {"key": amended}) if amended else None
    if row is not None:
        reads.mark_generated(store, [row])
        out.append("  one amended motion, its related motions and why, and its earlier version:")
        out.append(f"    * {row['nummer']}  {row['title']}  [dossier {row['dossier']}]{_label(row)}")
        neighbours = [{**r, "id": r["neighbour_id"]} for r in store.fetch("select_related", {"id": amended, "limit": 5})]
        earlier = [{**e, "id": e["earlier_id"]} for e in store.fetch("select_earlier_versions", {"id": amended})]
        reads.mark_generated(store, neighbours, earlier)
        for r in neighbours:
            out.append(f"        {r['rank']}. {r['score']:.3f}  {r['title']}  [dossier {r['dossier']}]{_label(r)}")
            out.append(f"           related because: {reason(r, r['min_common_parties'])}")
        for e in earlier:
            out.append(f"        earlier version: {e['nummer']}  {e['title']}  ({e['started_on']}; linked by {e['signal']})"
                       f"{_label(e)}")
    out += search_answer(store, SEARCH_QUERY, config)
    out += summary_lines(store, amended)
    out.append("  readers: `make serve`, then open http://127.0.0.1:8000/ (explore page, in Dutch) and /docs (the read API:")
    out.append("    /api/motions?q=..., /api/motions/<id>/related, /api/versions); `make airflow` mounts the same app at")
    out.append("    /motion-ops/ with a \"Related motions\" link in the Airflow navigation")
    out.append("  where to look: the QA report above (HTML); `make status` (counts, the last runs side by side);")
    out.append("    `make airflow` for the UI (DAG motion_enrichment, its QA report link on qa_sample);")
    out.append(f"    `{related_command(row['nummer'] if row is not None and row['nummer'] else '<nummer>')}` for one motion's "
               "related motions (from any shell in this folder)")
    return "\n".join(out)


def related_command(nummer: str) -> str:
    """The command that shows a motion's related motions in the demo's store from a fresh shell
    (the Makefile sets the venv, ``PYTHONPATH`` and the store; the demo has stopped its Postgres)."""
    return f"make related ID={nummer}"


def summary_lines(store: Store, motion_id: str | None) -> list[str]:
    """One motion's plain-language summary, its requests and its provenance."""
    from motion_ops.llm.extractive import LABEL

    sm = store.fetch_one("select_summary_status")
    out = [f"  summaries   {sm['published']} published ({', '.join(f'{n} {k}' for k, n in sm['by_status'].items()) or 'none'}); "
           f"{sm['quarantined']} quarantined"]
    row = _q(store, "select_demo_summary", {"id": motion_id})
    if row is None:
        return out
    from motion_ops.serve import reads

    row = {**row, "id": row["motion_id"]}
    reads.mark_generated(store, [row])
    out.append(f"  one motion's summary ({LABEL if row['status'] == 'extractive' else row['status']}):")
    out.append(f"    * {row['nummer']}  {row['title']}{_label(row)}")
    out.append(f"        {row['summary_nl']}")
    for r in row["requests"]:
        out.append(f"        request {r['clause']} (to: {r['addressee']}): {r['ask'][:140]}")
    out.append(f"        topics {', '.join(row['topics']) or '-'} (inferred: {', '.join(row['inferred']) or '-'})")
    out.append(f"        provenance: {row['backend']} / {row['model']}, prompt {row['prompt_version']}, schema "
               f"{row['schema_version']}, {row['attempts']} model request(s), tokens {row['input_tokens']}/"
               f"{row['output_tokens']}, {row['latency_ms']} ms; set a motion_llm connection for a model's summaries")
    return out
