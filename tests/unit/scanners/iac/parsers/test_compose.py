"""docker-compose services as checks see them: one resource per service, exact lines."""

from __future__ import annotations

from pathlib import Path

from lockgate.model import ErrorKind, SkipReason
from lockgate.scanners.iac.parsers import compose

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "iac" / "compose"


def test_v3_file_with_anchors_extension_fields_and_merge_keys() -> None:
    result = compose.parse(FIXTURES, ["docker-compose.yml"])
    assert result.errors == () and result.skipped == ()
    by_address = {r.address: r for r in result.resources}
    assert list(by_address) == ["service/web", "service/agent", "service/worker"]
    web = by_address["service/web"]
    assert (web.kind, web.type, web.path) == ("compose", "compose_service", "docker-compose.yml")
    assert (web.start_line, web.end_line) == (12, 23)
    # merged in from x-defaults through <<: *defaults, list environment normalised
    assert web.data["restart"] == "unless-stopped"
    assert web.data["environment"] == {"LOG_LEVEL": "info", "EMPTY": None}
    assert web.data["volumes"] == [
        "./site:/usr/share/nginx/html:ro",
        {"type": "bind", "source": "/var/run/docker.sock", "target": "/var/run/docker.sock"},
    ]
    assert web.data["ports"] == ["8080:80", {"target": 443, "published": 8443}]


def test_map_environment_values_become_strings_and_host_settings_are_kept() -> None:
    (agent,) = [
        r
        for r in compose.parse(FIXTURES, ["docker-compose.yml"]).resources
        if r.address == "service/agent"
    ]
    assert agent.data["environment"] == {
        "DEBUG": "true",
        "WORKERS": "4",
        "API_TOKEN": "${API_TOKEN}",
        "UNSET": None,
    }
    assert agent.data["privileged"] is True
    assert (agent.data["pid"], agent.data["network_mode"]) == ("host", "host")
    assert agent.data["cap_add"] == ["SYS_ADMIN"]
    assert (agent.start_line, agent.end_line) == (26, 38)
    assert [(s.check_id, s.reason) for s in agent.suppressions] == [
        ("LG-DC-001", "the agent needs the host's processes")
    ]


def test_a_service_without_settings_is_an_empty_map() -> None:
    resources = compose.parse(FIXTURES, ["docker-compose.yml"]).resources
    worker = resources[-1]
    assert (worker.address, worker.data, worker.start_line) == ("service/worker", {}, 40)
    assert resources[0].suppressions == ()


def test_compose_specification_without_version() -> None:
    result = compose.parse(FIXTURES, ["compose.yaml"])
    api, db = result.resources
    assert api.data["environment"] == {
        "DATABASE_URL": "postgres://app@db/app",
        "FEATURE_X": None,
    }
    assert api.data["build"] == {"context": ".", "args": ["PY=3.12"]}
    assert (api.start_line, api.end_line) == (4, 10)
    assert (db.start_line, db.end_line) == (11, 14)


def test_version_1_is_skipped_and_broken_yaml_is_located_while_others_go_on() -> None:
    result = compose.parse(
        FIXTURES, ["docker-compose.v1.yml", "docker-compose.broken.yml", "compose.yaml"]
    )
    assert [r.address for r in result.resources] == ["service/api", "service/db"]
    (skip,) = result.skipped
    assert (skip.path, skip.reason) == ("docker-compose.v1.yml", SkipReason.UNSUPPORTED)
    assert "version 1" in skip.detail
    (error,) = result.errors
    assert (error.kind, error.path, error.fatal) == (
        ErrorKind.INPUT,
        "docker-compose.broken.yml",
        False,
    )
    assert error.line in (4, 5)


def test_bad_shapes_are_located_errors(tmp_path: Path) -> None:
    (tmp_path / "compose.yml").write_text("services:\n  web: nginx\n  db:\n    image: pg\n")
    (tmp_path / "compose.list.yml").write_text("- services\n")
    (tmp_path / "compose.services.yml").write_text("services: [web]\n")
    (tmp_path / "compose.empty.yml").write_text("# nothing\n")
    result = compose.parse(
        tmp_path,
        ["compose.yml", "compose.list.yml", "compose.services.yml", "compose.empty.yml"],
    )
    assert [r.address for r in result.resources] == ["service/db"]
    assert [(e.path, e.line) for e in result.errors] == [
        ("compose.yml", 2),
        ("compose.list.yml", 1),
        ("compose.services.yml", 1),
    ]
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("compose.empty.yml", SkipReason.NOT_APPLICABLE)
    ]


def test_alias_bomb_is_refused_with_a_located_error(tmp_path: Path) -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for index in range(1, 9):
        previous = chr(ord("a") + index - 1)
        name = chr(ord("a") + index)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    lines.append("services:\n  web:\n    image: nginx\n    labels: *i")
    (tmp_path / "compose.yml").write_text("\n".join(lines) + "\n")
    result = compose.parse(tmp_path, ["compose.yml"])
    assert result.resources == ()
    (error,) = result.errors
    assert error.path == "compose.yml" and error.line is not None


def test_environment_map_shapes() -> None:
    assert compose.environment_map(["A=1=2", "B", "C="]) == {"A": "1=2", "B": None, "C": ""}
    assert compose.environment_map({"X": 1.5, "Y": False}) == {"X": "1.5", "Y": "false"}
    assert compose.environment_map("${ENV_FILE}") == "${ENV_FILE}"
