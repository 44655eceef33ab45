"""``lockgate init``: write the files a repository needs to adopt lockgate.

It writes a commented ``lockgate.toml``, a ``SECURITY.md`` that states the gate policy
generated from the configuration, a pre-commit entry, a GitHub Actions workflow that uploads
SARIF, a GitLab CI job and an exceptions file template. Existing files are never
overwritten without ``force``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lockgate import __version__
from lockgate.config import CONFIG_FILE, Settings, load_settings, render_default_toml
from lockgate.errors import InputError
from lockgate.policy.thresholds import describe

REPO_URL = "https://github.com/lockgate/lockgate"
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2"
SETUP_PYTHON = "actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b  # v5.3.0"
UPLOAD_SARIF = (
    "github/codeql-action/upload-sarif@b56ba49b26e50535fa1e7f7db0f4f7b4bf65d80d  # v3.28.10"
)


@dataclass(frozen=True, kw_only=True)
class InitResult:
    """One file ``init`` considered: created, overwritten, updated or left alone (and why)."""

    path: Path
    action: str
    detail: str = ""


def security_md(settings: Settings) -> str:
    """SECURITY.md stating the gate's threshold policy, generated from the configuration."""
    policy = "\n".join(f"- {line}" for line in describe(settings.gate))
    return f"""# Security policy

## Reporting a vulnerability

Please report security problems privately to the maintainers (see the repository's
contact information) rather than in a public issue. We acknowledge reports within three
working days.

## How changes are gated

Every change is scanned by [lockgate]({REPO_URL}) in pre-commit and in CI. Its gate applies
the following policy, generated from `lockgate.toml` (regenerate this section with
`lockgate init --force` after changing the configuration):

{policy}

Severities are, in order: CRITICAL, HIGH, MEDIUM, LOW, INFO. A finding is *new* when it is
absent from the baseline (the target branch's merge base in pull requests, or a previous
report); existing findings are reported and tracked but do not block.

## Exceptions

A finding that is accepted is waived by an entry in `.lockgate/exceptions.toml` that names
what it matches (fingerprint, rule, path, package or advisory), a reason, an owner and
preferably an approver and an expiry date. Changes to that file are reviewed like code.
Expired exceptions stop suppressing and are reported; exceptions that match nothing are
reported as stale.
"""


PRE_COMMIT_ENTRY = f"""  - repo: {REPO_URL}
    rev: v{__version__}
    hooks:
      - id: lockgate
"""

GITHUB_WORKFLOW = f"""# lockgate: scan every push and pull request; results appear in code scanning.
name: lockgate
on:
  push:
    branches: [main, master, "release/**"]
  pull_request:
permissions:
  contents: read
jobs:
  lockgate:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write
    steps:
      - uses: {CHECKOUT}
        with:
          fetch-depth: 0
      - uses: {SETUP_PYTHON}
        with:
          python-version: "3.12"
      - run: python -m pip install "lockgate=={__version__}"
      - name: Scan and gate
        env:
          BASE_REF: ${{{{ github.base_ref }}}}
        run: |
          if [ -n "$BASE_REF" ]; then since="--since origin/$BASE_REF"; else since=""; fi
          lockgate scan . $since --format table --format sarif=lockgate.sarif \\
            --format markdown=lockgate.md
      - name: Upload SARIF
        if: always()
        uses: {UPLOAD_SARIF}
        with:
          sarif_file: lockgate.sarif
"""

GITLAB_JOB = f"""# lockgate: scan every pipeline; JUnit results show in merge requests.
lockgate:
  stage: test
  image: python:3.12-slim
  variables:
    GIT_DEPTH: "0"
  script:
    - apt-get update -qq && apt-get install -qq -y git >/dev/null
    - python -m pip install "lockgate=={__version__}"
    - |
      if [ -n "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" ]; then
        since="--since origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
      fi
      lockgate scan . $since --format table --format junit=lockgate-junit.xml \\
        --format sarif=lockgate.sarif --format markdown=lockgate.md
  artifacts:
    when: always
    paths: [lockgate.sarif, lockgate.md]
    reports:
      junit: lockgate-junit.xml
"""

EXCEPTIONS_TEMPLATE = """\
# Reviewed exceptions to the lockgate gate. Each entry needs at least one matcher
# (fingerprint, rule, path, purl, advisory: all that are set must match), a reason and an
# owner; approver and expires are strongly recommended (lockgate docs/gate.md).
#
# [[exception]]
# id = "EXC-1"
# rule = "secrets/generic-password"
# path = "tests/fixtures/**"
# reason = "fake credentials used by the test-suite"
# owner = "security@example.com"
# approver = "lead@example.com"
# expires = 2027-06-30
"""


def _write(path: Path, text: str, *, force: bool) -> InitResult:
    if path.exists() and not force:
        return InitResult(path=path, action="kept", detail="exists (use --force to overwrite)")
    action = "overwritten" if path.exists() else "created"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return InitResult(path=path, action=action)


def _pre_commit(path: Path) -> InitResult:
    if not path.exists():
        path.write_text("repos:\n" + PRE_COMMIT_ENTRY, encoding="utf-8")
        return InitResult(path=path, action="created")
    text = path.read_text(encoding="utf-8")
    if "lockgate" in text:
        return InitResult(path=path, action="kept", detail="already has a lockgate hook")
    lines = text.rstrip("\n").splitlines()
    top_keys = [
        i
        for i, line in enumerate(lines)
        if line and not line[0].isspace() and not line.startswith("#") and not line.startswith("-")
    ]
    if top_keys and lines[top_keys[-1]].startswith("repos:"):
        path.write_text(text.rstrip("\n") + "\n" + PRE_COMMIT_ENTRY, encoding="utf-8")
        return InitResult(path=path, action="updated", detail="appended the lockgate hook")
    return InitResult(
        path=path,
        action="kept",
        detail="cannot place the hook safely; add this under 'repos:':\n" + PRE_COMMIT_ENTRY,
    )


def init_project(root: Path, *, force: bool = False) -> list[InitResult]:
    """Write the adoption files into ``root``; returns what happened to each."""
    if not root.is_dir():
        raise InputError("not a directory", path=str(root))
    results = [_write(root / CONFIG_FILE, render_default_toml(), force=force)]
    settings = load_settings(root, env={})
    results.append(_write(root / "SECURITY.md", security_md(settings), force=force))
    results.append(_pre_commit(root / ".pre-commit-config.yaml"))
    results.append(
        _write(root / ".github" / "workflows" / "lockgate.yml", GITHUB_WORKFLOW, force=force)
    )
    gitlab = root / ".gitlab-ci.yml"
    if gitlab.exists() and "lockgate" not in gitlab.read_text(encoding="utf-8"):
        include = root / ".gitlab" / "lockgate.gitlab-ci.yml"
        result = _write(include, GITLAB_JOB, force=force)
        results.append(
            InitResult(
                path=include,
                action=result.action,
                detail="include it from .gitlab-ci.yml: "
                "include: [{local: .gitlab/lockgate.gitlab-ci.yml}]",
            )
        )
    else:
        results.append(_write(gitlab, "stages: [test]\n\n" + GITLAB_JOB, force=force))
    results.append(_write(root / ".lockgate" / "exceptions.toml", EXCEPTIONS_TEMPLATE, force=False))
    return results
