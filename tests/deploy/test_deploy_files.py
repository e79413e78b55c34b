"""The deployment files agree with the code they run.

Nothing is built or started: docker-compose.yml, the Kubernetes manifests, the Dockerfile and
.dockerignore are parsed and compared with each service's settings class, console script and
command line. A misspelled environment variable, a wrong port or a missing subcommand fails here
instead of in a container that silently falls back to a default.
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import os
import re
import shlex
import tomllib
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer
import yaml
from pydantic import BaseModel
from pydantic_settings import BaseSettings

from allocation_api.service import SERVICE as ALLOCATION_SERVICE
from allocation_api.settings import Settings as AllocationSettings
from catalog_api.service import SERVICE as CATALOG_SERVICE
from catalog_api.settings import Settings as CatalogSettings
from notifier.service import SERVICE as NOTIFIER_SERVICE
from notifier.settings import Settings as NotifierSettings
from partnerfund_shared.settings import PeerSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
INIT_SQL = ROOT / "deploy" / "postgres" / "init-databases.sql"
K8S_DIR = ROOT / "deploy" / "k8s"
KUSTOMIZATION = K8S_DIR / "kustomization.yaml"
SECRET_TEMPLATE = K8S_DIR / "secrets.example.yaml"

# The image deploy/Dockerfile builds; compose tags it partnerfund:dev.
IMAGE = "partnerfund"
SUBCOMMANDS = {"migrate", "serve", "worker"}
# A container's API must listen beyond its own loopback to be reachable.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104


@dataclass(frozen=True)
class Service:
    """One service of the platform, as its own code defines it."""

    name: str
    package: str
    settings: type[BaseSettings]

    @property
    def prefix(self) -> str:
        return str(self.settings.model_config["env_prefix"])

    @property
    def port(self) -> int:
        return int(self.settings.model_fields["port"].default)

    @property
    def script(self) -> str:
        """The console script whose entry point lives in this service's package."""
        names = [
            name
            for name, entry in console_scripts().items()
            if entry.split(":")[0].split(".")[0] == self.package
        ]
        assert len(names) == 1, f"{self.package}: expected one console script, found {names}"
        return names[0]


SERVICES = (
    Service(ALLOCATION_SERVICE.name, "allocation_api", AllocationSettings),
    Service(CATALOG_SERVICE.name, "catalog_api", CatalogSettings),
    Service(NOTIFIER_SERVICE.name, "notifier", NotifierSettings),
)
SETTINGS_PREFIXES = tuple(service.prefix for service in SERVICES)


# --- Code side: console scripts, subcommands and settings fields -----------------------------


@cache
def console_scripts() -> dict[str, str]:
    """Map each console script of the workspace to its `module:attribute` entry point."""
    scripts: dict[str, str] = {}
    for pyproject in [ROOT / "shared" / "pyproject.toml", *sorted(ROOT.glob("services/*/pyproject.toml"))]:
        project = tomllib.loads(pyproject.read_text())["project"]
        scripts.update(project.get("scripts", {}))
    return scripts


@cache
def subcommands(script: str) -> frozenset[str]:
    module_name, attribute = console_scripts()[script].split(":")
    app = getattr(importlib.import_module(module_name), attribute)
    group = typer.main.get_command(app)
    return frozenset(group.commands)  # type: ignore[attr-defined]


def service_for_script(script: str) -> Service:
    matches = [service for service in SERVICES if service.script == script]
    assert matches, f"{script!r} is not the console script of any service"
    return matches[0]


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """Return the settings group a field contains (unwrapping `X | None`), or None for a value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            model = nested_model(argument)
            if model is not None:
                return model
    return None


def settings_field_error(name: str) -> str | None:
    """Return why `name` is not an environment variable a service reads, or None when it is.

    The name is the service's prefix plus a field path joined with the nested delimiter, as
    pydantic-settings reads it: `NOTIFIER_SMTP__HOST` is `Settings.smtp.host`.
    """
    service = next((s for s in SERVICES if name.startswith(s.prefix)), None)
    if service is None:
        return f"{name}: starts with none of the settings prefixes {SETTINGS_PREFIXES}"
    if name != name.upper():
        return f"{name}: write settings variables in upper case"
    delimiter = str(service.settings.model_config["env_nested_delimiter"])
    parts = name.removeprefix(service.prefix).lower().split(delimiter)
    model: type[BaseModel] | None = service.settings
    for depth, part in enumerate(parts):
        if model is None:
            parent = delimiter.join(parts[:depth])
            return f"{name}: {parent!r} is a value, not a settings group"
        field = model.model_fields.get(part)
        if field is None:
            return f"{name}: {model.__name__} has no field {part!r}"
        model = nested_model(field.annotation)
    return None


def load_settings(
    service: Service, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> BaseSettings:
    """Build the service's settings from exactly `environment`, as the container would."""
    for key in list(os.environ):
        if key.upper().startswith(SETTINGS_PREFIXES):
            monkeypatch.delenv(key)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return service.settings()


def peer_urls(settings: BaseSettings) -> dict[str, str]:
    """Return the base URL of every other service the settings point at, by field name."""
    return {
        name: getattr(settings, name).url
        for name, field in type(settings).model_fields.items()
        if nested_model(field.annotation) is PeerSettings
    }


def check_command(command: list[str], where: str) -> tuple[Service, str]:
    """Assert that `command` runs a service's console script with a known subcommand."""
    assert isinstance(command, list), f"{where}: write the command as a list, got {command!r}"
    assert len(command) >= 2, f"{where}: command {command} names no subcommand"
    script, subcommand = command[0], command[1]
    assert script in console_scripts(), f"{where}: {script!r} is not a console script"
    assert subcommand in SUBCOMMANDS, f"{where}: unexpected subcommand {subcommand!r}"
    assert subcommand in subcommands(script), f"{where}: {script} has no {subcommand!r} command"
    return service_for_script(script), subcommand


def test_settings_check_rejects_misspelled_names() -> None:
    assert settings_field_error("ALLOCATION_DATABASE__URL") is None
    assert settings_field_error("NOTIFIER_SMTP__HOST") is None
    assert settings_field_error("NOTIFIER_CATALOG__API_KEY") is None
    assert settings_field_error("CATALOG_CORS_ORIGINS") is None
    assert settings_field_error("ALLOCATION_DATABASE__URLL") is not None
    assert settings_field_error("ALLOCATION_DATABASE_URL") is not None
    assert settings_field_error("CATALOG_CATALOG__URL") is not None
    assert settings_field_error("NOTIFIER_PORT__NUMBER") is not None
    assert settings_field_error("NOTIFIER_smtp__host") is not None
    assert settings_field_error("ALLOCATIONS_HOST") is not None


def test_service_ports_are_distinct() -> None:
    assert sorted(service.port for service in SERVICES) == [8001, 8002, 8003]


# --- docker-compose.yml -------------------------------------------------------------------


def resolve_interpolation(value: str) -> str:
    """Return `value` as compose would pass it: `${X:-d}` becomes d, a required `${X}` a placeholder."""

    def replace(match: re.Match[str]) -> str:
        operator, argument = match.group(2), match.group(3)
        if operator in (":-", "-"):
            return argument
        return f"placeholder-{match.group(1).lower()}"

    resolved = re.sub(r"(?<!\$)\$\{(\w+)(?:(:?[-?])([^}]*))?\}", replace, value)
    return resolved.replace("$$", "$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def app_containers(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the compose services that run the platform's image."""
    return {
        name: spec
        for name, spec in compose["services"].items()
        if str(spec.get("image", "")).split(":")[0] == IMAGE
    }


def compose_environment(spec: dict[str, Any], where: str) -> dict[str, str]:
    environment = spec.get("environment", {})
    assert isinstance(environment, dict), f"{where}: write environment as a mapping"
    return {key: resolve_interpolation(str(value)) for key, value in environment.items()}


def compose_by_subcommand(compose: dict[str, Any], subcommand: str) -> dict[str, tuple[Service, dict]]:
    found = {}
    for name, spec in app_containers(compose).items():
        service, command = check_command(spec.get("command"), f"compose service {name}")
        if command == subcommand:
            found[name] = (service, spec)
    return found


def created_databases() -> set[str]:
    return set(re.findall(r"CREATE DATABASE (\w+)", INIT_SQL.read_text(), flags=re.IGNORECASE))


def test_compose_commands_cover_every_service(compose: dict[str, Any]) -> None:
    containers = app_containers(compose)
    assert containers, f"no compose service runs the {IMAGE} image"

    commands = set()
    for name, spec in containers.items():
        service, subcommand = check_command(spec.get("command"), f"compose service {name}")
        commands.add((service.name, subcommand))

    expected = {(service.name, "migrate") for service in SERVICES}
    expected |= {(service.name, "serve") for service in SERVICES}
    expected.add((NOTIFIER_SERVICE.name, "worker"))
    assert commands == expected


def test_compose_environment_names_are_settings_fields(compose: dict[str, Any]) -> None:
    for name, spec in app_containers(compose).items():
        service, _ = check_command(spec["command"], f"compose service {name}")
        for key in compose_environment(spec, name):
            assert key.startswith(service.prefix), f"{name} runs {service.name} but sets {key}"
            assert settings_field_error(key) is None, f"{name}: {settings_field_error(key)}"


def test_compose_environment_loads_settings(compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    serving = compose_by_subcommand(compose, "serve")
    databases = created_databases()
    database_by_service: dict[str, str] = {}

    for name, spec in app_containers(compose).items():
        service, subcommand = check_command(spec["command"], f"compose service {name}")
        environment = compose_environment(spec, name)
        assert f"{service.prefix}DATABASE__URL" in environment, f"{name} gets no database URL"

        settings = load_settings(service, environment, monkeypatch)
        url = urlsplit(settings.database.url)  # type: ignore[attr-defined]
        assert url.scheme == "postgresql+asyncpg", f"{name}: database URL {url.geturl()}"
        assert url.hostname in compose["services"], f"{name}: no compose service {url.hostname}"
        database = url.path.lstrip("/")
        assert database in databases, f"{name}: database {database} is not created by {INIT_SQL.name}"
        assert database_by_service.setdefault(service.name, database) == database, name
        if subcommand == "serve":
            assert settings.host == ALL_INTERFACES, f"{name} binds {settings.host}"  # type: ignore[attr-defined]

        for field, peer_url in peer_urls(settings).items():
            peer = urlsplit(peer_url)
            assert peer.hostname in serving, f"{name}: {field} URL {peer_url} names no API service"
            peer_service, _ = serving[peer.hostname]
            assert peer.port == peer_service.port, f"{name}: {field} URL {peer_url}"

    assert len(set(database_by_service.values())) == len(SERVICES), database_by_service


def test_compose_secrets_come_from_env_file(compose: dict[str, Any]) -> None:
    for name, spec in app_containers(compose).items():
        for key, value in spec.get("environment", {}).items():
            if key.endswith(("API_KEY", "PASSWORD")):
                assert re.fullmatch(r"\$\{\w+(:?\?[^}]*)?\}", str(value)), f"{name}: {key} is hard-coded"


def test_compose_apis_publish_settings_ports(compose: dict[str, Any]) -> None:
    serving = compose_by_subcommand(compose, "serve")
    migrations = compose_by_subcommand(compose, "migrate")
    assert sorted(name for name in serving) == sorted(service.name for service in SERVICES)

    for name, (service, spec) in serving.items():
        assert name == service.name, f"compose service {name} runs {service.name}"

        published = [str(port).rsplit(":", 2)[-2:] for port in spec.get("ports", [])]
        assert [str(service.port), str(service.port)] in published, f"{name} publishes {published}"

        probe = " ".join(spec["healthcheck"]["test"])
        assert f":{service.port}/readyz" in probe, f"{name}: health check {probe}"

        migration = [m for m, (s, _) in migrations.items() if s == service]
        assert len(migration) == 1, f"{name}: expected one migration service, found {migration}"
        assert migration[0] == f"{service.name}-migrate"
        condition = spec["depends_on"][migration[0]]["condition"]
        assert condition == "service_completed_successfully", f"{name} waits for {condition}"


def test_compose_migrations_wait_for_postgres(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "healthcheck" in postgres
    mounts = [volume.split(":") for volume in postgres["volumes"]]
    init_mounts = [m for m in mounts if m[1].startswith("/docker-entrypoint-initdb.d/")]
    assert len(init_mounts) == 1, mounts
    assert (ROOT / init_mounts[0][0]).resolve() == INIT_SQL
    assert created_databases() == {"allocation", "catalog", "notifier"}

    for name, (_, spec) in compose_by_subcommand(compose, "migrate").items():
        condition = spec["depends_on"]["postgres"]["condition"]
        assert condition == "service_healthy", f"{name} waits for postgres to be {condition}"


def test_compose_runs_two_workers_on_mailpit(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    workers = compose_by_subcommand(compose, "worker")
    replicas = sum(spec.get("deploy", {}).get("replicas", 1) for _, spec in workers.values())
    assert replicas == 2

    mailpit = compose["services"]["mailpit"]
    assert mailpit["image"].startswith("axllent/mailpit")
    for name, (service, spec) in workers.items():
        condition = spec["depends_on"][f"{service.name}-migrate"]["condition"]
        assert condition == "service_completed_successfully", f"{name} waits for {condition}"

        settings = load_settings(service, compose_environment(spec, name), monkeypatch)
        assert settings.smtp.host == "mailpit", name  # type: ignore[attr-defined]
        assert settings.smtp.port == 1025, name  # type: ignore[attr-defined]
        grace = parse_duration(spec["stop_grace_period"])
        assert grace > settings.worker.lease_seconds, f"{name}: stop_grace_period {grace} s"  # type: ignore[attr-defined]


def parse_duration(value: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return sum(float(amount) * units[unit] for amount, unit in re.findall(r"(\d+(?:\.\d+)?)([smh])", value))


# --- Kubernetes manifests -------------------------------------------------------------------


def load_documents(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


@pytest.fixture(scope="module")
def kustomization() -> dict[str, Any]:
    return yaml.safe_load(KUSTOMIZATION.read_text())


@pytest.fixture(scope="module")
def manifests(kustomization: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        document for resource in kustomization["resources"] for document in load_documents(K8S_DIR / resource)
    ]


@pytest.fixture(scope="module")
def secret_templates() -> dict[str, dict[str, str]]:
    return {secret["metadata"]["name"]: secret["stringData"] for secret in load_documents(SECRET_TEMPLATE)}


def of_kind(manifests: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def pod_containers(manifests: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Yield (workload name, pod spec, container) for every Deployment and Job."""
    for manifest in manifests:
        if manifest["kind"] in ("Deployment", "Job"):
            pod = manifest["spec"]["template"]["spec"]
            for container in pod["containers"]:
                yield manifest["metadata"]["name"], pod, container


def container_command(container: dict[str, Any]) -> list[str]:
    return [*container.get("command", []), *container.get("args", [])]


def container_environment(
    container: dict[str, Any],
    manifests: list[dict[str, Any]],
    secret_templates: dict[str, dict[str, str]],
    where: str,
) -> dict[str, str]:
    """Merge what a container gets from ConfigMaps, Secrets and `env`, as the kubelet would."""
    config_maps = of_kind(manifests, "ConfigMap")
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            assert name in config_maps, f"{where}: ConfigMap {name} is not in the kustomization"
            environment.update(config_maps[name]["data"])
        else:
            name = source["secretRef"]["name"]
            assert name in secret_templates, f"{where}: Secret {name} is not in {SECRET_TEMPLATE.name}"
            environment.update(secret_templates[name])
    for variable in container.get("env", []):
        environment[variable["name"]] = str(variable.get("value", "placeholder"))
    return environment


def check_non_root(pod: dict[str, Any], container: dict[str, Any], where: str) -> None:
    context = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    assert context.get("runAsNonRoot") is True, f"{where}: runAsNonRoot is not set"
    assert context.get("runAsUser", 0) != 0, f"{where}: runs as user 0"
    assert context.get("allowPrivilegeEscalation") is False, f"{where}: may escalate privileges"


def test_kustomization_lists_every_manifest(kustomization: dict[str, Any]) -> None:
    on_disk = {path.name for path in K8S_DIR.glob("*.yaml")} - {KUSTOMIZATION.name, SECRET_TEMPLATE.name}
    assert set(kustomization["resources"]) == on_disk
    assert [image["name"] for image in kustomization["images"]] == [IMAGE]


def test_k8s_commands_are_console_scripts(manifests: list[dict[str, Any]]) -> None:
    commands = set()
    for workload, _, container in pod_containers(manifests):
        assert container["image"] == IMAGE, f"{workload}: image {container['image']}"
        service, subcommand = check_command(container_command(container), f"k8s {workload}")
        commands.add((service.name, subcommand))

    expected = {(service.name, "migrate") for service in SERVICES}
    expected |= {(service.name, "serve") for service in SERVICES}
    expected.add((NOTIFIER_SERVICE.name, "worker"))
    assert commands == expected


def test_k8s_environment_names_are_settings_fields(
    manifests: list[dict[str, Any]], secret_templates: dict[str, dict[str, str]]
) -> None:
    for name, config_map in of_kind(manifests, "ConfigMap").items():
        for key in config_map["data"]:
            assert settings_field_error(key) is None, f"ConfigMap {name}: {settings_field_error(key)}"

    services_by_secret = {f"{service.name}-secrets": service for service in SERVICES}
    for name, data in secret_templates.items():
        assert name in services_by_secret, f"Secret {name} belongs to no service"
        for key in data:
            assert key.startswith(services_by_secret[name].prefix), f"Secret {name} holds {key}"
            assert settings_field_error(key) is None, f"Secret {name}: {settings_field_error(key)}"

    for workload, _, container in pod_containers(manifests):
        for variable in container.get("env", []):
            key = variable["name"]
            assert settings_field_error(key) is None, f"{workload}: {settings_field_error(key)}"


def test_k8s_environment_loads_settings(
    manifests: list[dict[str, Any]],
    secret_templates: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = of_kind(manifests, "Service")
    database_by_service: dict[str, str] = {}

    for workload, _, container in pod_containers(manifests):
        service, subcommand = check_command(container_command(container), f"k8s {workload}")
        environment = container_environment(container, manifests, secret_templates, workload)
        assert f"{service.prefix}DATABASE__URL" in environment, f"{workload} gets no database URL"

        settings = load_settings(service, environment, monkeypatch)
        url = urlsplit(settings.database.url)  # type: ignore[attr-defined]
        assert url.scheme == "postgresql+asyncpg", f"{workload}: database URL {url.geturl()}"
        database = url.path.lstrip("/")
        assert database_by_service.setdefault(service.name, database) == database, workload
        if subcommand == "serve":
            assert settings.host == ALL_INTERFACES, f"{workload} binds {settings.host}"  # type: ignore[attr-defined]

        for field, peer_url in peer_urls(settings).items():
            peer = urlsplit(peer_url)
            assert peer.hostname in services, f"{workload}: {field} URL {peer_url} names no Service"
            service_ports = [port["port"] for port in services[peer.hostname]["spec"]["ports"]]
            assert peer.port in service_ports, f"{workload}: {field} URL {peer_url}"

    assert len(set(database_by_service.values())) == len(SERVICES), database_by_service


def test_k8s_api_deployments_and_services(manifests: list[dict[str, Any]]) -> None:
    deployments = of_kind(manifests, "Deployment")
    services = of_kind(manifests, "Service")

    for service in SERVICES:
        where = f"Deployment {service.name}"
        assert service.name in deployments, f"{where} is missing"
        spec = deployments[service.name]["spec"]
        pod = spec["template"]["spec"]
        (container,) = pod["containers"]
        assert spec["replicas"] == 2, where
        assert container_command(container)[:2] == [service.script, "serve"], where
        check_non_root(pod, container, where)

        (port,) = container["ports"]
        assert port["containerPort"] == service.port, where
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", where
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", where
        for probe in ("livenessProbe", "readinessProbe"):
            assert container[probe]["httpGet"]["port"] in (port["name"], port["containerPort"]), where
        for bound in ("requests", "limits"):
            assert set(container["resources"][bound]) >= {"cpu", "memory"}, f"{where}: {bound}"

        assert service.name in services, f"Service {service.name} is missing"
        service_spec = services[service.name]["spec"]
        pod_labels = spec["template"]["metadata"]["labels"]
        assert service_spec["selector"].items() <= pod_labels.items(), f"Service {service.name} selector"
        (service_port,) = service_spec["ports"]
        assert service_port["port"] == service.port, f"Service {service.name}"
        assert service_port["targetPort"] in (port["name"], port["containerPort"]), f"Service {service.name}"


def test_k8s_migration_job_per_service(manifests: list[dict[str, Any]]) -> None:
    jobs = of_kind(manifests, "Job")
    assert set(jobs) == {f"{service.name}-migrate" for service in SERVICES}

    for service in SERVICES:
        where = f"Job {service.name}-migrate"
        pod = jobs[f"{service.name}-migrate"]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container_command(container) == [service.script, "migrate"], where
        assert pod["restartPolicy"] in ("Never", "OnFailure"), where
        check_non_root(pod, container, where)


def test_k8s_workers_get_time_to_finish(
    manifests: list[dict[str, Any]],
    secret_templates: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workers = [
        deployment
        for deployment in of_kind(manifests, "Deployment").values()
        if container_command(deployment["spec"]["template"]["spec"]["containers"][0])[1:2] == ["worker"]
    ]
    assert len(workers) == 1
    spec = workers[0]["spec"]
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    assert spec["replicas"] == 2
    check_non_root(pod, container, "notifier worker")

    environment = container_environment(container, manifests, secret_templates, "notifier worker")
    settings = load_settings(service_for_script(container_command(container)[0]), environment, monkeypatch)
    grace = pod["terminationGracePeriodSeconds"]
    assert grace > settings.worker.lease_seconds  # type: ignore[attr-defined]
    assert grace > settings.smtp.timeout_seconds  # type: ignore[attr-defined]


def test_secret_template_contains_placeholders(secret_templates: dict[str, dict[str, str]]) -> None:
    for name, data in secret_templates.items():
        for key, value in data.items():
            assert re.search(r"<[^>]+>", value), f"Secret {name}: {key} looks like a real value"


# --- Dockerfile and .dockerignore -----------------------------------------------------------


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """Split the Dockerfile into stages of (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((instruction.upper(), arguments.strip()))
    return stages


def stage_name(stage: list[tuple[str, str]]) -> str | None:
    words = stage[0][1].split()
    return words[2] if len(words) == 3 and words[1].upper() == "AS" else None


def test_dockerfile_builder_runs_locked_uv_sync() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2, "the Dockerfile is not multi-stage"
    builder, runtime = stages[0], stages[-1]

    builder_runs = [arguments for instruction, arguments in builder if instruction == "RUN"]
    assert any(re.search(r"pip install .*\buv\b", run) for run in builder_runs), builder_runs
    syncs = [shlex.split(run) for run in builder_runs if "uv sync" in run]
    assert syncs, "the builder stage never runs uv sync"
    for sync in syncs:
        assert "--locked" in sync, sync
        assert "--no-dev" in sync, sync

    copies = [arguments for instruction, arguments in runtime if instruction == "COPY"]
    assert any(f"--from={stage_name(builder)} /app/.venv" in copy for copy in copies), copies
    runtime_runs = " ".join(arguments for instruction, arguments in runtime if instruction == "RUN")
    assert "uv sync" not in runtime_runs


def test_dockerfile_runtime_is_non_root_and_serves() -> None:
    runtime = dockerfile_stages()[-1]

    users = [arguments for instruction, arguments in runtime if instruction == "USER"]
    assert users, "the runtime stage sets no USER"
    assert users[-1].split(":")[0] not in ("root", "0"), users[-1]

    environment = " ".join(arguments for instruction, arguments in runtime if instruction == "ENV")
    assert re.search(r'PATH="?/app/\.venv/bin:', environment), environment

    commands = [arguments for instruction, arguments in runtime if instruction == "CMD"]
    command = json.loads(commands[-1])
    _, subcommand = check_command(command, "Dockerfile CMD")
    assert subcommand == "serve"
    assert command[2:] == ["--host", ALL_INTERFACES], command


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Return whether `patterns` exclude `path`: the last pattern matching it or a parent wins."""
    parts = path.split("/")
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if pattern.startswith("**/"):
            prefixes += ["/".join(parts[i:]) for i in range(len(parts))]
            pattern = pattern.removeprefix("**/")
        if any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            excluded = not negated
    return excluded


def test_dockerignore_keeps_only_what_the_image_copies() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = []
    for stage in dockerfile_stages():
        for instruction, arguments in stage:
            if instruction == "COPY" and not arguments.startswith("--from"):
                sources += [word for word in arguments.split()[:-1] if not word.startswith("--")]

    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such path"
        assert not dockerignore_excludes(source, patterns), f"COPY {source} is excluded by .dockerignore"
        if (ROOT / source).is_dir():
            sample = next((ROOT / source).rglob("*.py")).relative_to(ROOT).as_posix()
            assert not dockerignore_excludes(sample, patterns), f"{sample} is excluded by .dockerignore"

    for path in (".venv", ".git", "var", "tests", "shared/src/partnerfund_shared/__pycache__"):
        assert dockerignore_excludes(path, patterns), f".dockerignore lets {path} into the build"
