"""Static checks of the scale-out deployment (docker-compose.yaml, Dockerfile, .env.example).

There is no Docker engine here, so the file is checked against what the project actually reads:
the services of the official Airflow 3 Celery stack with health checks, CHUFEI_DATA_DIR on one
volume shared by every Airflow container, the chufei_warehouse connection pointing at its own
PostgreSQL database, the project's code in the image, and every ${VAR} defined in .env.example.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
AIRFLOW_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker",
                    "airflow-triggerer")
REQUIRED_SERVICES = ("postgres", "redis", *AIRFLOW_SERVICES, "airflow-init")
# Containers that run tasks or parse DAG files, so need the project's code, data and warehouse.
TASK_SERVICES = ("airflow-scheduler", "airflow-dag-processor", "airflow-worker", "airflow-triggerer")
_VAR = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def _env_example() -> dict[str, str]:
    values = {}
    for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def _interpolate(text: str, env: dict[str, str]) -> str:
    """What `docker compose` does with ${VAR} and ${VAR:-default}; `$$` stays a literal `$`."""
    return _VAR.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), text)


@pytest.fixture(scope="module")
def raw() -> str:
    return (REPO / "docker-compose.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(raw) -> dict:
    return yaml.safe_load(_interpolate(raw, _env_example()))


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (REPO / "Dockerfile").read_text(encoding="utf-8")


def _env(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def _mounts(service: dict) -> dict[str, str]:
    """container path → source (named volume or host path)."""
    result = {}
    for volume in service.get("volumes") or []:
        source, target = volume.split(":")[:2]
        result[target] = source
    return result


def test_compose_parses_with_one_shared_airflow_block(raw, compose):
    assert "x-airflow-common:" in raw
    assert "&airflow-common" in raw
    for name in AIRFLOW_SERVICES + ("airflow-init",):
        assert f"{name}:\n    <<: *airflow-common" in raw, f"{name} does not extend x-airflow-common"
    assert set(REQUIRED_SERVICES) <= set(compose["services"]), \
        f"missing services: {sorted(set(REQUIRED_SERVICES) - set(compose['services']))}"


def test_long_running_services_have_health_checks(compose):
    for name, service in compose["services"].items():
        if name in ("airflow-init", "airflow-cli"):
            continue
        check = service.get("healthcheck")
        assert check, f"service {name} has no health check"
        assert check.get("test"), f"service {name} has no health check"
    for name in AIRFLOW_SERVICES:
        conditions = compose["services"][name]["depends_on"]
        assert conditions["airflow-init"]["condition"] == "service_completed_successfully", name
        assert conditions["postgres"]["condition"] == "service_healthy", name
        assert conditions["redis"]["condition"] == "service_healthy", name
    assert compose["services"]["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"


def test_celery_executor_with_redis_broker_and_postgres_metadata(compose):
    services = compose["services"]
    for name in AIRFLOW_SERVICES:
        env = _env(services[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert urlsplit(env["AIRFLOW__CELERY__BROKER_URL"]).hostname == "redis"
        metadata = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        assert metadata.scheme.startswith("postgresql")
        assert metadata.hostname == "postgres"
        assert metadata.path.lstrip("/") == services["postgres"]["environment"]["POSTGRES_DB"]
        # Airflow turns a psycopg URL into an asyncpg one for its async engine unless told otherwise.
        assert env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC") == env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-apiserver:8080/")
    assert "celery worker" in str(services["airflow-worker"]["command"])
    # The warehouse is created or upgraded (Alembic) before any service that runs tasks starts.
    assert "python -m chufei.warehouse.upgrade" in str(services["airflow-init"]["command"])
    # Scalable: `docker compose up --scale airflow-worker=N` fails with a fixed name or host port.
    assert "container_name" not in services["airflow-worker"]
    assert "ports" not in services["airflow-worker"]


def test_secrets_come_from_env_file(raw):
    for key in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY",
                "POSTGRES_PASSWORD"):
        for value in re.findall(rf"^\s*{key}:\s*(.+)$", raw, flags=re.M):
            assert re.fullmatch(r"\$\{\w+\}", value.strip()), f"{key} is not taken from .env: {value}"
    for password in re.findall(r"://[^:@/\s]+:([^@\s]+)@", raw):
        assert password == "" or re.fullmatch(r"\$\{\w+\}", password), f"literal password in a URL: {password}"
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in raw
    ignored = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", ".env"])
    assert ignored.returncode == 0, ".env must be git-ignored"


def test_every_variable_has_a_value_in_env_example(raw):
    env = _env_example()
    used = {match.group(1) for match in _VAR.finditer(raw)}
    missing = sorted(name for name in used if not env.get(name))
    assert not missing, f"used in docker-compose.yaml but without a value in .env.example: {missing}"
    assert "${" not in _interpolate(raw, env).replace("$${", "")


def test_data_directory_is_one_volume_shared_by_every_airflow_container(compose):
    services = compose["services"]
    sources = set()
    for name in AIRFLOW_SERVICES + ("airflow-init",):
        env = _env(services[name])
        data_dir = env.get("CHUFEI_DATA_DIR")
        assert data_dir, f"{name} has no absolute CHUFEI_DATA_DIR"
        assert data_dir.startswith("/"), f"{name} has no absolute CHUFEI_DATA_DIR"
        mounts = _mounts(services[name])
        assert data_dir in mounts, f"{name}: CHUFEI_DATA_DIR {data_dir} is not on a volume"
        sources.add((data_dir, mounts[data_dir]))
    assert len(sources) == 1, f"containers see different data directories: {sources}"
    (_, volume), = sources
    assert volume in (compose.get("volumes") or {}), f"{volume} is not a named volume shared by all"


def test_warehouse_connection_is_a_separate_postgres_database(compose, monkeypatch):
    from chufei.core.settings import warehouse_url

    services = compose["services"]
    urls = set()
    for name in TASK_SERVICES + ("airflow-init",):
        env = _env(services[name])
        monkeypatch.setenv("AIRFLOW_CONN_CHUFEI_WAREHOUSE", env["AIRFLOW_CONN_CHUFEI_WAREHOUSE"])
        urls.add(warehouse_url())
    assert len(urls) == 1, f"services disagree on the warehouse: {urls}"
    url = urlsplit(urls.pop())
    assert url.scheme == "postgresql+psycopg"
    assert url.hostname in services, f"warehouse host {url.hostname} is not a compose service"
    server = services[url.hostname]["environment"]
    assert (url.username, url.password, url.path.lstrip("/")) == (
        server["POSTGRES_USER"], server["POSTGRES_PASSWORD"], server["POSTGRES_DB"])
    metadata = urlsplit(_env(services["airflow-scheduler"])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert (url.hostname, url.path) != (metadata.hostname, metadata.path), "warehouse shares Airflow's database"
    assert "healthcheck" in services[url.hostname]
    assert services["airflow-init"]["depends_on"][url.hostname]["condition"] == "service_healthy"


def test_image_is_built_from_the_pinned_requirements(compose, dockerfile):
    base = re.search(r"^FROM\s+apache/airflow:(\S+)-python(\d+\.\d+)\s*$", dockerfile, flags=re.M)
    assert base, "Dockerfile must start FROM apache/airflow:<version>-python<x.y>"
    pinned = re.search(r"^apache-airflow(?:\[[^]]*\])?==(\S+)$",
                       (REPO / "requirements.txt").read_text(encoding="utf-8"), flags=re.M).group(1)
    assert base.group(1) == pinned, f"image {base.group(1)} but requirements pin apache-airflow {pinned}"
    assert base.group(2) == "3.11"
    assert re.search(r"^COPY .*requirements\.txt.*constraints\.txt", dockerfile, flags=re.M)
    assert re.search(r"^RUN pip install .*-r \S*requirements\.txt", dockerfile, flags=re.M)
    for name in AIRFLOW_SERVICES:
        assert compose["services"][name].get("build") in (".", {"context": "."}), f"{name} is not built here"


def _provided(container_path: str, service: dict, dockerfile: str) -> bool:
    """A project folder is in the container when it is mounted there or copied by the Dockerfile."""
    folder = Path(container_path).name
    for target, source in _mounts(service).items():
        if target == container_path and source.rstrip("/").endswith(folder):
            return True
    return bool(re.search(rf"^COPY\s+(--\S+\s+)*{folder}/?\s+{re.escape(container_path)}/?\s*$", dockerfile, flags=re.M))


def test_dags_plugins_and_include_reach_every_task_container(compose, dockerfile):
    for name in TASK_SERVICES:
        service = compose["services"][name]
        env = _env(service)
        dags, plugins = env["AIRFLOW__CORE__DAGS_FOLDER"], env["AIRFLOW__CORE__PLUGINS_FOLDER"]
        # chufei.core.settings finds include/ next to plugins/ (REPO_ROOT = plugins/chufei/../..).
        include = str(Path(plugins).parent / "include")
        for path in (dags, plugins, include):
            assert _provided(path, service, dockerfile), f"{name}: nothing puts {path} in the container"
        assert plugins in env.get("PYTHONPATH", "").split(":"), f"{name}: chufei is not importable"
    for folder in ("dags", "plugins", "include"):
        assert (REPO / folder).is_dir()
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert not {"dags", "plugins", "include", "requirements.txt", "constraints.txt"} & set(ignored)


def test_containers_configure_airflow_as_the_embedded_default_does(compose):
    """The same project runs unchanged: the settings `make` exports for Airflow hold in the stack too."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    settings = dict(re.findall(r"^export ((?:AIRFLOW__CORE__(?:LOAD_EXAMPLES|DEFAULT_TIMEZONE))|GX_ANALYTICS_ENABLED)"
                               r"\s*:?=\s*(\S+)\s*$", makefile, flags=re.M))
    assert len(settings) == 3, settings
    for name in TASK_SERVICES + ("airflow-apiserver",):
        env = _env(compose["services"][name])
        for key, value in settings.items():
            assert env.get(key, "").lower() == value.lower(), f"{name}: {key}={env.get(key)!r}, make uses {value}"
