"""GitHub Actions workflows as checks see them: ``on`` kept, triggers as a map, flat steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.model import ErrorKind, SkipReason
from lockgate.scanners.iac.parsers import github_actions

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "iac" / "github"
WORKFLOWS = ".github/workflows/"


def test_workflow_resource_keeps_on_and_the_document() -> None:
    result = github_actions.parse(FIXTURES, [WORKFLOWS + "ci.yml"])
    assert result.errors == ()
    (workflow,) = result.resources
    assert (workflow.kind, workflow.type, workflow.address) == (
        "github-actions",
        "github_workflow",
        "workflow/ci.yml",
    )
    assert (workflow.start_line, workflow.end_line) == (1, 37)
    data = workflow.data
    assert all(isinstance(key, str) for key in data)  # YAML 1.1 would read `on` as True
    assert data["on"] == {
        "push": {"branches": ["main"]},
        "pull_request_target": {"types": ["opened", "synchronize"]},
    }
    assert data["permissions"] == "write-all"
    assert data["jobs"]["release"]["uses"] == (
        "example/workflows/.github/workflows/release.yml@main"
    )


def test_steps_are_listed_flat_with_their_lines() -> None:
    (workflow,) = github_actions.parse(FIXTURES, [WORKFLOWS + "ci.yml"]).resources
    steps = workflow.data["_steps"]
    assert [(s["job"], s["index"], s["line"]) for s in steps] == [
        ("test", 0, 16),
        ("test", 1, 19),
        ("test", 2, 22),
        ("lint", 0, 34),
        ("lint", 1, 35),
    ]
    checkout, greet, login, setup, script = steps
    assert checkout == {
        "job": "test",
        "index": 0,
        "name": None,
        "uses": "actions/checkout@v4",
        "run": None,
        "with": {"ref": "${{ github.event.pull_request.head.sha }}"},
        "env": {},
        "line": 16,
    }
    assert greet["name"] == "Greet"
    assert "${{ github.event.pull_request.title }}" in greet["run"]
    assert login["with"] == {"password": "${{ secrets.REGISTRY_TOKEN }}"}
    assert login["env"] == {"DEBUG": 1}
    assert setup["uses"].endswith("@0a5c61591373683505ea898e09a3ea4f39ef2b9c")
    assert script["run"] == "pip install ruff\nruff check .\n"


def test_suppression_marker_anywhere_in_the_workflow() -> None:
    (workflow,) = github_actions.parse(FIXTURES, [WORKFLOWS + "ci.yml"]).resources
    assert [(s.check_id, s.line, s.reason) for s in workflow.suppressions] == [
        ("LG-GHA-001", 21, "pinned by the org's allow-list")
    ]


@pytest.mark.parametrize(
    ("name", "on"),
    [
        ("on-string.yml", {"push": None}),
        ("on-list.yaml", {"push": None, "workflow_dispatch": None}),
    ],
)
def test_on_as_string_or_list_becomes_a_map(name: str, on: dict[str, None]) -> None:
    (workflow,) = github_actions.parse(FIXTURES, [WORKFLOWS + name]).resources
    assert workflow.data["on"] == on
    assert workflow.address == f"workflow/{name}"
    assert workflow.data["_steps"][0]["run"] == "make"


def test_malformed_workflows_are_located_and_the_others_go_on() -> None:
    result = github_actions.parse(
        FIXTURES,
        [WORKFLOWS + "broken.yml", WORKFLOWS + "no-jobs.yml", WORKFLOWS + "on-string.yml"],
    )
    assert [r.address for r in result.resources] == ["workflow/on-string.yml"]
    broken, no_jobs = result.errors
    assert (broken.kind, broken.path, broken.fatal) == (
        ErrorKind.INPUT,
        WORKFLOWS + "broken.yml",
        False,
    )
    assert broken.line is not None and broken.line >= 6
    assert no_jobs.path == WORKFLOWS + "no-jobs.yml" and "jobs" in no_jobs.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("jobs:\n  a:\n    runs-on: x\n", 1, "no 'on'"),
        ("on: 3\njobs:\n  a: {runs-on: x}\n", 1, "'on' must be"),
        ("on: push\njobs:\n  a: [x]\n", 3, "job 'a' must be a mapping"),
        ("on: push\njobs:\n  a:\n    steps: run\n", 4, "steps of job 'a'"),
        ("on: push\njobs:\n  a:\n    steps:\n      - make\n", 5, "step 0 of job 'a'"),
        ("on: push\njobs: {a: {steps: []}}\n---\non: push\n", 4, "one YAML document"),
        ("- on\n", 1, "mapping"),
    ],
)
def test_invalid_workflows(tmp_path: Path, text: str, line: int, message: str) -> None:
    (tmp_path / "w.yml").write_text(text)
    (error,) = github_actions.parse(tmp_path, ["w.yml"]).errors
    assert (error.path, error.line) == ("w.yml", line)
    assert message in error.message


def test_empty_workflow_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "w.yml").write_text("# nothing yet\n")
    result = github_actions.parse(tmp_path, ["w.yml"])
    assert [(s.path, s.reason) for s in result.skipped] == [("w.yml", SkipReason.NOT_APPLICABLE)]
