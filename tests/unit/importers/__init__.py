"""Tests of the importers of other tools' reports, plus the helpers they share.

``FIXTURES`` holds sample reports written by this project in each tool's documented shape;
``BASE`` is the checkout directory those reports were "written" in (their absolute paths
start with it); ``encode`` renders an import as normalised JSON for the goldens under
``tests/goldens/importers/`` (``pytest --update-goldens`` rewrites them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lockgate.importers.interface import ImportedReport
from lockgate.importers.registry import load_report
from lockgate.model import Finding, Location
from lockgate.model.codec import to_jsonable
from tests.conftest import GOLDENS, REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "importers"
IMPORTER_GOLDENS = GOLDENS / "importers"
BASE = Path("/home/runner/work/shop/shop")


def fixture(name: str) -> Path:
    """A sample report, e.g. ``fixture("trivy/fs.json")``."""
    return FIXTURES / name


def imported(name: str, tool: str | None = None, **options: Any) -> ImportedReport:
    """The import of a sample report, with the checkout directory as base."""
    options.setdefault("base", BASE)
    return load_report(fixture(name), tool, **options)


def encode(report: ImportedReport, name: str) -> str:
    """The import as deterministic JSON, the report's own path made relative."""
    data = to_jsonable(report)
    absolute = str(fixture(name))
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    return text.replace(json.dumps(absolute)[1:-1], name) + "\n"


def check_golden(name: str, text: str, update: bool) -> None:
    """Compare ``text`` with ``tests/goldens/importers/<name>``, or rewrite it with
    ``--update-goldens``."""
    path = IMPORTER_GOLDENS / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.exists(), f"missing golden {path}; run pytest --update-goldens to create it"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs from its golden; if the change is intended, "
        "run pytest --update-goldens and review the diff"
    )


def purl(finding: Finding) -> str:
    """The purl of the finding's component (which must exist)."""
    assert finding.component is not None, f"{finding.rule_id} has no component"
    return finding.component.purl


def manifest(finding: Finding) -> str:
    """The manifest path of the finding's component (which must exist)."""
    assert finding.component is not None and finding.component.manifest is not None
    return finding.component.manifest.path


def location(finding: Finding) -> Location:
    """The finding's location (which must exist)."""
    assert finding.location is not None, f"{finding.rule_id} has no location"
    return finding.location
