"""The local advisory database: imports, queries, alias merging, digest, atomic writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from lockgate.advisories.database import (
    SCHEMA_VERSION,
    AdvisoryDatabase,
    default_database_path,
)
from lockgate.advisories.errors import AdvisoryDataError, AdvisoryError
from lockgate.advisories.model import Advisory
from lockgate.advisories.osv import iter_records, parse_record
from lockgate.errors import InputError
from tests.conftest import shared_dataset
from tests.unit.advisories.osv_fixtures import record, write_json, write_yaml, zip_of


def parsed(*records: dict[str, Any]) -> list[Advisory | AdvisoryError]:
    return [parse_record(r, source=f"{r['id']}.json") for r in records]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[AdvisoryDatabase]:
    database = AdvisoryDatabase(tmp_path / "cache" / "advisories.sqlite3")
    yield database
    database.close()


@pytest.fixture
def osv_dir(tmp_path: Path) -> Path:
    root = tmp_path / "osv"
    write_yaml(root / "PyPI" / "demo", record("PYSEC-2024-1", name="Demo_Pkg", aliases=("CVE-1",)))
    write_json(root / "npm", record("GHSA-npm1-aaaa-bbbb", ecosystem="npm", name="left-pad"))
    write_json(
        root / "npm",
        record("GHSA-gone-aaaa-bbbb", ecosystem="npm", name="left-pad", withdrawn="2024-02-01Z"),
    )
    (root / "npm" / "broken.json").write_text('{"id": ', encoding="utf-8")
    return root


def test_an_imported_directory_answers_package_queries(db: AdvisoryDatabase, osv_dir: Path) -> None:
    stats = db.import_records(iter_records(osv_dir), source_name="fixture")
    assert (stats.imported, stats.updated, stats.unchanged, stats.withdrawn) == (3, 0, 0, 1)
    (error,) = stats.errors
    assert error.path == str(osv_dir / "npm" / "broken.json")
    assert stats.digest == db.digest()
    # PyPI names are matched PEP 503-normalised; the ecosystem's case does not matter.
    (pysec,) = db.advisories_for("PyPI", "demo-pkg")
    assert pysec.id == "PYSEC-2024-1"
    assert [a.id for a in db.advisories_for("pypi", "DEMO.pkg")] == ["PYSEC-2024-1"]
    assert pysec.affected[0].name == "Demo_Pkg"
    assert pysec.affected[0].ranges[0].events[-1].value == "1.0"
    # The withdrawn record is stored but never returned.
    assert [a.id for a in db.advisories_for("npm", "left-pad")] == ["GHSA-npm1-aaaa-bbbb"]
    assert db.advisories_for("npm", "Left-Pad") == []  # npm names are case-sensitive
    assert db.advisories_for("Go", "left-pad") == []


def test_a_zip_archive_imports_like_a_directory(db: AdvisoryDatabase, tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    archive.write_bytes(zip_of(record("GHSA-1", ecosystem="npm", name="a"), record("GHSA-2")))
    stats = db.import_records(iter_records(archive), source_name="zip")
    assert stats.imported == 2
    assert db.advisories_for("npm", "a")[0].source == f"{archive}!GHSA-1.json"


def test_records_round_trip_through_the_database(db: AdvisoryDatabase) -> None:
    data = record(
        "GHSA-full",
        ecosystem="npm",
        name="widget",
        aliases=("CVE-2024-1",),
        summary="XSS",
        details="details",
        published="2024-01-01T00:00:00Z",
        related=["CVE-2020-1"],
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        references=[{"type": "WEB", "url": "https://example.org"}],
        database_specific={"severity": "HIGH", "cwe_ids": ["CWE-79"]},
    )
    data["affected"][0]["versions"] = ["0.9"]
    data["affected"][0]["severity"] = [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N"}]
    original = parse_record(data, source="GHSA-full.json")
    db.import_records([original], source_name="t")
    (stored,) = db.advisories_for("npm", "widget")
    assert stored == original
    assert db.lookup("CVE-2024-1") == [original]
    assert db.lookup("GHSA-full") == [original]
    assert db.lookup("CVE-0000-0") == []


def test_alias_pairs_come_out_as_one_advisory(db: AdvisoryDatabase) -> None:
    db.import_records(
        parsed(
            record("PYSEC-2024-7", name="demo", aliases=("CVE-2024-7",), fixed="2.0"),
            record(
                "GHSA-demo-aaaa-bbbb",
                name="demo",
                aliases=("CVE-2024-7", "PYSEC-2024-7"),
                fixed="2.1",
                summary="Remote code execution",
            ),
            record("GHSA-other-cccc-dddd", name="demo", aliases=("CVE-2024-8",)),
            # Same vulnerability id, different package: stays with its own package.
            record("GHSA-npm-eeee-ffff", ecosystem="npm", name="demo", aliases=("CVE-2024-7",)),
        ),
        source_name="t",
    )
    found = db.advisories_for("PyPI", "demo")
    assert [a.id for a in found] == ["GHSA-other-cccc-dddd", "PYSEC-2024-7"]
    merged = found[1]
    assert merged.aliases == ("CVE-2024-7", "GHSA-demo-aaaa-bbbb")
    assert merged.summary == "Remote code execution"
    assert {r.events[-1].value for a in merged.affected for r in a.ranges} == {"2.0", "2.1"}
    assert [a.id for a in db.advisories_for("npm", "demo")] == ["GHSA-npm-eeee-ffff"]
    # Counts stay counts of records.
    assert db.status().advisories == 4


def test_reimport_keeps_the_newest_modified(db: AdvisoryDatabase) -> None:
    db.import_records(parsed(record("GHSA-1", summary="old")), source_name="t")
    first = db.digest()
    stats = db.import_records(parsed(record("GHSA-1", summary="old")), source_name="t")
    assert (stats.imported, stats.updated, stats.unchanged) == (0, 0, 1)
    assert db.digest() == first

    newer = record("GHSA-1", summary="new", modified="2024-05-01T00:00:00Z", fixed="1.5")
    stats = db.import_records(parsed(newer), source_name="t")
    assert (stats.imported, stats.updated, stats.unchanged) == (0, 1, 0)
    (advisory,) = db.advisories_for("PyPI", "example")
    assert advisory.summary == "new"
    assert advisory.affected[0].ranges[0].events[-1].value == "1.5"
    assert db.digest() != first

    older = record("GHSA-1", summary="stale", modified="2023-01-01T00:00:00Z")
    stats = db.import_records(parsed(older), source_name="t")
    assert stats.unchanged == 1
    assert db.advisories_for("PyPI", "example")[0].summary == "new"


def test_an_update_that_withdraws_a_record_removes_it_from_queries(
    db: AdvisoryDatabase,
) -> None:
    db.import_records(parsed(record("GHSA-1"), record("GHSA-2")), source_name="t")
    before = db.digest()
    withdrawn = record("GHSA-1", modified="2024-03-01T00:00:00Z", withdrawn="2024-03-01T00:00:00Z")
    stats = db.import_records(parsed(withdrawn), source_name="t")
    assert (stats.updated, stats.withdrawn) == (1, 1)
    assert [a.id for a in db.advisories_for("PyPI", "example")] == ["GHSA-2"]
    assert db.lookup("GHSA-1") == []
    assert db.digest() != before
    status = db.status()
    assert (status.advisories, status.withdrawn) == (1, 1)


def test_the_digest_depends_on_data_not_on_import_order(tmp_path: Path) -> None:
    records = [record(f"GHSA-{n}", name=f"p{n}") for n in range(5)]
    one = AdvisoryDatabase(tmp_path / "one.sqlite3")
    two = AdvisoryDatabase(tmp_path / "two.sqlite3")
    one.import_records(parsed(*records), source_name="a")
    two.import_records(parsed(*reversed(records[2:])), source_name="b")
    two.import_records(parsed(*records[:2]), source_name="c")
    assert one.digest() == two.digest()
    assert one.digest().startswith("sha256:") and len(one.digest()) == 71


def test_status_reports_sources_and_counts(db: AdvisoryDatabase, osv_dir: Path) -> None:
    db.import_records(iter_records(osv_dir), source_name="fixture", source_url=str(osv_dir))
    status = db.status()
    assert status.schema_version == SCHEMA_VERSION
    assert status.digest == db.digest()
    assert (status.advisories, status.withdrawn) == (2, 1)
    assert status.ecosystems == (("PyPI", 1), ("npm", 1))
    (source,) = status.sources
    assert (source.name, source.location, source.record_count) == ("fixture", str(osv_dir), 3)
    assert source.digest.startswith("sha256:")
    assert status.size_bytes == db.path.stat().st_size
    assert status.updated_at.endswith("Z")


def test_a_missing_database_says_how_to_get_data(tmp_path: Path) -> None:
    database = AdvisoryDatabase(tmp_path / "absent.sqlite3")
    for query in (
        lambda: database.advisories_for("PyPI", "x"),
        database.status,
        database.digest,
    ):
        with pytest.raises(AdvisoryDataError) as caught:
            query()
        assert isinstance(caught.value, InputError)
        assert "lockgate db update" in caught.value.diagnostics()
        assert "lockgate db import PATH" in caught.value.diagnostics()
    assert database.sources() == {}


def test_an_empty_database_is_an_error_for_queries(db: AdvisoryDatabase) -> None:
    db.import_records([], source_name="nothing")
    assert db.path.exists()
    with pytest.raises(AdvisoryDataError, match="empty"):
        db.advisories_for("PyPI", "x")


def test_another_schema_version_asks_for_a_reimport(db: AdvisoryDatabase) -> None:
    db.import_records(parsed(record("GHSA-1")), source_name="t")
    db.close()
    with sqlite3.connect(db.path) as raw:
        raw.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    raw.close()
    with pytest.raises(AdvisoryDataError, match="schema version 999") as caught:
        db.advisories_for("PyPI", "example")
    assert "re-import" in caught.value.diagnostics()
    # Re-importing rebuilds the file in the current schema.
    db.import_records(parsed(record("GHSA-2")), source_name="t")
    assert [a.id for a in db.advisories_for("PyPI", "example")] == ["GHSA-2"]
    assert db.status().schema_version == SCHEMA_VERSION


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "advisories.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(AdvisoryDataError, match="not a lockgate advisory database"):
        AdvisoryDatabase(path).status()


def test_a_failed_import_leaves_the_old_database_whole(
    db: AdvisoryDatabase, tmp_path: Path
) -> None:
    db.import_records(parsed(record("GHSA-1")), source_name="t")
    before = db.path.read_bytes()

    def crashing() -> Iterator[Advisory]:
        yield parse_record(record("GHSA-2"), source="x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        db.import_records(crashing(), source_name="t")
    assert db.path.read_bytes() == before
    assert [a.id for a in db.advisories_for("PyPI", "example")] == ["GHSA-1"]
    leftovers = sorted(p.name for p in db.path.parent.iterdir())
    assert leftovers == ["advisories.sqlite3", "advisories.sqlite3.lock"]


def test_open_readers_keep_their_snapshot_during_an_import(
    db: AdvisoryDatabase,
) -> None:
    db.import_records(parsed(record("GHSA-1")), source_name="t")
    reader = AdvisoryDatabase(db.path)
    assert [a.id for a in reader.advisories_for("npm", "x")] == []
    db.import_records(parsed(record("GHSA-2", ecosystem="npm", name="x")), source_name="t")
    assert [a.id for a in reader.advisories_for("npm", "x")] == []  # the file it opened
    reader.close()
    assert [a.id for a in reader.advisories_for("npm", "x")] == ["GHSA-2"]


def test_one_database_object_serves_many_threads(db: AdvisoryDatabase) -> None:
    db.import_records(
        parsed(*(record(f"GHSA-{n}", name=f"pkg{n % 7}") for n in range(70))), source_name="t"
    )
    expected = {n: [a.id for a in db.advisories_for("PyPI", f"pkg{n}")] for n in range(7)}
    db.close()  # start cold: threads race to open the connection and fill the cache
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda n: (n % 7, db.advisories_for("PyPI", f"pkg{n % 7}")), range(400))
        )
    assert all([a.id for a in found] == expected[n] for n, found in answers)
    assert all(len(ids) == 10 for ids in expected.values())


def test_queries_open_the_file_read_only(db: AdvisoryDatabase) -> None:
    db.import_records(parsed(record("GHSA-1")), source_name="t")
    db.advisories_for("PyPI", "example")
    connection = db._connection
    assert connection is not None
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("DELETE FROM advisories")


def test_default_location_follows_xdg(tmp_path: Path) -> None:
    assert default_database_path({"XDG_CACHE_HOME": str(tmp_path)}) == (
        tmp_path / "lockgate" / "advisories.sqlite3"
    )
    fallback = default_database_path({"XDG_CACHE_HOME": "relative/ignored"})
    assert fallback == Path.home() / ".cache" / "lockgate" / "advisories.sqlite3"


@pytest.mark.slow
def test_the_shared_osv_snapshot_imports_completely(tmp_path: Path) -> None:
    root = shared_dataset("osv")
    database = AdvisoryDatabase(tmp_path / "osv.sqlite3")
    stats = database.import_records(iter_records(root), source_name="shared")
    assert stats.errors == ()
    assert stats.imported == 2661 + 4291 + 1206
    status = database.status()
    assert dict(status.ecosystems).keys() == {"Go", "PyPI", "crates.io"}
    assert status.advisories + status.withdrawn == stats.imported
    # A well-known record, found by its PEP 503 name and by an alias.
    django = database.advisories_for("PyPI", "Django")
    assert "PYSEC-2007-1" in {a.id for a in django}
    assert all(a.id.startswith(("PYSEC-", "GHSA-", "CVE-")) for a in django)
    assert [a.id for a in database.lookup("CVE-2016-10931")] == ["RUSTSEC-2016-0001"]
    # Re-importing the same data changes nothing, digest included.
    again = database.import_records(iter_records(root / "crates.io"), source_name="crates")
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 1206)
    assert again.digest == stats.digest
    database.close()
