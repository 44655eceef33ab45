"""Correctness cross-check of dependency matching (issue 4).

Real-world requirements and lockfiles are read by lockgate's parsers and matched through
its advisory database; the same components are matched again by an independent,
deliberately straightforward matcher written here directly on ``packaging`` and the raw
OSV files of ``../shared/datasets/osv/PyPI``. The (package, version, advisory) pairs must
agree exactly; every difference is printed.

Inputs: the Python lockfile fixtures of ``../shared/datasets/lockfiles/osv-detector``
(pip, poetry, pipenv, pdm, uv, pylock), the installed distributions of this project's own
virtual environment, and a legacy application's requirements with historical pins of
popular packages (written below).

Run: ``.venv/bin/python benchmarks/sca_accuracy.py``. Exit status 1 on any difference.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

from lockgate.inventory.collect import collect_inventory
from lockgate.model import Component
from lockgate.model.ecosystems import PYPI, normalize_name
from lockgate.scanners.sca.matching import match_component
from lockgate.services.advisories import import_advisories
from lockgate.sources.filesystem import FilesystemSource

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
OSV_PYPI = DATASETS / "osv" / "PyPI"
LOCKFILES = DATASETS / "lockfiles" / "osv-detector"

LEGACY_REQUIREMENTS = """\
# A legacy web application's pins (historical versions of popular packages).
Django==2.2.0
Flask==0.12.2
Jinja2==2.10
Werkzeug==0.15.2
requests==2.19.1
urllib3==1.24.1
PyYAML==5.1
Pillow==6.2.0
numpy==1.16.0
cryptography==2.3
lxml==4.6.2
paramiko==2.4.1
SQLAlchemy==1.2.17
tornado==5.1
Twisted==19.2.0
PyJWT==1.7.1
setuptools==40.0.0
pip==19.0
waitress==1.4.0
bleach==3.1.0
celery==4.3.0
httplib2==0.18.0
ansible==2.7.0
Markdown==3.0
mistune==0.8.3
babel==2.9.0
aiohttp==3.7.3
tensorflow==2.4.0
scrapy==1.8.0
pycrypto==2.6.1
"""


# -- the independent matcher -----------------------------------------------------------------
def load_raw_osv(directory: Path) -> dict[str, list[dict[str, object]]]:
    """Raw OSV records by PEP 503 name, read straight from the YAML files."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    records: dict[str, list[dict[str, object]]] = {}
    for path in sorted(directory.rglob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
        if not isinstance(data, dict) or data.get("withdrawn"):
            continue
        for affected in data.get("affected") or []:
            package = affected.get("package") or {}
            if package.get("ecosystem") != "PyPI":
                continue
            name = normalize_name(PYPI, str(package.get("name", "")))
            records.setdefault(name, []).append({"id": data["id"], "affected": affected})
    return records


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _events(rng: dict[str, object]) -> list[tuple[Version, int, str]]:
    events = []
    order = {"introduced": 0, "fixed": 1, "last_affected": 2, "limit": 3}
    for event in rng.get("events") or []:  # type: ignore[attr-defined]
        for kind, value in event.items():
            parsed = Version("0") if str(value) == "0" else _version(str(value))
            if parsed is not None and kind in order:
                events.append((parsed, order[kind], kind))
    return sorted(events)


def naive_in_range(version: Version, rng: dict[str, object]) -> bool:
    """Walk the sorted events: introduced opens, fixed/limit close at, last_affected after."""
    inside = False
    for at, _order, kind in _events(rng):
        if kind == "introduced":
            inside = inside or version >= at
        elif (kind == "last_affected" and version > at) or (
            kind in ("fixed", "limit") and version >= at
        ):
            inside = False
    return inside


def naive_affected(version: Version, affected: dict[str, object]) -> bool:
    """OSV evaluation, written out plainly: listed versions, then ECOSYSTEM ranges."""
    for listed in affected.get("versions") or []:  # type: ignore[attr-defined]
        if _version(str(listed)) == version:
            return True
    return any(
        naive_in_range(version, rng)
        for rng in affected.get("ranges") or []  # type: ignore[attr-defined]
        if rng.get("type") == "ECOSYSTEM"
    )


def naive_pairs(
    components: Iterable[Component], raw: dict[str, list[dict[str, object]]]
) -> set[tuple[str, str, str]]:
    pairs = set()
    for comp in components:
        version = _version(comp.version or "")
        if version is None:
            continue
        name = normalize_name(PYPI, comp.name)
        for record in raw.get(name, []):
            if naive_affected(version, record["affected"]):  # type: ignore[arg-type]
                pairs.add((name, comp.version or "", str(record["id"])))
    return pairs


# -- lockgate --------------------------------------------------------------------------------
def lockgate_pairs(components: Iterable[Component], db: Path) -> set[tuple[str, str, str]]:
    from lockgate.advisories.database import AdvisoryDatabase

    database = AdvisoryDatabase(db)
    pairs = set()
    for comp in components:
        matches, _ = match_component(comp, database.advisories_for)
        for match in matches:
            # The database merges aliases; count every PYSEC id the merged advisory carries.
            ids = {match.advisory.id, *match.advisory.aliases}
            for ident in ids:
                if ident.startswith("PYSEC-"):
                    pairs.add((normalize_name(PYPI, comp.name), comp.version or "", ident))
    return pairs


def gather_inputs(work: Path) -> None:
    (work / "legacy").mkdir()
    (work / "legacy" / "requirements.txt").write_text(LEGACY_REQUIREMENTS, encoding="utf-8")
    names = {
        "pip": "requirements.txt",
        "poetry": "poetry.lock",
        "pipenv": "Pipfile.lock",
        "pdm": "pdm.lock",
        "uv": "uv.lock",
        "pylock": "pylock.toml",
    }
    for kind, target in names.items():
        for path in sorted((LOCKFILES / kind).glob("*")):
            if path.name.startswith(("not-", "empty")) or path.is_dir():
                continue
            dest = work / kind / path.stem
            dest.mkdir(parents=True)
            shutil.copy(path, dest / target)
    site = next((ROOT / ".venv" / "lib").glob("python3*/site-packages"), None)
    if site is not None:
        for meta in site.glob("*.dist-info/METADATA"):
            dest = work / "venv" / meta.parent.name
            dest.mkdir(parents=True)
            shutil.copy(meta, dest / "METADATA")


def main() -> int:
    if not OSV_PYPI.is_dir() or not LOCKFILES.is_dir():
        print(f"datasets not available under {DATASETS}; nothing to compare")
        return 0
    with tempfile.TemporaryDirectory(prefix="lockgate-sca-accuracy-") as tmp:
        work = Path(tmp) / "inputs"
        work.mkdir()
        gather_inputs(work)
        db = Path(tmp) / "advisories.sqlite3"
        started = time.perf_counter()
        import_advisories(OSV_PYPI, db)
        print(f"imported {OSV_PYPI} in {time.perf_counter() - started:.1f} s")
        with FilesystemSource(work, use_gitignore=False).open() as workspace:
            inventory = collect_inventory(workspace)
        components = [c for c in inventory.components if c.ecosystem == PYPI and c.version]
        print(
            f"{len(components)} pinned PyPI components from {inventory.files_scanned} "
            f"manifests ({len(inventory.errors)} manifest errors, "
            f"{len(inventory.skipped)} unpinned entries)"
        )
        ours = lockgate_pairs(components, db)
        theirs = naive_pairs(components, load_raw_osv(OSV_PYPI))
    print(f"lockgate: {len(ours)} (package, version, advisory) pairs")
    print(f"independent matcher: {len(theirs)} pairs")
    only_ours = sorted(ours - theirs)
    only_theirs = sorted(theirs - ours)
    for pair in only_ours:
        print(f"  only lockgate:    {pair}")
    for pair in only_theirs:
        print(f"  only independent: {pair}")
    agree = not only_ours and not only_theirs
    print("agreement: EXACT" if agree else "agreement: DIFFERENT")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
