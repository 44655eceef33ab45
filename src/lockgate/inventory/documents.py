"""Loading JSON and TOML manifests with errors a user can act on (file, line, what is wrong)."""

from __future__ import annotations

import json
import re
from typing import Any

from lockgate.inventory.interface import ManifestError, ManifestSource

_TOML_LINE = re.compile(r"\(at line (\d+)")


def load_json(source: ManifestSource, what: str) -> Any:
    """The JSON document of a manifest; ManifestError with the line when it is not JSON."""
    try:
        return json.loads(source.text)
    except json.JSONDecodeError as exc:
        problem = "it is empty" if not source.text.strip() else exc.msg
        raise ManifestError(
            f"{what} is not valid JSON: {problem}",
            path=source.path,
            line=exc.lineno,
        ) from exc
    except RecursionError as exc:
        raise ManifestError(f"{what} is nested too deeply to read", path=source.path) from exc


def load_json_object(source: ManifestSource, what: str) -> dict[str, Any]:
    """A JSON manifest whose top level must be an object."""
    data = load_json(source, what)
    if not isinstance(data, dict):
        raise ManifestError(
            f"{what} must hold a JSON object at the top level, not {type(data).__name__}",
            path=source.path,
            line=1,
        )
    return data


def load_toml(source: ManifestSource, what: str) -> dict[str, Any]:
    """The TOML document of a manifest; ManifestError with the line when it is invalid."""
    import tomllib

    try:
        return tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        raise ManifestError(
            f"{what} is not valid TOML: {exc}",
            path=source.path,
            line=int(found.group(1)) if found else None,
        ) from exc
    except RecursionError as exc:
        raise ManifestError(f"{what} is nested too deeply to read", path=source.path) from exc
