"""What npm specifiers and sources mean: exact pins, non-registry sources, hashes, redaction."""

from __future__ import annotations

import base64
import hashlib

import pytest

from lockgate.inventory.javascript._specs import (
    GIT,
    LINK,
    LOCAL,
    URL,
    WORKSPACE,
    alias_target,
    exact_version,
    hex_hash,
    redact,
    registry_url_problem,
    source_problem,
    split_name,
    sri_hashes,
)


@pytest.mark.parametrize(
    ("spec", "version"),
    [
        ("1.2.3", "1.2.3"),
        ("=1.2.3", "1.2.3"),
        ("v1.2.3", "1.2.3"),
        (" =v1.2.3 ", "1.2.3"),
        ("1.0.0-beta.2+build.5", "1.0.0-beta.2+build.5"),
        ("^1.2.3", None),
        ("~1.2.3", None),
        ("1.2", None),
        ("1.2.x", None),
        (">=1.0.0 <2.0.0", None),
        ("latest", None),
        ("*", None),
        ("", None),
    ],
)
def test_only_exact_versions_are_pins(spec: str, version: str | None) -> None:
    assert exact_version(spec) == version


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("^1.0.0", None),
        ("1.2.3", None),
        ("latest", None),
        ("", None),
        ("file:../lib", LOCAL),
        ("./vendor/lib", LOCAL),
        ("../lib", LOCAL),
        ("link:../lib", LINK),
        ("portal:../lib", LOCAL),
        ("workspace:*", WORKSPACE),
        ("github:user/repo#main", GIT),
        ("gitlab:user/repo", GIT),
        ("user/repo", GIT),
        ("user/repo#v1.0.0", GIT),
        ("1995user/repo", GIT),
        ("git+ssh://git@github.com/user/repo.git#abc", GIT),
        ("git://github.com/user/repo", GIT),
        ("https://github.com/user/repo", GIT),
        ("https://example.com/repo.git#v1", GIT),
        ("https://codeload.github.com/user/repo/tar.gz/abc", GIT),
        ("https://example.com/pkg-1.0.0.tgz", URL),
    ],
)
def test_source_problems(spec: str, problem: str | None) -> None:
    assert source_problem(spec) == problem


def test_catalog_references_are_not_versions() -> None:
    assert "catalog" in (source_problem("catalog:") or "")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz", None),
        ("https://artifactory.corp/api/npm/npm/@s/x/-/x-1.0.0.tgz", None),
        ("https://codeload.github.com/u/r/tar.gz/abc", GIT),
        ("git+ssh://git@github.com/u/r.git#abc", GIT),
        ("https://example.com/files/x.tgz", URL),
        ("file:vendor/x.tgz", LOCAL),
    ],
)
def test_registry_downloads_are_told_apart(url: str, problem: str | None) -> None:
    assert registry_url_problem(url) == problem


def test_names_and_aliases() -> None:
    assert split_name("@babel/core@^7.0.0") == ("@babel/core", "^7.0.0")
    assert split_name("lodash@npm:^4") == ("lodash", "npm:^4")
    assert split_name("lodash") == ("lodash", "")
    assert alias_target("npm:@babel/helper@7.22.20") == ("@babel/helper", "7.22.20")
    assert alias_target("npm:left-pad@^1") == ("left-pad", "^1")
    assert alias_target("^1.0.0") is None


def test_sri_integrity_becomes_hex_digests() -> None:
    digest = hashlib.sha512(b"tarball").digest()
    sha1 = hashlib.sha1(b"tarball").digest()  # noqa: S324 - npm's legacy integrity
    integrity = f"sha512-{base64.b64encode(digest).decode()} sha1-{base64.b64encode(sha1).decode()}"
    assert sri_hashes(integrity) == (("sha512", digest.hex()), ("sha1", sha1.hex()))


def test_malformed_integrity_is_left_out() -> None:
    assert sri_hashes("sha512-not*base64 md5-AAAA sha256-AAAA nonsense") == ()
    assert hex_hash("sha1", "a" * 40) == (("sha1", "a" * 40),)
    assert hex_hash("sha1", "xyz") == ()


def test_credentials_in_urls_are_masked() -> None:
    assert redact("https://token123@github.com/a/b.git") == "https://***@github.com/a/b.git"
    assert redact("https://user:pw@host/x.tgz") == "https://***@host/x.tgz"
    assert redact("git+ssh://git@github.com/a/b.git") == "git+ssh://git@github.com/a/b.git"
