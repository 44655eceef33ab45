"""Paths from other tools as lockgate reports them: POSIX and relative to the target."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.importers.paths import relative_path

BASE = Path("/home/runner/work/shop/shop")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("app/db.py", "app/db.py"),
        ("./app/db.py", "app/db.py"),
        ("app\\db.py", "app/db.py"),
        ("/home/runner/work/shop/shop/app/db.py", "app/db.py"),
        ("file:///home/runner/work/shop/shop/app/db%20old.py", "app/db old.py"),
        ("/main.tf", "main.tf"),  # Checkov: rooted at the scanned directory
        ("/usr/lib/python3.11/site-packages/x.py", "usr/lib/python3.11/site-packages/x.py"),
        ("C:\\ci\\shop\\app\\db.py", "ci/shop/app/db.py"),
        ("file:///C:/ci/shop/app/db.py", "ci/shop/app/db.py"),
        ("app/../lib/x.py", "lib/x.py"),
        ("../elsewhere/x.py", None),
        ("", None),
        ("/home/runner/work/shop/shop", None),
    ],
)
def test_relative_path(raw: str, expected: str | None) -> None:
    assert relative_path(raw, BASE) == expected


def test_windows_checkouts_are_made_relative_too() -> None:
    assert relative_path("C:\\ci\\shop\\app\\db.py", Path("C:/ci/shop")) == "app/db.py"
