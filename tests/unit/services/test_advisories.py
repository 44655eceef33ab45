"""``lockgate db import|update|status`` use-cases and their text output."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.advisories.errors import AdvisoryDataError, AdvisoryError
from lockgate.services.advisories import (
    database_status,
    import_advisories,
    render_import,
    render_status,
    render_update,
    update_advisories,
)
from tests.unit.advisories.osv_fixtures import (
    Served,
    osv_server,
    record,
    write_json,
    write_yaml,
    zip_of,
)


def test_import_then_status(tmp_path: Path) -> None:
    source = tmp_path / "osv"
    write_yaml(source / "PyPI", record("PYSEC-2024-1", name="demo"))
    write_json(source / "npm", record("GHSA-1", ecosystem="npm", name="left-pad"))
    (source / "npm" / "bad.json").write_text("{", encoding="utf-8")
    db_path = tmp_path / "db" / "advisories.sqlite3"

    stats = import_advisories(source, db_path)
    assert (stats.imported, len(stats.errors)) == (2, 1)
    text = render_import(stats)
    assert "2 new" in text and "1 unreadable" in text
    assert f"{source / 'npm' / 'bad.json'}:1: invalid JSON" in text
    assert stats.digest is not None and stats.digest in text

    status = database_status(db_path)
    assert status.digest == stats.digest
    shown = render_status(status)
    assert str(db_path) in shown
    assert stats.digest in shown
    assert "PyPI" in shown and "npm" in shown
    assert str(source.resolve()) in shown


def test_an_import_that_finds_nothing_leaves_no_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.json").write_text("[]", encoding="utf-8")
    db_path = tmp_path / "advisories.sqlite3"
    with pytest.raises(AdvisoryError, match="no readable OSV record") as caught:
        import_advisories(empty, db_path)
    assert "must be an object" in caught.value.message
    assert not db_path.exists()
    with pytest.raises(AdvisoryError, match="no such file"):
        import_advisories(tmp_path / "missing", db_path)


def test_status_without_a_database_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(AdvisoryDataError) as caught:
        database_status(tmp_path / "advisories.sqlite3")
    assert "lockgate db update" in caught.value.diagnostics()


def test_update_through_the_service(tmp_path: Path) -> None:
    db_path = tmp_path / "advisories.sqlite3"
    with osv_server() as server:
        server.files["/Go/all.zip"] = Served(
            body=zip_of(record("GO-2024-0001", ecosystem="Go", name="example.com/m")),
            etag='"go-1"',
        )
        messages: list[str] = []
        result = update_advisories(db_path, ["Go"], server.base_url, progress=messages.append)
        assert result.changed
        assert "Go: " in render_update(result) and "1 new" in render_update(result)
        assert any("Go: checking" in m for m in messages)
        again = update_advisories(db_path, ["Go"], server.base_url)
        assert "unchanged since the last download" in render_update(again)
        assert "Database unchanged" in render_update(again)
    status = database_status(db_path)
    assert [s.name for s in status.sources] == ["osv:Go"]
    assert 'ETag "go-1"' in render_status(status)
