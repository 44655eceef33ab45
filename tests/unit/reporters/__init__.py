"""Tests of the output formats, plus the golden-file check they share."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import GOLDENS

REPORTER_GOLDENS = GOLDENS / "reporters"


def check_golden(name: str, text: str, update: bool) -> None:
    """Compare ``text`` with ``tests/goldens/reporters/<name>``, or rewrite it with
    ``--update-goldens``. Callers validate ``text`` against its schema first."""
    path: Path = REPORTER_GOLDENS / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.exists(), f"missing golden {path}; run pytest --update-goldens to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{name} differs from its golden; if the change is intended, "
        "run pytest --update-goldens and review the diff"
    )
