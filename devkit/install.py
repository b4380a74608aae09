"""``make venv`` (and so ``make demo`` / ``make test``): the pinned requirements into ``.venv``,
with uv when it can, else with pip exactly as before.

uv (:data:`UV`) installs the same pinned set (``requirements-dev.txt`` under ``constraints.txt``)
an order of magnitude faster than pip resolves Airflow's tree. It is given pip's own
configuration, as ``python -m pip config list`` reports it (the config files and the ``PIP_*``
variables: index-url, extra-index-url, find-links, constraint, no-index, trusted-host, cert,
timeout, proxy), and looks for a version on every index as pip does. uv itself is installed by
pip (same configuration) into ``.venv/uv/``, outside the project's environment. Whatever goes wrong
with uv (not on the index, a pip setting it cannot take, a failed install), pip installs
everything, as it always did: ``make`` never breaks because of uv. ``MOTION_OPS_INSTALLER=pip``
skips uv. Runs on the standard library only (nothing is installed yet).
"""
from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Callable, Sequence

from motion_ops.clients.redact import redact  # the standard library only, as this module

ROOT = Path(__file__).resolve().parents[1]
UV = "uv==0.13.9"
REQUIREMENTS = ("-r", "requirements-dev.txt", "-c", "constraints.txt")
PROJECT = ("--no-deps", "-e", ".")  # registers the connection types (entry point); the code stays in plugins/

#: pip settings uv is given as options (each value of a list once)
AS_OPTIONS = {"index-url": "--index-url", "extra-index-url": "--extra-index-url", "find-links": "--find-links",
              "constraint": "--constraint", "trusted-host": "--allow-insecure-host"}
#: pip settings uv takes from its environment
AS_ENV = {"cert": "SSL_CERT_FILE", "timeout": "UV_HTTP_TIMEOUT", "default-timeout": "UV_HTTP_TIMEOUT",
          "proxy": "HTTPS_PROXY", "client-cert": "SSL_CLIENT_CERT"}
#: pip settings that change nothing uv installs
IRRELEVANT = {"disable-pip-version-check", "no-cache-dir", "cache-dir", "progress-bar", "quiet", "verbose",
              "no-input", "root-user-action", "require-virtualenv", "no-color", "retries", "break-system-packages",
              "no-python-version-warning", "format", "no-warn-script-location", "prefer-binary", "config-file"}
_LINE = re.compile(r"^(?P<section>[^.]*)\.(?P<key>[^=]+)=(?P<value>.*)$")
# pip's precedence: [global] < [install] < PIP_* variables (``:env:``)
_RANK = {"global": 0, "install": 1, ":env:": 2}

Runner = Callable[[Sequence[str], dict[str, str]], int]


class Unsupported(Exception):
    """A pip setting uv cannot be given: pip installs instead."""


def parse_pip_config(text: str) -> dict[str, str]:
    """The settings of ``pip config list`` that an install uses, by key, the way pip ranks them."""
    found: dict[str, tuple[int, str]] = {}
    for line in text.splitlines():
        m = _LINE.match(line.strip())
        if not m or m["section"] not in _RANK:
            continue
        value = m["value"].strip()
        try:  # pip prints each value as a Python literal ('\n/a\n/b' for a list of two lines)
            value = str(ast.literal_eval(value))
        except (ValueError, SyntaxError):
            pass
        rank = _RANK[m["section"]]
        if m["key"] not in found or rank >= found[m["key"]][0]:
            found[m["key"]] = (rank, value)
    return {key: value for key, (_, value) in found.items()}


def _true(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def uv_settings(config: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """pip's settings as uv's options and environment (both resolve across all indexes).

    :raises Unsupported: a setting that would change what is installed and has no uv equivalent.
    """
    options = ["--index-strategy", "unsafe-best-match"]  # pip's way: the best version on any index
    env: dict[str, str] = {}
    for key, value in config.items():
        if key in AS_OPTIONS:
            for item in value.split():
                options += [AS_OPTIONS[key], item]
        elif key in AS_ENV:
            env[AS_ENV[key]] = value.strip()
        elif key == "no-index":
            if _true(value):
                options.append("--no-index")
        elif key not in IRRELEVANT:
            raise Unsupported(f"pip setting {key!r} has no uv equivalent")
    return options, env


def _run(cmd: Sequence[str], env: dict[str, str]) -> int:
    print("+ " + redact(shlex.join(cmd)), flush=True)  # an index URL may carry user:token@
    return subprocess.run(list(cmd), env=env, cwd=ROOT).returncode


def with_pip(python: str, run: Runner = _run) -> int:
    """The install as it always was: pip upgraded, the requirements, the project."""
    env = dict(os.environ)
    for args in (("--upgrade", "pip"), REQUIREMENTS, PROJECT):
        code = run([python, "-m", "pip", "install", "-q", *args], env)
        if code:
            return code
    return 0


def with_uv(python: str, run: Runner = _run, *, pip_config: str | None = None) -> int:
    """The same install with uv (installed by pip into ``<venv>/uv``); non-zero when any step fails."""
    venv = Path(python).parent.parent
    if pip_config is None:
        listed = subprocess.run([python, "-m", "pip", "config", "list"], capture_output=True, text=True)
        if listed.returncode:
            raise Unsupported(f"pip config list failed: {redact(listed.stderr.strip()[-300:])}")
        pip_config = listed.stdout
    options, uv_env = uv_settings(parse_pip_config(pip_config))
    env = {**os.environ, **{k: v for k, v in uv_env.items() if k not in os.environ}, "VIRTUAL_ENV": str(venv)}
    tool = venv / "uv"
    code = run([python, "-m", "pip", "install", "-q", "--upgrade", "--target", str(tool), UV], dict(os.environ))
    if code:
        return code
    uv = [str(tool / "bin" / "uv"), "pip", "install", "--quiet", "--python", python, *options]
    for args in (("--upgrade", "pip"), REQUIREMENTS, PROJECT):
        code = run([*uv, *args], env)
        if code:
            return code
    return 0


def install(python: str, run: Runner = _run, *, pip_config: str | None = None) -> int:
    """uv, and pip if uv could not do it (or ``MOTION_OPS_INSTALLER=pip``). Returns the exit code."""
    if os.environ.get("MOTION_OPS_INSTALLER", "").strip().lower() != "pip":
        try:
            code = with_uv(python, run, pip_config=pip_config)
            if code == 0:
                return 0
            reason = f"exit code {code}"
        except (Unsupported, OSError) as exc:
            reason = str(exc)
        print(f"installing with uv did not work ({reason}): installing with pip", file=sys.stderr, flush=True)
    return with_pip(python, run)


if __name__ == "__main__":
    raise SystemExit(install(sys.argv[1] if len(sys.argv) > 1 else sys.executable))
