"""docker-compose files (format v2/v3 and the Compose Specification): one resource per service.

Each service becomes a ``compose_service`` resource with address ``service/<name>`` and the
line range of its entry under ``services``. Its data is the service map as written, after
YAML anchors and merge keys (``<<: *defaults``, typically defined in ``x-`` extension
fields) are resolved by the bounded loader, with one normalisation: ``environment`` written
as a list (``["A=1", "B"]``) becomes a map (``{"A": "1", "B": None}``) and every value of
the map is a string (``true`` -> ``"true"``) or ``None``. ``volumes``, ``ports`` and the
rest stay as written (short strings and long maps). ``${VAR}`` interpolation and
``extends`` are not applied. A file in the old version-1 format (services at the top level,
no ``services`` key) is skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.iac.parsers._yaml import Document, YamlError, load_documents
from lockgate.scanners.iac.parsers.dockerfile import read_source
from lockgate.scanners.iac.resources import ParseResult, Resource
from lockgate.scanners.iac.suppress import for_range, scan_lines

KIND = "compose"
TYPE = "compose_service"
_V1_HINTS = frozenset({"image", "build", "ports", "volumes", "command", "links", "environment"})


def parse(root: Path, paths: Sequence[str]) -> ParseResult:
    """One ``compose_service`` resource per service of every readable compose file."""
    resources: list[Resource] = []
    errors: list[ControlError] = []
    skipped: list[SkippedItem] = []
    base = root.resolve()
    for path in paths:
        text = read_source(base, path, skipped, errors)
        if text is None:
            continue
        try:
            documents = [d for d in load_documents(text, path) if d.data is not None]
        except YamlError as exc:
            errors.append(exc.to_control_error(path))
            continue
        if not documents:
            skipped.append(
                SkippedItem(path=path, reason=SkipReason.NOT_APPLICABLE, detail="empty file")
            )
            continue
        lines = text.splitlines()
        for document in documents:
            _services(document, path, lines, resources=resources, errors=errors, skipped=skipped)
    return ParseResult(resources=tuple(resources), errors=tuple(errors), skipped=tuple(skipped))


def _services(
    document: Document,
    path: str,
    lines: Sequence[str],
    *,
    resources: list[Resource],
    errors: list[ControlError],
    skipped: list[SkippedItem],
) -> None:
    data = document.data
    if not isinstance(data, dict):
        errors.append(_error("a compose file must be a mapping", path, document.start_line))
        return
    services = data.get("services")
    if services is None:
        looks_v1 = any(isinstance(v, dict) and _V1_HINTS & v.keys() for v in data.values())
        detail = (
            "compose file format version 1 (services at the top level) is not supported"
            if looks_v1
            else "no services"
        )
        skipped.append(SkippedItem(path=path, reason=SkipReason.UNSUPPORTED, detail=detail))
        return
    if not isinstance(services, dict):
        line = document.line_of(("services",))
        errors.append(_error("'services' must be a mapping", path, line))
        return
    markers = scan_lines(lines)
    spans = entry_spans(document, ("services",), list(services), lines)
    for name, service in services.items():
        start, end = spans[name]
        if service is not None and not isinstance(service, dict):
            errors.append(_error(f"service {name!r} must be a mapping", path, start))
            continue
        resources.append(
            Resource(
                kind=KIND,
                type=TYPE,
                address=f"service/{name}",
                path=path,
                start_line=start,
                end_line=end,
                data=_normalised(service or {}),
                suppressions=for_range(markers, lines, start, end),
            )
        )


def _normalised(service: dict[str, Any]) -> dict[str, Any]:
    if "environment" not in service:
        return service
    return {**service, "environment": environment_map(service["environment"])}


def environment_map(environment: Any) -> Any:
    """``["A=1", "B"]`` or ``{"A": 1}`` as ``{"A": "1", "B": None}``; other shapes as written."""
    if isinstance(environment, list):
        result: dict[str, str | None] = {}
        for item in environment:
            key, equals, value = _text(item).partition("=")
            result[key] = value if equals else None
        return result
    if isinstance(environment, dict):
        return {
            str(key): None if value is None else _text(value) for key, value in environment.items()
        }
    return environment


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def entry_spans(
    document: Document, parent: tuple[str, ...], keys: Sequence[str], lines: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """First and last line of each entry of the mapping at ``parent``.

    An entry ends before the next one starts, and trailing blank or comment-only lines are
    left to the next entry (where a suppression comment above it belongs).
    """
    starts: list[tuple[str, int, int]] = []
    for key in keys:
        span = document.span_of((*parent, key))
        start, end = span if span is not None else (document.start_line, document.end_line)
        starts.append((key, start, end))
    result: dict[str, tuple[int, int]] = {}
    for index, (key, start, written_end) in enumerate(starts):
        end = min(written_end, len(lines))
        if index + 1 < len(starts) and starts[index + 1][1] > start:
            end = min(end, starts[index + 1][1] - 1)
        while end > start and (not lines[end - 1].strip() or lines[end - 1].lstrip()[:1] == "#"):
            end -= 1
        result[key] = (start, max(start, end))
    return result


def _error(message: str, path: str, line: int | None) -> ControlError:
    return ControlError(kind=ErrorKind.INPUT, message=message, fatal=False, path=path, line=line)
