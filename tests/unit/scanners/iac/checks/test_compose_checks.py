"""The built-in docker-compose checks (``checks/compose.yaml``) as users meet them: every
check's own examples, a whole insecure compose file and its hardened twin read by the real
parser with the exact findings per service, and the volume, capability and environment
shapes the checks must read correctly."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from lockgate.scanners.iac.checks import BUILTIN_DIR, Check, load_check_files
from lockgate.scanners.iac.engine import CheckEngine, Verdict
from lockgate.scanners.iac.parsers import compose
from lockgate.scanners.iac.resources import Resource
from tests.unit.scanners.iac.checks._support import failing_of

CHECK_FILE = BUILTIN_DIR / "compose.yaml"
CHECKS: dict[str, Check] = load_check_files([CHECK_FILE]).by_id()
ENGINE = CheckEngine(tuple(CHECKS.values()))
failing = partial(failing_of, ENGINE)
DIGEST = "sha256:" + "4f" * 32


def ids(*numbers: int) -> set[str]:
    return {f"LG-DC-{n:03d}" for n in numbers}


def service(data: dict[str, Any]) -> Resource:
    return Resource(
        kind="compose",
        type="compose_service",
        address="service/app",
        path="compose.yaml",
        start_line=1,
        end_line=1,
        data=data,
    )


def services(tmp_path: Path, name: str, text: str) -> dict[str, set[str]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = compose.parse(tmp_path, [name])
    assert not result.errors and not result.skipped
    return {r.address: failing(r) for r in result.resources}


# ------------------------------------------------------------------ the check file itself


def test_file_holds_10_checks_numbered_without_gaps() -> None:
    assert sorted(CHECKS) == [f"LG-DC-{n:03d}" for n in range(1, 11)]
    assert all(
        c.kind == "compose" and c.types == frozenset({"compose_service"}) for c in CHECKS.values()
    )


def test_every_check_documents_itself() -> None:
    titles = [c.title for c in CHECKS.values()]
    assert len(set(titles)) == len(titles), "two checks share a title"
    for check in CHECKS.values():
        assert len(check.description) > 80, check.id
        assert check.remediation and check.references, check.id
        assert all(r.startswith("https://") for r in check.references), check.id
        assert set(check.aliases) == {"checkov", "trivy"}, check.id


# ------------------------------------------------------------------ corpus: whole files

INSECURE = f"""\
x-defaults: &defaults
  restart: unless-stopped
  environment:
    LOG_LEVEL: info

services:
  proxy:
    <<: *defaults
    image: traefik
    network_mode: host
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
  monitor:
    image: gcr.io/cadvisor/cadvisor:latest
    privileged: true
    pid: host
    ipc: host
    volumes:
      - /:/rootfs:ro
      - /sys:/sys:ro
  db:
    image: postgres:16.4
    environment:
      - POSTGRES_USER=app
      - POSTGRES_PASSWORD=changeme
  fuse:
    image: registry.example.com/tools/fuse@{DIGEST}
    cap_add: [SYS_ADMIN]
    security_opt:
      - apparmor:unconfined
      - seccomp:unconfined
"""

HARDENED = f"""\
services:
  proxy:
    image: traefik:v3.1.2
    ports: ["443:443"]
    volumes:
      - ./traefik.yml:/etc/traefik/traefik.yml:ro
      - /etc/localtime:/etc/localtime:ro
    read_only: true
    security_opt: ["no-new-privileges:true"]
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
  app:
    build: .
    image: acme/app
    environment:
      DATABASE_PASSWORD_FILE: /run/secrets/db_password
      API_KEY: ${{API_KEY:?set API_KEY}}
    secrets: [db_password]
  db:
    image: postgres:16.4@{DIGEST}
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    volumes: ["pgdata:/var/lib/postgresql/data"]
    secrets: [db_password]
secrets:
  db_password:
    file: ./db_password.txt
volumes:
  pgdata: {{}}
"""


def test_insecure_compose_file_gives_the_exact_findings_per_service(tmp_path: Path) -> None:
    assert services(tmp_path, "docker-compose.yml", INSECURE) == {
        "service/proxy": ids(2, 3, 9),
        "service/monitor": ids(1, 4, 5, 8, 9),
        "service/db": ids(10),
        "service/fuse": ids(6, 7),
    }


def test_hardened_compose_file_passes_every_check(tmp_path: Path) -> None:
    assert services(tmp_path, "compose.yaml", HARDENED) == {
        "service/proxy": set(),
        "service/app": set(),
        "service/db": set(),
    }


# ------------------------------------------------------------------ shapes the checks must read


@pytest.mark.parametrize(
    ("volume", "expected"),
    [
        ("/run/docker.sock:/var/run/docker.sock", ids(2)),
        ("${DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock", ids(2)),
        (
            {"type": "bind", "source": "/run/containerd/containerd.sock", "target": "/c.sock"},
            ids(2),
        ),
        ({"type": "bind", "source": "/etc", "target": "/host/etc", "read_only": True}, ids(8)),
        ("/var/lib/docker:/var/lib/docker:ro", ids(8)),
        ("/etc/ssh:/etc/ssh:ro", ids(8)),
        ("/etc/localtime:/etc/localtime:ro", set()),
        ("/srv/app/config:/config", set()),
        ("logs:/var/log/app", set()),
        ({"type": "volume", "source": "data", "target": "/data"}, set()),
    ],
)
def test_volume_forms(volume: Any, expected: set[str]) -> None:
    found = failing(service({"image": f"app:1.0@{DIGEST}", "volumes": [volume]}))
    assert found == expected


@pytest.mark.parametrize(
    ("environment", "secret"),
    [
        ({"DB_PASSWORD": "changeme"}, True),
        ({"stripeApiKey": "sk_live_abc"}, True),
        ({"GITHUB_TOKEN": "${GITHUB_TOKEN}"}, False),
        ({"GITHUB_TOKEN": None}, False),
        ({"DB_PASSWORD": ""}, False),
        ({"DB_PASSWORD_FILE": "/run/secrets/db"}, False),
        ({"TOKENIZERS_PARALLELISM": "false"}, False),
    ],
)
def test_secret_environment_values(environment: dict[str, Any], secret: bool) -> None:
    found = failing(service({"image": f"app:1.0@{DIGEST}", "environment": environment}))
    assert ("LG-DC-010" in found) is secret


def test_list_form_environment_is_read_through_the_parser(tmp_path: Path) -> None:
    text = "services:\n  api:\n    image: api:1.0\n    environment:\n      - SECRET_KEY=abc123\n"
    assert "LG-DC-010" in services(tmp_path, "compose.yml", text)["service/api"]


@pytest.mark.parametrize(
    ("caps", "reported"),
    [(["sys_admin"], True), (["CAP_SYS_ADMIN"], True), (["ALL"], True), (["NET_ADMIN"], False)],
)
def test_capabilities(caps: list[str], reported: bool) -> None:
    found = failing(service({"image": f"app:1.0@{DIGEST}", "cap_add": caps}))
    assert ("LG-DC-006" in found) is reported


@pytest.mark.parametrize(
    ("image", "reported"),
    [
        ("nginx", True),
        ("nginx:latest", True),
        ("localhost:5000/nginx", True),
        ("localhost:5000/nginx:1.27", False),
        (f"nginx@{DIGEST}", False),
        ("${IMAGE:-nginx}", False),
    ],
)
def test_image_references(image: str, reported: bool) -> None:
    assert ("LG-DC-009" in failing(service({"image": image}))) is reported


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"volumes": "not-a-list", "cap_add": "SYS_ADMIN", "security_opt": None},
        {"environment": ["A=1"], "build": "."},
        {"volumes": [None, 3, {"source": 7}], "privileged": "yes"},
    ],
)
def test_unusual_shapes_never_make_a_check_error(data: dict[str, Any]) -> None:
    outcomes = ENGINE.evaluate(service(data))
    assert all(o.verdict in (Verdict.PASS, Verdict.FAIL) for o in outcomes), [
        (o.check.id, o.detail) for o in outcomes if o.verdict is Verdict.ERROR
    ]


def test_secret_values_never_appear_in_check_text() -> None:
    # a check is data users read; it must explain the finding without echoing a value
    for check in CHECKS.values():
        assert not re.search(r"changeme|hunter2", check.description + check.remediation)
