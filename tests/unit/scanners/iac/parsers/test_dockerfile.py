"""Dockerfiles as checks see them: stages, instructions, exact lines, located errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from lockgate.model import ErrorKind, SkipReason
from lockgate.scanners.iac.parsers import dockerfile
from lockgate.scanners.iac.resources import MAX_DOCUMENT_BYTES, Resource
from tests.conftest import shared_dataset

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "iac" / "dockerfile"


def one(text: str, path: str = "Dockerfile") -> Resource:
    return dockerfile.parse_text(text, path)


def by_instruction(resource: Resource, keyword: str) -> list[dict[str, Any]]:
    return [i for i in resource.data["instructions"] if i["instruction"] == keyword]


def test_multistage_fixture_stages_bases_and_global_args() -> None:
    result = dockerfile.parse(FIXTURES, ["multistage/Dockerfile"])
    assert result.errors == ()
    (resource,) = result.resources
    assert (resource.kind, resource.type, resource.address) == (
        "dockerfile",
        "Dockerfile",
        "multistage/Dockerfile",
    )
    stages = resource.data["stages"]
    assert [s["name"] for s in stages] == ["builder", "tests", None]
    builder, tests, final = stages
    # ARG defaults chain into FROM: BASE=python:${PY}-slim with PY=3.12
    assert (builder["base"], builder["image"], builder["tag"]) == (
        "python:3.12-slim",
        "python",
        "3.12-slim",
    )
    assert builder["base_is_stage"] is False
    assert builder["platform"] == "$BUILDPLATFORM"
    assert "stages.0.platform" in resource.unknown
    assert tests["base_is_stage"] is True and tests["tag"] is None
    assert final["image"] == "gcr.io/distroless/python3-debian12"
    assert final["tag"] is None
    assert final["digest"] == "sha256:" + "0123456789abcdef" * 4
    assert resource.data["final_stage"] == final
    assert [i["instruction"] for i in final["instructions"]] == [
        "FROM",
        "COPY",
        "USER",
        "EXPOSE",
        "HEALTHCHECK",
        "ENTRYPOINT",
    ]


def test_multistage_fixture_instructions_lines_flags_and_args() -> None:
    (resource,) = dockerfile.parse(FIXTURES, ["multistage/Dockerfile"]).resources
    global_args = by_instruction(resource, "ARG")
    assert [(a["stage"], a["args"]) for a in global_args] == [
        (-1, [{"key": "PY", "value": "3.12"}]),
        (-1, [{"key": "BASE", "value": "python:${PY}-slim"}]),
        (-1, [{"key": "RUNTIME", "value": None}]),
    ]
    run = by_instruction(resource, "RUN")[0]
    assert (run["line"], run["end_line"]) == (8, 11)
    assert run["json"] is False
    assert "a comment" not in run["value"]
    assert run["args"] == [run["value"]]
    assert run["value"].startswith("pip install --no-cache-dir")
    assert run["value"].endswith("&& pip check")
    env = by_instruction(resource, "ENV")[0]
    assert env["args"] == [
        {"key": "APP_HOME", "value": "/app"},
        {"key": "SECRET_KEY", "value": "not really"},
        {"key": "PATH", "value": "/app/bin:$PATH"},
    ]
    exec_run = by_instruction(resource, "RUN")[1]
    assert (exec_run["json"], exec_run["args"], exec_run["stage"]) == (True, ["pytest", "-q"], 1)
    copy = by_instruction(resource, "COPY")[1]
    assert copy["flags"] == ["--from=builder", "--chown=1000:1000"]
    assert copy["args"] == ["/src", "/app"]
    assert by_instruction(resource, "EXPOSE")[0]["args"] == ["8080/tcp", "9090"]
    health = by_instruction(resource, "HEALTHCHECK")[0]
    assert health["flags"] == ["--interval=30s", "--timeout=3s"]
    assert health["args"] == ["CMD", "python", "-m", "app.health"]
    assert by_instruction(resource, "USER")[0]["args"] == ["1000"]


def test_heredocs_are_read_as_part_of_their_instruction() -> None:
    (resource,) = dockerfile.parse(FIXTURES, ["heredoc/Dockerfile"]).resources
    runs = by_instruction(resource, "RUN")
    script = runs[0]
    assert (script["line"], script["end_line"]) == (2, 7)
    assert script["heredocs"][0]["name"] == "EOF"
    assert "curl -fsSL https://example.com/install.sh | sh" in script["value"]
    assert "curl -fsSL https://example.com/install.sh | sh" in script["args"][0]
    copy = by_instruction(resource, "COPY")[0]
    assert copy["heredocs"] == [{"name": "CONF", "content": "listen = 0.0.0.0\n"}]
    assert copy["args"] == ['<<-"CONF"', "/etc/app.conf"]
    two = runs[1]
    assert [h["name"] for h in two["heredocs"]] == ["A", "B"]
    assert (two["line"], two["end_line"]) == (11, 15)
    cmd = by_instruction(resource, "CMD")[0]
    assert (cmd["line"], cmd["args"]) == (16, ["echo done"])


def test_escape_directive_and_crlf_windows_dockerfile() -> None:
    (resource,) = dockerfile.parse(FIXTURES, ["windows/Dockerfile"]).resources
    shell = by_instruction(resource, "SHELL")[0]
    assert shell["args"] == ["powershell", "-Command"]
    run = by_instruction(resource, "RUN")[0]
    assert (run["line"], run["end_line"]) == (4, 5)
    assert run["value"] == "Write-Host     hello"
    # with the backtick as escape, a trailing backslash is a path, not a continuation
    copy = by_instruction(resource, "COPY")[0]
    assert copy["args"] == ["C:\\build\\", "C:\\app\\"]
    assert copy["line"] == 6
    assert by_instruction(resource, "USER")[0]["args"] == ["ContainerAdministrator"]


def test_named_variants_and_suppressions() -> None:
    result = dockerfile.parse(FIXTURES, ["named/app.dockerfile", "named/Containerfile"])
    assert result.errors == ()
    app, container = result.resources
    assert app.address == "named/app.dockerfile"
    assert [(s.check_id, s.reason, s.line) for s in app.suppressions] == [
        ("LG-DF-001", "the base image sets USER node", 2)
    ]
    assert [s.check_id for s in container.suppressions] == ["LG-DF-010", "LG-DF-011"]
    assert container.suppressions[0].reason == "vendor image"
    assert (container.start_line, container.end_line) == (1, 2)


def test_malformed_file_is_a_located_error_and_the_others_go_on() -> None:
    result = dockerfile.parse(FIXTURES, ["broken/Dockerfile", "named/Containerfile"])
    assert [r.address for r in result.resources] == ["named/Containerfile"]
    (error,) = result.errors
    assert error.kind is ErrorKind.INPUT and not error.fatal
    assert (error.path, error.line) == ("broken/Dockerfile", 3)
    assert "unknown instruction: RUNN" in error.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("FROM alpine\nRUN <<EOF\necho never ends\n", 2, "unterminated heredoc"),
        ("# just a comment\n\n", None, "no FROM"),
        ("RUN echo hi\nFROM alpine\n", 1, "before the first FROM"),
        ("FROM alpine AS\n", 1, "one or three arguments"),
        ("FROM alpine\nSHELL /bin/bash -c\n", 2, "JSON form"),
        ("FROM alpine\nENV\n", 2, "at least one argument"),
        ("FROM alpine\nRUN --mount=type=cache,target=/root/.cache\n", 2, "at least one argument"),
        ("FROM alpine\nENV A=1 B\n", 2, "can't find ="),
        ("# escape=x\nFROM alpine\n", 1, "escape"),
        ("FROM alpine\nONBUILD FROM debian\n", 2, "ONBUILD trigger"),
        ("FROM alpine\nHEALTHCHECK curl x\n", 2, "HEALTHCHECK"),
    ],
)
def test_invalid_dockerfiles_give_located_errors(text: str, line: int | None, message: str) -> None:
    with pytest.raises(dockerfile.DockerfileError) as caught:
        one(text)
    assert caught.value.line == line
    assert message in caught.value.message


def test_comments_blank_lines_and_directive_after_instructions() -> None:
    resource = one(
        "FROM alpine:3.20\n"
        "# escape=`\n"  # not at the top: an ordinary comment
        "RUN echo one \\\n"
        "\n"
        "    two\n"
        "  run   echo lower-case keyword\n"
    )
    runs = by_instruction(resource, "RUN")
    assert runs[0]["value"] == "echo one     two"
    assert (runs[1]["line"], runs[1]["value"]) == (6, "echo lower-case keyword")


def test_arg_substitution_forms_and_unknowns() -> None:
    resource = one(
        "ARG REG=docker.io\nARG TAG\nARG EMPTY=\n"
        "FROM ${REG}/library/nginx:${TAG:-1.27}\n"
        "FROM nginx:${TAG}\n"
        "FROM nginx:${EMPTY:-stable}${EMPTY:+never}\n"
        "FROM nginx:$UNDECLARED\n"
    )
    stages = resource.data["stages"]
    assert (stages[0]["image"], stages[0]["tag"]) == ("docker.io/library/nginx", "1.27")
    assert stages[1]["base"] == "nginx:${TAG}"
    assert stages[2]["tag"] == "stable"
    assert stages[3]["base"] == "nginx:$UNDECLARED"
    assert {"stages.1.base", "stages.1.tag", "stages.3.base"} <= resource.unknown
    assert not any(path.startswith(("stages.0", "stages.2")) for path in resource.unknown)


def test_arg_inside_a_stage_does_not_reach_later_from_lines() -> None:
    resource = one("FROM alpine\nARG V=3.19\nFROM alpine:${V}\n")
    assert resource.data["stages"][1]["base"] == "alpine:${V}"
    assert "stages.1.tag" in resource.unknown


def test_image_reference_forms() -> None:
    assert dockerfile.split_image("localhost:5000/team/app") == (
        "localhost:5000/team/app",
        None,
        None,
    )
    assert dockerfile.split_image("localhost:5000/team/app:1.2") == (
        "localhost:5000/team/app",
        "1.2",
        None,
    )
    assert dockerfile.split_image("alpine:3.20@sha256:ab") == ("alpine", "3.20", "sha256:ab")
    assert dockerfile.split_image("scratch") == ("scratch", None, None)


def test_label_and_env_legacy_forms_and_onbuild() -> None:
    resource = one(
        'FROM alpine\nLABEL MAINTAINER "Madhu Akula" INFO="Kubernetes Goat"\n'
        "ENV PATH /usr/local/bin:$PATH\n"
        'ONBUILD RUN ["make", "install"]\n'
    )
    assert by_instruction(resource, "LABEL")[0]["args"] == [
        {"key": "MAINTAINER", "value": "Madhu Akula INFO=Kubernetes Goat"}
    ]
    assert by_instruction(resource, "ENV")[0]["args"] == [
        {"key": "PATH", "value": "/usr/local/bin:$PATH"}
    ]
    (trigger,) = by_instruction(resource, "ONBUILD")[0]["args"]
    assert trigger == {
        "instruction": "RUN",
        "value": '["make", "install"]',
        "flags": [],
        "args": ["make", "install"],
        "json": True,
    }


def test_bom_and_unreadable_inputs(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"\xef\xbb\xbfFROM alpine\n")
    (tmp_path / "latin1.Dockerfile").write_bytes(b"FROM alpine\nLABEL a=\xe9\n")
    big = tmp_path / "big.Dockerfile"
    with big.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)
    (tmp_path / "dir.Dockerfile").mkdir()
    result = dockerfile.parse(
        tmp_path,
        ["Dockerfile", "latin1.Dockerfile", "big.Dockerfile", "dir.Dockerfile", "gone.Dockerfile"],
    )
    assert [r.data["stages"][0]["image"] for r in result.resources] == ["alpine"]
    assert [(e.path, e.line) for e in result.errors] == [
        ("latin1.Dockerfile", 2),
        ("gone.Dockerfile", None),
    ]
    assert result.errors[0].message == "not UTF-8 text"
    assert result.errors[1].message.startswith("cannot read")
    assert {(s.path, s.reason) for s in result.skipped} == {
        ("big.Dockerfile", SkipReason.TOO_LARGE),
        ("dir.Dockerfile", SkipReason.SPECIAL_FILE),
    }


def test_never_reads_outside_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM alpine\n")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside / "Dockerfile", root / "Dockerfile")
    result = dockerfile.parse(root, ["Dockerfile", "../outside/Dockerfile"])
    assert result.resources == ()
    assert {s.reason for s in result.skipped} == {SkipReason.SYMLINK_OUTSIDE}


def test_data_is_plain(tmp_path: Path) -> None:
    (resource,) = dockerfile.parse(FIXTURES, ["multistage/Dockerfile"]).resources

    def walk(value: object) -> None:
        if isinstance(value, dict):
            assert all(isinstance(k, str) for k in value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            assert value is None or isinstance(value, (str, int, float, bool))

    walk(resource.data)


def test_kubernetes_goat_dockerfiles() -> None:
    root = shared_dataset("iac", "kubernetes-goat")
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("Dockerfile"))
    assert paths
    result = dockerfile.parse(root, paths)
    assert result.errors == ()
    assert len(result.resources) == len(paths)
    by_path = {r.path: r for r in result.resources}
    home = by_path["infrastructure/goat-home/Dockerfile"].data
    assert [(s["name"], s["image"], s["tag"]) for s in home["stages"]] == [
        ("build", "alpine", None),
        (None, "nginx", "alpine-slim"),
    ]
    copy = next(i for i in home["final_stage"]["instructions"] if i["instruction"] == "COPY")
    assert copy["flags"] == ["--from=build"]
    users = by_path["infrastructure/users-repo/Dockerfile"].data
    env = next(i for i in users["instructions"] if i["instruction"] == "ENV")
    assert env["args"][0]["key"] == "API_KEY"
    layers = by_path["infrastructure/hidden-in-layers/Dockerfile"].data
    assert any(i["instruction"] == "ADD" for i in layers["instructions"])
    batch = by_path["infrastructure/batch-check/Dockerfile"].data
    run = next(i for i in batch["instructions"] if i["instruction"] == "RUN")
    assert "| sh" in run["value"] and run["line"] == 4
