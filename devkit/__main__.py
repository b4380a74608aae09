"""``python -m devkit demo | airflow-db``: the Makefile's entry points (``make demo``, the test set-up)."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from devkit.env import ROOT, airflow_env


def migrate_airflow_db(home: Path) -> int:
    """Migrate the (SQLite) metadata database of ``airflow dags test`` and the tests, once."""
    marker = home / ".migrated"
    if marker.exists():
        return 0
    home.mkdir(parents=True, exist_ok=True)
    log = home / "db-migrate.log"
    with open(log, "w") as out:
        code = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=airflow_env(home=home),
                              stdout=out, stderr=subprocess.STDOUT).returncode
    if code:
        print("".join(log.read_text().splitlines(keepends=True)[-20:]), file=sys.stderr)
        return code
    marker.touch()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m devkit", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="one full DAG run on embedded defaults, with a report")
    p.add_argument("--feed-port", type=int, default=0)
    p.add_argument("--generated", action="store_true",
                   help="serve the generated sample corpus instead of the 638 real motions (labelled as generated)")
    sub.add_parser("airflow-db", help="migrate the local Airflow metadata database (.airflow/)")
    args = ap.parse_args(argv)
    if args.command == "airflow-db":
        return migrate_airflow_db(ROOT / ".airflow")
    from devkit.demo import run_demo

    code = migrate_airflow_db(ROOT / ".airflow")
    if code:
        return code
    code, text = run_demo(ROOT, feed_port=args.feed_port, generated=args.generated)
    print(text)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
