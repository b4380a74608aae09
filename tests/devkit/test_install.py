"""``make venv``'s install: uv with pip's own configuration, and pip, as before, whenever uv cannot."""
import os
import subprocess
import sys

import pytest

from devkit.install import PROJECT, REQUIREMENTS, UV, install, parse_pip_config, uv_settings

# ``pip config list`` on a machine configured like this one and CI's (files and PIP_* variables)
MACHINE = """\
:env:.cert='/etc/ssl/certs/ca-certificates.crt'
:env:.default-timeout='180'
:env:.disable-pip-version-check='1'
:env:.find-links='/opt/wheels'
global.cert='/etc/ssl/certs/ca-certificates.crt'
global.constraint='/etc/xdg/pip/constraints.txt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/opt/wheels'
"""
PYTHON = "/somewhere/.venv/bin/python"


class Recorder:
    """Records each command; a command of ``tool`` ("uv": uv's install or uv's own, "pip": pip's)
    containing ``fail`` exits 1."""

    def __init__(self, fail: str | None = None, tool: str = "uv"):
        self.fail, self.tool, self.commands = fail, tool, []

    def __call__(self, cmd, env) -> int:
        self.commands.append(list(cmd))
        of_uv = cmd[0].endswith("/uv") or UV in cmd
        return 1 if self.fail and self.fail in " ".join(cmd) and of_uv == (self.tool == "uv") else 0


def test_pips_own_indexes_links_constraints_and_certificate_reach_uv():
    options, env = uv_settings(parse_pip_config(MACHINE))
    pairs = list(zip(options[::2], options[1::2]))
    assert ("--index-strategy", "unsafe-best-match") in pairs  # any index's best version, as pip does
    assert ("--find-links", "/opt/wheels") in pairs and ("--constraint", "/etc/xdg/pip/constraints.txt") in pairs
    assert [v for k, v in pairs if k == "--extra-index-url"] == ["file:///opt/pypi/simple", "file:///opt/pypi-more/simple"]
    assert env == {"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt", "UV_HTTP_TIMEOUT": "180"}


def test_the_environment_wins_over_the_install_section_and_that_over_global_as_in_pip():
    config = parse_pip_config("global.index-url='http://a/simple'\ninstall.index-url='http://b/simple'\n"
                              "global.no-index='false'\n:env:.no-index='1'\nglobal.trusted-host='a b'\n")
    assert config == {"index-url": "http://b/simple", "no-index": "1", "trusted-host": "a b"}
    options, _ = uv_settings(config)
    assert options[2:] == ["--index-url", "http://b/simple", "--no-index", "--allow-insecure-host", "a",
                           "--allow-insecure-host", "b"]


def test_the_real_pip_config_list_is_read_with_its_files_and_variables(tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = http://127.0.0.1:9/simple\n[install]\nfind-links =\n    /a\n    /b\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update({"PIP_CONFIG_FILE": str(conf), "PIP_TRUSTED_HOST": "127.0.0.1"})
    listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], env=env, capture_output=True, text=True)
    config = parse_pip_config(listed.stdout)
    assert config["index-url"] == "http://127.0.0.1:9/simple" and config["trusted-host"] == "127.0.0.1"
    assert config["find-links"].split() == ["/a", "/b"]


def test_uv_installs_the_pinned_requirements_and_the_project_outside_the_projects_environment():
    run = Recorder()
    assert install(PYTHON, run, pip_config=MACHINE) == 0
    first, *uv = run.commands
    assert first == [PYTHON, "-m", "pip", "install", "-q", "--upgrade", "--target", "/somewhere/.venv/uv", UV]
    assert [c[0] for c in uv] == ["/somewhere/.venv/uv/bin/uv"] * 3
    assert [c[-len(REQUIREMENTS):] for c in uv][1] == list(REQUIREMENTS) and uv[2][-3:] == list(PROJECT)
    assert all(c[1:6] == ["pip", "install", "--quiet", "--python", PYTHON] for c in uv)
    assert not [c for c in run.commands if c[:4] == [PYTHON, "-m", "pip", "install"] and "-r" in c]


@pytest.mark.parametrize("fail", ["uv==", "requirements-dev.txt", "--no-deps"])
def test_any_failing_uv_step_falls_back_to_the_pip_install_as_it_always_was(fail, capsys):
    run = Recorder(fail=fail)
    assert install(PYTHON, run, pip_config=MACHINE) == 0
    pip = [c for c in run.commands if c[:4] == [PYTHON, "-m", "pip", "install"] and "--target" not in c]
    assert pip == [[PYTHON, "-m", "pip", "install", "-q", "--upgrade", "pip"],
                   [PYTHON, "-m", "pip", "install", "-q", *REQUIREMENTS], [PYTHON, "-m", "pip", "install", "-q", *PROJECT]]
    assert run.commands[-3:] == pip and "installing with pip" in capsys.readouterr().err


def test_a_pip_setting_uv_cannot_take_makes_pip_install_everything():
    run = Recorder()
    assert install(PYTHON, run, pip_config=MACHINE + "global.use-feature='truststore'\n") == 0
    assert run.commands == [[PYTHON, "-m", "pip", "install", "-q", *a] for a in (("--upgrade", "pip"), REQUIREMENTS, PROJECT)]


def test_a_failing_pip_install_fails_make(monkeypatch):
    monkeypatch.setenv("MOTION_OPS_INSTALLER", "pip")  # pip only: uv is not tried
    run = Recorder(fail="requirements-dev.txt", tool="pip")
    assert install(PYTHON, run, pip_config=MACHINE) == 1
    assert run.commands == [[PYTHON, "-m", "pip", "install", "-q", *a] for a in (("--upgrade", "pip"), REQUIREMENTS)]


def test_the_commands_it_prints_carry_no_index_credentials(capsys):
    from devkit.install import _run

    assert _run([sys.executable, "-c", "pass", "--extra-index-url", "https://ci:s3cr3t-token@pypi.example/simple"], {}) == 0
    printed = capsys.readouterr().out
    assert "s3cr3t-token" not in printed and "https://***@pypi.example/simple" in printed
