"""Downloading osv.dev archives, against a loopback server the tests start."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from lockgate.advisories.database import AdvisoryDatabase
from lockgate.advisories.download import update
from lockgate.advisories.errors import AdvisoryDownloadError
from lockgate.errors import InputError, UsageError
from tests.unit.advisories.osv_fixtures import (
    OsvServer,
    Served,
    osv_server,
    record,
    zip_bytes,
    zip_of,
)

DATE = "Mon, 01 Jan 2024 00:00:00 GMT"


@pytest.fixture
def server() -> Iterator[OsvServer]:
    with osv_server() as state:
        state.files["/PyPI/all.zip"] = Served(
            body=zip_of(record("PYSEC-2024-1", name="demo"), record("GHSA-py-1", name="demo")),
            etag='"pypi-1"',
            last_modified=DATE,
        )
        state.files["/npm/all.zip"] = Served(
            body=zip_of(record("GHSA-npm-1", ecosystem="npm", name="left-pad")),
            etag='"npm-1"',
            last_modified=DATE,
        )
        state.files["/crates.io/all.zip"] = Served(
            body=zip_of(record("RUSTSEC-2024-1", ecosystem="crates.io", name="openssl")),
            last_modified=DATE,
        )
        yield state


def test_update_downloads_and_imports_each_ecosystem(server: OsvServer, tmp_path: Path) -> None:
    path = tmp_path / "advisories.sqlite3"
    result = update(path, ecosystems=["PyPI", "npm"], base_url=server.base_url, timeout=10)
    assert result.changed
    assert [(e.ecosystem, e.outcome) for e in result.ecosystems] == [
        ("PyPI", "updated"),
        ("npm", "updated"),
    ]
    pypi = result.ecosystems[0]
    assert pypi.url == f"{server.base_url}/PyPI/all.zip"
    assert pypi.stats is not None and pypi.stats.imported == 2
    assert pypi.downloaded_bytes == len(server.files["/PyPI/all.zip"].body)
    with AdvisoryDatabase(path) as database:
        assert result.digest == database.digest()
        assert [a.id for a in database.advisories_for("npm", "left-pad")] == ["GHSA-npm-1"]
        sources = database.status().sources
    assert [(s.name, s.etag, s.last_modified) for s in sources] == [
        ("osv:PyPI", '"pypi-1"', DATE),
        ("osv:npm", '"npm-1"', DATE),
    ]
    # No conditional headers on a first download.
    assert all("If-None-Match" not in headers for _, headers in server.requests)
    # Nothing is left beside the database but its lock file.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "advisories.sqlite3",
        "advisories.sqlite3.lock",
    ]


def test_a_second_update_is_conditional_and_rewrites_nothing(
    server: OsvServer, tmp_path: Path
) -> None:
    path = tmp_path / "advisories.sqlite3"
    first = update(path, ecosystems=["PyPI", "crates.io"], base_url=server.base_url, timeout=10)
    inode = path.stat().st_ino
    server.requests.clear()
    second = update(path, ecosystems=["PyPI", "crates.io"], base_url=server.base_url, timeout=10)
    assert not second.changed
    assert [e.outcome for e in second.ecosystems] == ["unchanged", "unchanged"]
    assert all(e.stats is None for e in second.ecosystems)
    assert second.digest == first.digest
    assert path.stat().st_ino == inode  # the file was not replaced
    sent = dict(server.requests)
    assert sent["/PyPI/all.zip"]["If-None-Match"] == '"pypi-1"'
    assert sent["/PyPI/all.zip"]["If-Modified-Since"] == DATE
    assert sent["/crates.io/all.zip"]["If-Modified-Since"] == DATE  # no ETag served there


def test_a_changed_archive_is_imported_again(server: OsvServer, tmp_path: Path) -> None:
    path = tmp_path / "advisories.sqlite3"
    first = update(path, ecosystems=["npm"], base_url=server.base_url, timeout=10)
    server.files["/npm/all.zip"] = Served(
        body=zip_of(
            record("GHSA-npm-1", ecosystem="npm", name="left-pad"),
            record("GHSA-npm-2", ecosystem="npm", name="left-pad"),
        ),
        etag='"npm-2"',
    )
    second = update(path, ecosystems=["npm"], base_url=server.base_url, timeout=10)
    stats = second.ecosystems[0].stats
    assert stats is not None
    assert (stats.imported, stats.unchanged) == (1, 1)
    assert second.changed and second.digest != first.digest


def test_a_server_error_names_the_url_and_keeps_the_old_database(
    server: OsvServer, tmp_path: Path
) -> None:
    path = tmp_path / "advisories.sqlite3"
    update(path, ecosystems=["PyPI"], base_url=server.base_url, timeout=10)
    before = path.read_bytes()
    server.files["/npm/all.zip"] = Served(status=500)
    with pytest.raises(AdvisoryDownloadError) as caught:
        update(path, ecosystems=["PyPI", "npm"], base_url=server.base_url, timeout=10)
    assert isinstance(caught.value, InputError)
    assert f"{server.base_url}/npm/all.zip" in caught.value.diagnostics()
    assert "HTTP 500" in caught.value.message
    assert "left unchanged" in caught.value.diagnostics()
    assert path.read_bytes() == before


def test_an_unreachable_server_names_the_url_and_keeps_the_old_database(
    server: OsvServer, tmp_path: Path
) -> None:
    path = tmp_path / "advisories.sqlite3"
    update(path, ecosystems=["PyPI"], base_url=server.base_url, timeout=10)
    before = path.read_bytes()
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = f"http://127.0.0.1:{port}"
    with pytest.raises(AdvisoryDownloadError, match=f"cannot download {dead}/PyPI/all.zip"):
        update(path, ecosystems=["PyPI"], base_url=dead, timeout=5)
    assert path.read_bytes() == before
    with AdvisoryDatabase(path) as database:
        assert [a.id for a in database.advisories_for("PyPI", "demo")] == [
            "GHSA-py-1",
            "PYSEC-2024-1",
        ]


def test_a_response_that_is_not_a_zip_changes_nothing(server: OsvServer, tmp_path: Path) -> None:
    path = tmp_path / "advisories.sqlite3"
    server.files["/npm/all.zip"] = Served(body=b"<html>captive portal</html>")
    with pytest.raises(AdvisoryDownloadError, match="did not return a usable zip archive"):
        update(path, ecosystems=["npm"], base_url=server.base_url, timeout=10)
    assert not path.exists()


def test_an_archive_over_the_size_limit_is_refused(server: OsvServer, tmp_path: Path) -> None:
    path = tmp_path / "advisories.sqlite3"
    with pytest.raises(AdvisoryDownloadError, match="byte limit"):
        update(path, ecosystems=["PyPI"], base_url=server.base_url, timeout=10, max_bytes=100)
    assert not path.exists()


def test_a_zip_bomb_member_is_rejected_and_the_rest_imported(
    server: OsvServer, tmp_path: Path
) -> None:
    bomb = json.dumps(record("GHSA-bomb", details=" " * (8 * 1024 * 1024))).encode()
    server.files["/PyPI/all.zip"] = Served(
        body=zip_bytes(
            {"GHSA-bomb.json": bomb, "GHSA-ok.json": json.dumps(record("GHSA-ok")).encode()}
        ),
        etag='"bomb"',
    )
    assert len(server.files["/PyPI/all.zip"].body) < 64 * 1024
    path = tmp_path / "advisories.sqlite3"
    result = update(path, ecosystems=["PyPI"], base_url=server.base_url, timeout=10)
    stats = result.ecosystems[0].stats
    assert stats is not None and stats.imported == 1
    (error,) = stats.errors
    assert "zip bomb" in error.message
    assert error.path is not None and error.path.endswith("!GHSA-bomb.json")


def test_ecosystem_names_are_checked_and_normalised(server: OsvServer, tmp_path: Path) -> None:
    path = tmp_path / "advisories.sqlite3"
    with pytest.raises(UsageError, match="not an OSV ecosystem"):
        update(path, ecosystems=["../etc"], base_url=server.base_url, timeout=10)
    result = update(path, ecosystems=["pypi", "PyPI"], base_url=server.base_url, timeout=10)
    assert [e.url for e in result.ecosystems] == [f"{server.base_url}/PyPI/all.zip"]
    with pytest.raises(AdvisoryDownloadError, match="HTTP 404") as caught:
        update(path, ecosystems=["Rust"], base_url=server.base_url, timeout=10)
    assert "is 'Rust' an OSV ecosystem name" in caught.value.diagnostics()
