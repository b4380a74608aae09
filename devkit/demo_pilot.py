"""``make demo-pilot`` (``python -m devkit.local_airflow pilot``): the local Airflow of
:mod:`devkit.local_airflow` with the embedding stand-in as a paid model, so a person sees the
pilot of a new paid embedding model and answers its approval in the UI. Its own Airflow home
(``.airflow-pilot``) and databases (``airflow_pilot``, ``motions_pilot``); ``make stop`` ends it."""
from __future__ import annotations

import json
import os
import socket
import sys
import time
import urllib.request

from devkit.env import ROOT
from devkit.local_airflow import Deployment, _spawn, start

PILOT_MODEL = "priced-standin"  # the stand-in's model name; approvals call it openai:priced-standin+substance-v1


def pilot_connections(provider_port: int) -> dict[str, dict]:
    """``make demo-pilot``'s embedding connection: the stand-in provider as a paid OpenAI-compatible
    model (a price per 1,000 tokens), so the pilot and its approval are asked."""
    return {"motion_embeddings": {"conn_type": "motion_embeddings", "host": f"http://127.0.0.1:{provider_port}",
                                  "password": "sk-demo-pilot", "extra": {
                                      "provider": "openai", "model": PILOT_MODEL, "price_input_per_1k": 0.13}}}


def _rest(dep: Deployment, method: str, path: str, body: dict | None = None) -> dict:
    token = json.loads(urllib.request.urlopen(urllib.request.Request(
        f"{dep.url}/auth/token", data=json.dumps({"username": "admin", "password": dep.password()}).encode(),
        headers={"Content-Type": "application/json"}), timeout=30).read())["access_token"]
    req = urllib.request.Request(f"{dep.url}/api/v2{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")


def start_pilot(dep: Deployment, provider_port: int) -> str:
    """``make demo-pilot``: Airflow (``dep``, with :func:`pilot_connections`) and the priced
    stand-in provider; unpauses ``motion_enrichment`` (its scheduled catch-up run pilots the model
    and goes on without the paid step: the decision is pending) and triggers a run by hand, which
    pilots it and waits in Browse > Required Actions. Returns the manual run's id."""
    dep.connections = {**dep.connections, **pilot_connections(provider_port)}
    start(dep)
    _spawn(dep, "standin-provider", [sys.executable, "-m", "devkit.standin.provider", "--port", str(provider_port),
                                     "--model", PILOT_MODEL, "--dims", "256"])
    deadline = time.time() + 30
    while time.time() < deadline:  # the stand-in listens
        try:
            socket.create_connection(("127.0.0.1", provider_port), timeout=2).close()
            break
        except OSError:
            time.sleep(0.5)
    deadline = time.time() + 120
    while time.time() < deadline:  # the dag-processor's first parse
        try:
            _rest(dep, "GET", "/dags/motion_enrichment")
            break
        except OSError:
            time.sleep(2)
    _rest(dep, "PATCH", "/dags/motion_enrichment", {"is_paused": False})
    return _rest(dep, "POST", "/dags/motion_enrichment/dagRuns", {"logical_date": None, "conf": {"pilot_size": 5}})["dag_run_id"]


def run(dep: Deployment) -> int:
    """Start it on ``dep``'s ports and say what to look at."""
    dep.home, dep.metadata_db, dep.store_db = ROOT / ".airflow-pilot", "airflow_pilot", "motions_pilot"
    run_id = start_pilot(dep, provider_port=int(os.environ.get("PROVIDER_PORT", 8766)))
    print(f"Airflow is up: {dep.url}  (login: admin / {dep.password()}), with a priced embedding stand-in")
    print(f"  (openai:{PILOT_MODEL}, 0.13 per 1,000 tokens; its own store {dep.store_db} and metadata {dep.metadata_db}).")
    print("  motion_enrichment is unpaused: its scheduled catch-up run pilots the model and goes on without the paid")
    print("  step (approve_embeddings skipped: the decision is pending; the run's log and `approvals list` say so).")
    print(f"  Then your run {run_id} pilots it again and waits for you: Browse > Required Actions (or the run's")
    print("  approve_embeddings task): the estimate and the report's path; Approve embeds, Reject fails the run saying so.")
    print("  stop everything with: make stop")
    return 0
