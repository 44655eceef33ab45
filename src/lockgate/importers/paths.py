"""Paths from other tools' reports as lockgate reports them: POSIX, relative to the target root.

Tools write paths every way there is: relative (``src/app.py``), with a leading ``./``,
absolute on the machine that ran them (``/home/ci/repo/src/app.py``), as ``file://`` URIs,
with Windows separators, or rooted at the scanned directory (Checkov's ``/main.tf``). An
absolute path under ``base`` (the scanned tree, usually the checkout the CI job ran in) is
made relative to it; any other absolute path is taken as rooted at the target, which is what
image scanners (``/usr/lib/...``) and Checkov mean. Paths that climb out of the target
(``../x``) are refused: the caller skips the entry and says why.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

_DRIVE = re.compile(r"^[A-Za-z]:/")


def _bases(base: Path | None) -> list[str]:
    if base is None:
        return []
    found = []
    for candidate in (base, base.absolute()):
        text = candidate.as_posix().rstrip("/")
        if text and text not in found:
            found.append(text)
    try:
        resolved = base.resolve().as_posix().rstrip("/")
    except OSError:
        resolved = ""
    if resolved and resolved not in found:
        found.append(resolved)
    return found


def file_uri_path(uri: str) -> str | None:
    """The local path of a ``file:`` URI (``file:///C:/x`` -> ``C:/x``), or None."""
    parts = urlsplit(uri)
    if parts.scheme.lower() != "file":
        return None
    path = unquote(parts.path)
    if parts.netloc and parts.netloc.lower() != "localhost":
        path = f"//{parts.netloc}{path}"
    if re.match(r"^/[A-Za-z]:/", path):
        path = path[1:]
    return path


def relative_path(raw: str, base: Path | None = None) -> str | None:
    """``raw`` as a POSIX path relative to the target root, or None when it leaves the root
    or is empty."""
    text = raw.strip()
    if not text:
        return None
    if text.lower().startswith("file:"):
        text = file_uri_path(text) or ""
    text = text.replace("\\", "/")
    absolute = text.startswith("/") or bool(_DRIVE.match(text))
    if absolute:
        for prefix in _bases(base):
            if text == prefix:
                return None
            if text.startswith(prefix + "/"):
                text = text[len(prefix) + 1 :]
                absolute = False
                break
    if absolute:
        text = _DRIVE.sub("", text).lstrip("/")
    text = posixpath.normpath(text) if text else ""
    if text in ("", ".") or text == ".." or text.startswith("../"):
        return None
    return text.lstrip("/") or None
