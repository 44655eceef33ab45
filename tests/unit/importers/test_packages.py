"""Package URLs for packages other tools name by type."""

from __future__ import annotations

import pytest

from lockgate.importers.packages import package_purl


@pytest.mark.parametrize(
    ("kind", "name", "version", "purl"),
    [
        ("pip", "PyYAML", "5.3", "pkg:pypi/pyyaml@5.3"),  # normalised like lockgate's own
        ("PyPI", "Django", "4.1.0", "pkg:pypi/django@4.1.0"),
        ("npm", "@babel/traverse", "7.22.5", "pkg:npm/%40babel/traverse@7.22.5"),
        (
            "maven",
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        ),
        (
            "gomod",
            "github.com/gin-gonic/gin",
            "v1.9.0",
            "pkg:golang/github.com/gin-gonic/gin@v1.9.0",
        ),
        ("alpine", "libcrypto3", "3.1.1-r1", "pkg:apk/alpine/libcrypto3@3.1.1-r1"),
        ("Debian:11", "openssl", "1.1.1n-0+deb11u3", "pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3"),
        ("binary", "openssl", "3.0.8", "pkg:generic/openssl@3.0.8"),
    ],
)
def test_package_purl(kind: str, name: str, version: str, purl: str) -> None:
    assert package_purl(kind, name, version) == purl
