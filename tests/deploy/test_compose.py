"""Static checks of the multi-machine deployment (docker-compose.yaml, Dockerfile, .env.example);
`docker compose config` too when a Docker engine answers."""
import json
import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import FIXTURES, ROOT

COMPOSE = ROOT / "docker-compose.yaml"
AIRFLOW_SERVICES = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker", "airflow-init"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_the_compose_file_follows_the_compose_specification(compose):
    schema_path = FIXTURES / "compose-spec" / "compose-spec.json"  # the official schema, see its README
    import jsonschema

    jsonschema.validate(compose, json.loads(schema_path.read_text()))


def test_it_has_the_services_of_a_celery_deployment_with_separate_databases(compose):
    assert set(compose["services"]) == AIRFLOW_SERVICES | {"postgres", "motion-db", "redis", "motion-api"}
    assert compose["services"]["motion-db"]["image"].startswith("pgvector/pgvector")
    assert compose["services"]["postgres"]["environment"]["POSTGRES_DB"] == "airflow"
    for name, svc in compose["services"].items():
        if name != "airflow-init":
            assert "healthcheck" in svc, name


def test_airflow_services_share_the_common_block_and_mount_the_code(compose):
    for name in AIRFLOW_SERVICES:
        svc = compose["services"][name]
        env = svc["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert {"AIRFLOW_CONN_MOTION_DB", "AIRFLOW_CONN_MOTION_FEED", "AIRFLOW_CONN_MOTION_EMBEDDINGS"} <= set(env)
        targets = {v.rsplit(":", 1)[-1] for v in svc["volumes"]}
        assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/include"} <= targets, name
    assert "x-airflow-common" in compose and COMPOSE.read_text().count("<<: *airflow-common\n") == len(AIRFLOW_SERVICES)


def test_workers_can_be_scaled_and_init_migrates_both_databases_and_creates_the_pool(compose):
    worker = compose["services"]["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker
    init = "\n".join(compose["services"]["airflow-init"]["command"])
    assert "airflow db migrate" in init and "python -m motion_ops migrate" in init and "pools set embedding_provider" in init
    assert "pools set llm_provider" in init  # motion_summaries' summarize instances wait forever without it


def test_every_variable_the_compose_file_uses_is_documented_in_env_example():
    used = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)(?::?-[^}]*)?\}", COMPOSE.read_text()))  # $$ is a literal $
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert used and used <= documented, used - documented
    assert not (ROOT / ".env").exists() or ".env" in (ROOT / ".gitignore").read_text().split()


def test_the_image_is_pinned_to_airflow_3_3_2_and_installs_the_pinned_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.2\b", dockerfile, re.M)
    assert "requirements" in dockerfile and "constraints.txt" in dockerfile


def test_docker_compose_config_accepts_it_when_an_engine_is_present(tmp_path):
    if not shutil.which("docker") or subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        pytest.skip("no Docker engine on this machine")
    env = tmp_path / ".env"
    env.write_text((ROOT / ".env.example").read_text())
    out = subprocess.run(["docker", "compose", "--env-file", str(env), "-f", str(COMPOSE), "config", "--quiet"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_deployment_ships_the_product_and_not_the_dev_kit(compose):
    for name in AIRFLOW_SERVICES:
        mounted = {v.split(":")[0] for v in compose["services"][name]["volumes"]}
        assert not any("devkit" in m or "tests" in m for m in mounted), name
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "devkit" not in dockerfile and "pgserver" not in dockerfile
    import subprocess as sp
    product = sp.run(["grep", "-rl", "devkit", str(ROOT / "plugins"), str(ROOT / "dags"), "--include=*.py"],
                     capture_output=True, text=True).stdout
    assert product == "", product  # nothing the workers run imports the dev kit


def requirement_names(path) -> set[str]:
    """The packages a requirements file names itself (not through its ``-r`` includes)."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return {re.split(r"[\[=<>~!; ]", line)[0].lower() for line in lines if line and not line.startswith("-")}


def test_the_embedded_postgres_of_the_demo_and_tests_is_a_dev_requirement_not_a_runtime_one():
    assert "pgserver" not in requirement_names(ROOT / "requirements.txt")  # what the image installs
    assert "pgserver" in requirement_names(ROOT / "requirements-dev.txt")  # what make demo / make test install
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()
    # the benchmarks run on it too
    assert "-r requirements-dev.txt" in (ROOT / "requirements-bench.txt").read_text().splitlines()
    makefile = (ROOT / "Makefile").read_text()
    from devkit.install import REQUIREMENTS

    stamp = re.search(r"^\$\(STAMP\):.*?\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "$(BIN)/python -m devkit.install $(BIN)/python" in stamp and re.search(r"^demo: \$\(STAMP\)", makefile, re.M)
    assert REQUIREMENTS == ("-r", "requirements-dev.txt", "-c", "constraints.txt")


def test_the_read_api_is_a_scalable_service_with_its_own_read_only_login(compose):
    api = compose["services"]["motion-api"]
    assert api["command"][:4] == ["python", "-m", "motion_ops", "serve"] and "container_name" not in api
    assert api["environment"]["MOTION_API_DSN"].startswith("postgresql://${MOTION_API_DB_USER:-motion_api}:")
    assert "AIRFLOW_CONN_MOTION_DB" not in api["environment"]  # not the owner's login
    assert all(v.endswith(":ro") for v in api["volumes"]) and api["ports"][0].endswith("}:8000") and "}-${" in api["ports"][0]
    assert api["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    init = "\n".join(compose["services"]["airflow-init"]["command"])
    assert init.index("python -m motion_ops migrate") < init.index("python -m motion_ops grant-reader")
