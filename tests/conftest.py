"""Shared test options and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
SHARED_SCHEMAS = SHARED / "schemas"
SHARED_DATASETS = SHARED / "datasets"
GOLDENS = REPO_ROOT / "tests" / "goldens"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def shared_dataset(*parts: str) -> Path:
    """A path under ../shared/datasets, skipping the test cleanly when it is absent."""
    path = SHARED_DATASETS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared dataset not available: {path}")
    return path


def shared_schema(name: str) -> Path:
    """A path under ../shared/schemas, skipping the test cleanly when it is absent."""
    path = SHARED_SCHEMAS / name
    if not path.exists():
        pytest.skip(f"shared schema not available: {path}")
    return path
