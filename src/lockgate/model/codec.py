"""Deterministic JSON encoding and validated decoding of the model types.

Encoding is generic over the dataclasses: enums become their values, dates ISO 8601 strings,
tuples lists, ``Pairs`` fields JSON objects; ``None`` fields and empty defaults are omitted so
reports stay small and stable. Decoding is driven by the type hints and raises
:class:`DecodeError` with a JSON path on the first malformed value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import types
import typing
from typing import Any, TypeVar, get_args, get_origin

from lockgate.model.core import Decision, ScanReport

T = TypeVar("T")


class DecodeError(ValueError):
    """A JSON document does not describe the expected model type."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def to_jsonable(value: Any) -> Any:
    """Plain JSON data for a model object (dataclasses, enums, dates, tuples)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [to_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is None or (item == () and f.default == ()):
                continue
            if f.metadata.get("json") == "object":
                out[f.name] = dict(item)
            else:
                out[f.name] = to_jsonable(item)
        return out
    raise TypeError(f"cannot encode {type(value).__name__}")


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """Deterministic JSON text: sorted keys, stable separators, trailing newline."""
    return json.dumps(to_jsonable(value), indent=indent, sort_keys=True, ensure_ascii=False) + "\n"


def from_jsonable(cls: type[T], data: Any, path: str = "$") -> T:
    """Build ``cls`` from plain JSON data, validating every field."""
    return typing.cast(T, _decode(cls, data, path))


def _decode(tp: Any, data: Any, path: str) -> Any:  # noqa: PLR0911, PLR0912 - one branch per type form
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if data is None:
            return None
        return _decode(options[0], data, path)
    if tp is Any:
        return data
    if origin is tuple:
        args = get_args(tp)
        if not isinstance(data, list):
            raise DecodeError(path, f"expected an array, got {type(data).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item, f"{path}[{i}]") for i, item in enumerate(data))
        if len(args) != len(data):
            raise DecodeError(path, f"expected {len(args)} items, got {len(data)}")
        return tuple(
            _decode(a, item, f"{path}[{i}]")
            for i, (a, item) in enumerate(zip(args, data, strict=True))
        )
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(data)
        except ValueError:
            choices = ", ".join(str(m.value) for m in tp)
            raise DecodeError(path, f"{data!r} is not one of {choices}") from None
    if tp is dt.datetime:
        try:
            return dt.datetime.fromisoformat(str(data).replace("Z", "+00:00"))
        except ValueError:
            raise DecodeError(path, f"{data!r} is not an ISO 8601 date-time") from None
    if tp is dt.date:
        try:
            return dt.date.fromisoformat(str(data))
        except ValueError:
            raise DecodeError(path, f"{data!r} is not an ISO 8601 date") from None
    if tp is bool:
        if not isinstance(data, bool):
            raise DecodeError(path, f"expected a boolean, got {data!r}")
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise DecodeError(path, f"expected an integer, got {data!r}")
        return data
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise DecodeError(path, f"expected a number, got {data!r}")
        return float(data)
    if tp is str:
        if not isinstance(data, str):
            raise DecodeError(path, f"expected a string, got {type(data).__name__}")
        return data
    if dataclasses.is_dataclass(tp):
        return _decode_dataclass(tp, data, path)
    raise DecodeError(path, f"unsupported model type {tp!r}")


def _decode_dataclass(cls: Any, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise DecodeError(path, f"expected an object, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise DecodeError(path, f"unknown field(s) {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, f in known.items():
        if name not in data:
            continue
        sub = f"{path}.{name}"
        if f.metadata.get("json") == "object":
            value = data[name]
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise DecodeError(sub, "expected an object of strings")
            kwargs[name] = tuple(sorted(value.items()))
        else:
            kwargs[name] = _decode(hints[name], data[name], sub)
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise DecodeError(path, f"missing required field: {exc}") from None
    except ValueError as exc:
        raise DecodeError(path, str(exc)) from None


def report_from_json(text: str | bytes) -> tuple[ScanReport, Decision | None]:
    """Parse a native JSON report (``lockgate scan --format json``) and its decision, if any."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DecodeError(
            "$", f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, dict) or "report" not in data:
        raise DecodeError("$", "not a lockgate report: no 'report' object")
    report = from_jsonable(ScanReport, data["report"], "$.report")
    decision = None
    if data.get("decision") is not None:
        decision = from_jsonable(Decision, data["decision"], "$.decision")
    return report, decision


def report_to_json(report: ScanReport, decision: Decision | None = None) -> str:
    """The native JSON document: ``{"$schema", "report", "decision"}``."""
    document: dict[str, Any] = {
        "$schema": f"https://lockgate.dev/schemas/report-{report.schema_version}.json",
        "report": to_jsonable(report),
    }
    if decision is not None:
        document["decision"] = to_jsonable(decision)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
