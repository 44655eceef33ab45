"""The built-in GitHub Actions checks (``checks/github_actions.yaml``) as users meet them:
every check's own examples, an insecure "pull request bot" workflow and a hardened CI
workflow read by the real parser with their exact findings, the pinning policy (third-party
versus GitHub-owned actions), and the expression patterns that make or do not make a script
injectable."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from lockgate.scanners.iac.checks import BUILTIN_DIR, Check, load_check_files
from lockgate.scanners.iac.engine import CheckEngine, Verdict
from lockgate.scanners.iac.parsers import github_actions
from lockgate.scanners.iac.resources import Resource
from tests.unit.scanners.iac.checks._support import failing_of

CHECK_FILE = BUILTIN_DIR / "github_actions.yaml"
CHECKS: dict[str, Check] = load_check_files([CHECK_FILE]).by_id()
ENGINE = CheckEngine(tuple(CHECKS.values()))
failing = partial(failing_of, ENGINE)
SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"


def ids(*numbers: int) -> set[str]:
    return {f"LG-GHA-{n:03d}" for n in numbers}


def workflow(tmp_path: Path, text: str, name: str = "ci.yml") -> Resource:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    result = github_actions.parse(tmp_path, [f".github/workflows/{name}"])
    assert not result.errors, result.errors
    (resource,) = result.resources
    return resource


def steps_workflow(tmp_path: Path, steps: str, on: str = "push") -> Resource:
    """A workflow with top-level read permissions and one job holding ``steps``."""
    text = (
        f"on: {on}\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-24.04\n"
        f"    steps:\n{steps}"
    )
    return workflow(tmp_path, text)


# ------------------------------------------------------------------ the check file itself


def test_file_holds_9_checks_numbered_without_gaps() -> None:
    assert sorted(CHECKS) == [f"LG-GHA-{n:03d}" for n in range(1, 10)]
    assert all(
        c.kind == "github-actions" and c.types == frozenset({"github_workflow"})
        for c in CHECKS.values()
    )


def test_every_check_documents_itself_for_migrating_users() -> None:
    titles = [c.title for c in CHECKS.values()]
    assert len(set(titles)) == len(titles), "two checks share a title"
    for check in CHECKS.values():
        assert len(check.description) > 80, check.id
        assert check.remediation and check.references, check.id
        assert all(r.startswith("https://") for r in check.references), check.id
        assert all(re.fullmatch(r"CKV2?_GHA_\d+", a) for a in check.aliases["checkov"]), check.id
        assert check.aliases["trivy"] == (), check.id  # trivy does not scan workflows


# ------------------------------------------------------------------ corpus: whole workflows

INSECURE = """\
name: pr-bot
on:
  pull_request_target:
    types: [opened, synchronize]
  pull_request:
  issues:
    types: [opened]
env:
  ACTIONS_ALLOW_UNSECURE_COMMANDS: true
jobs:
  build:
    runs-on: [self-hosted, linux]
    permissions: write-all
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: tj-actions/changed-files@v45
      - name: Greet
        run: |
          echo "Thanks for: ${{ github.event.pull_request.title }}"
          echo "debug token ${{ secrets.NPM_TOKEN }}"
      - run: npm ci && npm test
  release:
    uses: acme/shared-workflows/.github/workflows/release.yml@main
    secrets: inherit
"""

HARDENED = f"""\
name: ci
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@{SHA} # v4.2.2
        with:
          persist-credentials: false
      - uses: actions/setup-node@39370e3970a6d050c480ffad4ff0ed4d3fdee5af # v4.1.0
        with:
          node-version: 20
      - name: Title
        env:
          TITLE: ${{{{ github.event.pull_request.title }}}}
        run: echo "Testing $TITLE"
      - run: npm ci && npm test
  publish:
    if: github.event_name == 'push'
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      packages: write
    steps:
      - uses: actions/checkout@{SHA} # v4.2.2
      - name: Login
        run: >-
          echo "${{{{ secrets.GITHUB_TOKEN }}}}"
          | docker login ghcr.io -u "$GITHUB_ACTOR" --password-stdin
  reuse:
    uses: ./.github/workflows/reusable.yml
"""


def test_insecure_pull_request_bot_fails_every_check(tmp_path: Path) -> None:
    assert failing(workflow(tmp_path, INSECURE)) == ids(*range(1, 10))


def test_hardened_ci_workflow_passes_every_check(tmp_path: Path) -> None:
    assert failing(workflow(tmp_path, HARDENED)) == set()


# ------------------------------------------------------------------ pinning policy


@pytest.mark.parametrize(
    ("uses", "expected"),
    [
        ("actions/checkout@v4", ids(2)),
        ("github/codeql-action/init@v3", ids(2)),
        (f"actions/checkout@{SHA}", set()),
        ("docker/build-push-action@v6", ids(1)),
        ("docker/build-push-action@main", ids(1)),
        (f"docker/build-push-action@{SHA}", set()),
        ("docker://alpine:3.20", ids(1)),
        (f"docker://alpine@sha256:{'0a' * 32}", set()),
        ("./.github/actions/setup", set()),
    ],
)
def test_pinning_separates_third_party_from_github_owned(
    tmp_path: Path, uses: str, expected: set[str]
) -> None:
    resource = steps_workflow(tmp_path, f"      - uses: {uses}\n")
    assert failing(resource) & ids(1, 2) == expected


def test_reusable_workflow_from_another_repository_must_be_pinned(tmp_path: Path) -> None:
    text = (
        "on: push\npermissions: {}\njobs:\n  call:\n"
        "    uses: acme/workflows/.github/workflows/build.yml@v2\n"
    )
    assert failing(workflow(tmp_path, text)) == ids(1)


# ------------------------------------------------------------------ permissions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps: [{run: make}]\n", ids(3)),
        (
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: {contents: read}\n"
            "    steps: [{run: make}]\n",
            set(),
        ),
        (
            "on: push\npermissions: write-all\njobs:\n  a: {runs-on: x, steps: [run: make]}\n",
            ids(4),
        ),
        (
            "on: push\npermissions: read-all\njobs:\n  a: {runs-on: x, steps: [run: make]}\n",
            set(),
        ),
    ],
)
def test_token_permissions(tmp_path: Path, text: str, expected: set[str]) -> None:
    assert failing(workflow(tmp_path, text)) == expected


# ------------------------------------------------------------------ untrusted input and secrets


@pytest.mark.parametrize(
    ("run", "injectable"),
    [
        ('echo "${{ github.event.issue.body }}"', True),
        ("git checkout -b ${{ github.head_ref }}", True),
        ('echo "${{ github.event.commits[0].message }}"', True),
        ('echo "${{ github.event.review_comment.body }}"', True),
        ("echo ${{ github.event.pull_request.number }}", False),
        ("echo ${{ github.sha }} ${{ github.ref_name }}", False),
        ('echo "$TITLE"', False),
    ],
)
def test_script_injection_patterns(tmp_path: Path, run: str, injectable: bool) -> None:
    resource = steps_workflow(tmp_path, f"      - run: '{run}'\n", on="issues")
    assert ("LG-GHA-006" in failing(resource)) is injectable


@pytest.mark.parametrize(
    ("run", "echoed"),
    [
        ("echo ${{ secrets.TOKEN }}", True),
        ("printf '%s\\n' ${{ secrets.TOKEN }}", True),
        ('echo "${{ secrets.TOKEN }}" | gh auth login --with-token', False),
        ('echo "TOKEN=${{ secrets.TOKEN }}" >> "$GITHUB_ENV"', False),
        ("curl -H 'Authorization: Bearer ${{ secrets.TOKEN }}' https://api.example", False),
    ],
)
def test_secret_echo_patterns(tmp_path: Path, run: str, echoed: bool) -> None:
    step = "      - run: |\n          " + run + "\n"
    assert ("LG-GHA-007" in failing(steps_workflow(tmp_path, step))) is echoed


def test_secret_echoed_through_a_step_variable(tmp_path: Path) -> None:
    step = (
        "      - env:\n          DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}\n"
        '        run: echo "key is $DEPLOY_KEY"\n'
    )
    assert "LG-GHA-007" in failing(steps_workflow(tmp_path, step))


def test_workflow_run_checkout_of_the_triggering_head_is_a_pwn_request(tmp_path: Path) -> None:
    step = (
        "      - uses: actions/checkout@" + SHA + "\n        with:\n"
        "          ref: ${{ github.event.workflow_run.head_sha }}\n"
    )
    resource = steps_workflow(tmp_path, step, on="{workflow_run: {workflows: [CI]}}")
    assert failing(resource) == ids(5)


def test_self_hosted_runner_guarded_to_same_repository_pull_requests(tmp_path: Path) -> None:
    base = "on: pull_request\npermissions: {}\njobs:\n  t:\n    runs-on: [self-hosted]\n"
    steps = "    steps: [{run: make}]\n"
    guard = "    if: github.event.pull_request.head.repo.fork == false\n"
    assert failing(workflow(tmp_path, base + steps, "a.yml")) == ids(9)
    assert failing(workflow(tmp_path, base + guard + steps, "b.yml")) == set()


@pytest.mark.parametrize(
    "data",
    [
        {"on": {"push": None}, "jobs": {"a": {"runs-on": 1}}, "_steps": []},
        {
            "on": {"pull_request_target": None},
            "permissions": {"contents": "read"},
            "env": "${{ fromJSON(vars.ENV) }}",
            "jobs": {"a": {"runs-on": ["self-hosted"], "env": ["x"], "permissions": 3}},
            "_steps": [
                {"job": "a", "uses": 7, "run": ["x"], "with": "w", "env": "e"},
                {"job": "a", "uses": None, "run": None, "with": {"ref": 1}, "env": {}},
            ],
        },
    ],
)
def test_unusual_shapes_never_make_a_check_error(data: dict[str, Any]) -> None:
    resource = Resource(
        kind="github-actions",
        type="github_workflow",
        address="workflow/x.yml",
        path=".github/workflows/x.yml",
        start_line=1,
        end_line=1,
        data=data,
    )
    outcomes = ENGINE.evaluate(resource)
    assert all(o.verdict in (Verdict.PASS, Verdict.FAIL) for o in outcomes), [
        (o.check.id, o.detail) for o in outcomes if o.verdict is Verdict.ERROR
    ]
