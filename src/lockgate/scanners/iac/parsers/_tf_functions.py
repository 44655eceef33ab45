"""Terraform's common built-in functions on statically known values.

A function not listed here, or one that needs a value nobody knows (``uuid()``,
``timestamp()``, a regular expression in RE2 syntax) gives an unknown value, never a guess.
Wrong arguments raise :class:`EvalError`, as Terraform would refuse them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any, Final


class _Unknown:
    """A value that cannot be known before ``terraform apply`` (or at all, statically)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


class EvalError(Exception):
    """An expression Terraform itself would reject (wrong type, missing key…)."""


def has_unknown(value: Any) -> bool:
    """Whether ``value`` is, or contains, an unknown value."""
    if value is UNKNOWN:
        return True
    if isinstance(value, list):
        return any(has_unknown(item) for item in value)
    if isinstance(value, dict):
        return any(has_unknown(item) for item in value.values())
    return False


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number(value: Any) -> int | float:
    """A number from a number or a numeric string (Terraform converts those)."""
    if is_number(value):
        return normal_number(value)
    if isinstance(value, str):
        try:
            return normal_number(float(value)) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            pass
    raise EvalError(f"a number is required, not {type_name(value)}")


def normal_number(value: int | float) -> int | float:
    """Integral floats as ints (Terraform has one number type: ``10/2`` is ``5``)."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EvalError("not a finite number")
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
    return value


def to_string(value: Any) -> str:
    """A primitive as Terraform converts it to a string (templates, ``tostring``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    raise EvalError(f"cannot convert {type_name(value)} to a string")


def format_number(value: int | float) -> str:
    value = normal_number(value)
    if isinstance(value, int):
        return str(value)
    return repr(value)


def type_name(value: Any) -> str:  # noqa: PLR0911 - one return per type
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def _string(value: Any) -> str:
    return to_string(value)


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    raise EvalError(f"a list is required, not {type_name(value)}")


def _map(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise EvalError(f"a map is required, not {type_name(value)}")


def _int(value: Any) -> int:
    result = number(value)
    if isinstance(result, float):
        raise EvalError("a whole number is required")
    return result


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise EvalError(f"a bool is required, not {type_name(value)}")


def to_set(items: Sequence[Any]) -> list[Any]:
    """A Terraform set as a list: duplicates removed, strings and numbers sorted."""
    unique: list[Any] = []
    for item in items:
        if item is None:
            raise EvalError("sets cannot contain null")
        if not any(_equal(item, seen) for seen in unique):
            unique.append(item)
    if all(isinstance(item, str) for item in unique):
        return sorted(unique)
    if all(is_number(item) for item in unique):
        return sorted(unique)
    return unique


def _equal(left: Any, right: Any) -> bool:
    """Terraform equality: ``true`` is not ``1``, types must match."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    if is_number(left) and is_number(right):
        return bool(left == right)
    if type(left) is not type(right):
        return False
    return bool(left == right)


equal = _equal


# --- strings ----------------------------------------------------------------------------


def _format(fmt: Any, *args: Any) -> str:
    """``format``: the verbs Terraform configurations use (%s %d %v %q %t %f %%)."""
    spec = _string(fmt)
    out: list[str] = []
    position = 0
    for match in _VERB.finditer(spec):
        out.append(spec[position : match.start()])
        position = match.end()
        flags, width, precision, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        if not args:
            raise EvalError("not enough arguments for format")
        value, args = args[0], args[1:]
        out.append(_format_one(flags or "", width or "", precision or "", verb, value))
    out.append(spec[position:])
    return "".join(out)


_VERB = re.compile(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([sdvqtfeEgbxXo%])")


def _format_one(flags: str, width: str, precision: str, verb: str, value: Any) -> str:
    if verb in "sv":
        if verb == "v" and not isinstance(value, str | bool) and not is_number(value):
            text = _jsonencode(value)
        else:
            text = _string(value)
        spec = "%" + flags.replace("0", "") + width + (f".{precision}" if precision else "") + "s"
        return spec % text
    if verb == "q":
        return json.dumps(_string(value), ensure_ascii=False)
    if verb == "t":
        return "true" if _bool(value) else "false"
    converted = number(value)
    if verb in "dbxXo":
        if not isinstance(converted, int):
            raise EvalError(f"%{verb} needs a whole number")
        return format(converted, "b") if verb == "b" else ("%" + flags + width + verb) % converted
    spec = "%" + flags + width + (f".{precision}" if precision else "") + verb
    return spec % converted


def _formatlist(fmt: Any, *args: Any) -> list[str]:
    lengths = {len(arg) for arg in args if isinstance(arg, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist lists must have the same length")
    count = lengths.pop() if lengths else 1
    return [
        _format(fmt, *[arg[i] if isinstance(arg, list) else arg for arg in args])
        for i in range(count)
    ]


def _replace(text: Any, search: Any, replacement: Any) -> str:
    pattern = _string(search)
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        raise _NotStatic  # RE2 regular expressions are not emulated
    return _string(text).replace(pattern, _string(replacement))


def _substr(text: Any, offset: Any, length: Any) -> str:
    value = _string(text)
    start = _int(offset)
    if start < 0:
        start += len(value)
    size = _int(length)
    if start < 0 or start > len(value):
        raise EvalError("offset out of range")
    return value[start:] if size == -1 else value[start : start + size]


def _trim(text: Any, chars: Any) -> str:
    return _string(text).strip(_string(chars))


def _split(separator: Any, text: Any) -> list[str]:
    sep = _string(separator)
    value = _string(text)
    if sep == "":
        return list(value)
    return value.split(sep)


def _join(separator: Any, *lists: Any) -> str:
    items = [item for value in lists for item in _list(value)]
    return _string(separator).join(_string(item) for item in items)


def _indent(spaces: Any, text: Any) -> str:
    pad = " " * _int(spaces)
    return _string(text).replace("\n", "\n" + pad)


def _title(text: Any) -> str:
    return re.sub(r"(^|\s)(\S)", lambda m: m.group(1) + m.group(2).upper(), _string(text))


# --- collections ------------------------------------------------------------------------


def _length(value: Any) -> int:
    if isinstance(value, str | list | dict):
        return len(value)
    raise EvalError(f"cannot take the length of {type_name(value)}")


def _concat(*lists: Any) -> list[Any]:
    return [item for value in lists for item in _list(value)]


def _merge(*maps: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for value in maps:
        if value is None:
            continue
        result.update(_map(value))
    return result


def _tolist(value: Any) -> list[Any]:
    return list(_list(value))


def _tomap(value: Any) -> dict[str, Any]:
    return dict(_map(value))


def _keys(value: Any) -> list[str]:
    return sorted(_map(value))


def _values(value: Any) -> list[Any]:
    mapping = _map(value)
    return [mapping[key] for key in sorted(mapping)]


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    value = _map(mapping)
    name = _string(key)
    if name in value:
        return value[name]
    if default:
        return default[0]
    raise EvalError(f"no key {name!r} in the map")


def _contains(collection: Any, value: Any) -> bool:
    items = _list(collection)
    if any(_equal(item, value) for item in items if item is not UNKNOWN):
        return True
    if any(has_unknown(item) for item in items) or has_unknown(value):
        raise _NotStatic
    return False


def _element(collection: Any, index: Any) -> Any:
    items = _list(collection)
    if not items:
        raise EvalError("element of an empty list")
    return items[_int(index) % len(items)]


def _index(collection: Any, value: Any) -> int:
    for position, item in enumerate(_list(collection)):
        if _equal(item, value):
            return position
    raise EvalError("value not in the list")


def _slice(collection: Any, start: Any, end: Any) -> list[Any]:
    items = _list(collection)
    first, last = _int(start), _int(end)
    if not 0 <= first <= last <= len(items):
        raise EvalError("slice indices out of range")
    return items[first:last]


def _flatten(collection: Any) -> list[Any]:
    result: list[Any] = []
    for item in _list(collection):
        if item is UNKNOWN:
            raise _NotStatic
        if isinstance(item, list):
            result.extend(_flatten(item))
        else:
            result.append(item)
    return result


def _compact(collection: Any) -> list[str]:
    return [_string(item) for item in _list(collection) if item is not None and item != ""]


def _coalesce(*values: Any) -> Any:
    for value in values:
        if value is UNKNOWN:
            raise _NotStatic
        if value is not None and value != "":
            return value
    raise EvalError("no non-null argument")


def _coalescelist(*lists: Any) -> list[Any]:
    for value in lists:
        if value is UNKNOWN:
            raise _NotStatic
        items = _list(value)
        if items:
            return items
    return []


def _zipmap(keys: Any, values: Any) -> dict[str, Any]:
    names, items = _list(keys), _list(values)
    if len(names) != len(items):
        raise EvalError("zipmap lists must have the same length")
    if any(name is UNKNOWN for name in names):
        raise _NotStatic
    return {_string(name): item for name, item in zip(names, items, strict=True)}


def _range(*bounds: Any) -> list[int | float]:
    numbers = [number(b) for b in bounds]
    start: int | float
    stop: int | float
    step: int | float
    if len(numbers) == 1:
        start, stop, step = 0, numbers[0], 1
    elif len(numbers) == 2:
        start, stop, step = numbers[0], numbers[1], 1 if numbers[1] >= numbers[0] else -1
    elif len(numbers) == 3:
        start, stop, step = numbers
    else:
        raise EvalError("range takes one to three arguments")
    if step == 0 or abs((stop - start) / step) > 1024:
        raise EvalError("range too long")
    result: list[int | float] = []
    value = start
    while (step > 0 and value < stop) or (step < 0 and value > stop):
        result.append(normal_number(value))
        value += step
    return result


def _one(collection: Any) -> Any:
    items = _list(collection)
    if len(items) > 1:
        raise EvalError("one() needs at most one element")
    return items[0] if items else None


def _distinct(collection: Any) -> list[Any]:
    result: list[Any] = []
    for item in _list(collection):
        if not any(_equal(item, seen) for seen in result):
            result.append(item)
    return result


def _sort(collection: Any) -> list[str]:
    return sorted(_string(item) for item in _list(collection))


def _reverse(collection: Any) -> list[Any]:
    return list(reversed(_list(collection)))


def _setunion(*sets: Any) -> list[Any]:
    return to_set([item for value in sets for item in _list(value)])


def _setintersection(first: Any, *others: Any) -> list[Any]:
    rest = [_list(value) for value in others]
    return to_set(
        [item for item in _list(first) if all(any(_equal(item, o) for o in r) for r in rest)]
    )


def _setsubtract(first: Any, second: Any) -> list[Any]:
    other = _list(second)
    return to_set([item for item in _list(first) if not any(_equal(item, o) for o in other)])


def _sum(collection: Any) -> int | float:
    items = _list(collection)
    if not items:
        raise EvalError("sum of an empty list")
    return normal_number(sum(number(item) for item in items))


def _alltrue(collection: Any) -> bool:
    return all(_bool(item) for item in _list(collection))


def _anytrue(collection: Any) -> bool:
    return any(_bool(item) for item in _list(collection))


# --- numbers ----------------------------------------------------------------------------


def _min(*values: Any) -> int | float:
    if not values:
        raise EvalError("min needs arguments")
    return min(number(value) for value in values)


def _max(*values: Any) -> int | float:
    if not values:
        raise EvalError("max needs arguments")
    return max(number(value) for value in values)


def _parseint(text: Any, base: Any) -> int:
    try:
        return int(_string(text), _int(base))
    except ValueError as exc:
        raise EvalError(str(exc)) from None


# --- encoding ---------------------------------------------------------------------------


def _plain_json(value: Any) -> Any:
    if is_number(value):
        return normal_number(value)
    if isinstance(value, list):
        return [_plain_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain_json(item) for key, item in value.items()}
    return value


def _jsonencode(value: Any) -> str:
    """As Terraform (Go) writes it: compact, keys sorted, ``<>&`` escaped."""
    text = json.dumps(_plain_json(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _jsondecode(text: Any) -> Any:
    try:
        return _plain_json(json.loads(_string(text)))
    except (ValueError, RecursionError) as exc:
        raise EvalError(f"invalid JSON: {exc}") from None


def _base64encode(text: Any) -> str:
    return base64.b64encode(_string(text).encode()).decode("ascii")


def _base64decode(text: Any) -> str:
    try:
        return base64.b64decode(_string(text), validate=True).decode("utf-8")
    except ValueError as exc:
        raise EvalError(f"invalid base64: {exc}") from None


def _urlencode(text: Any) -> str:
    return urllib.parse.quote(_string(text), safe="")


def _digest(algorithm: str) -> Callable[[Any], str]:
    def digest(text: Any) -> str:
        return hashlib.new(algorithm, _string(text).encode()).hexdigest()

    return digest


def _base64sha256(text: Any) -> str:
    return base64.b64encode(hashlib.sha256(_string(text).encode()).digest()).decode("ascii")


# --- types ------------------------------------------------------------------------------


def _tostring(value: Any) -> str | None:
    return None if value is None else _string(value)


def _tonumber(value: Any) -> int | float | None:
    return None if value is None else number(value)


def _tobool(value: Any) -> bool | None:
    return None if value is None else _bool(value)


def _toset(value: Any) -> list[Any]:
    return to_set(_list(value))


def _identity(value: Any) -> Any:
    return value


class _NotStatic(Exception):
    """The result depends on something unknown (raised inside a function)."""


#: Functions that take unknown values inside their arguments in their stride (structure
#: only); every other function needs fully known arguments.
_STRUCTURAL = frozenset(
    {
        "length",
        "concat",
        "merge",
        "tolist",
        "tomap",
        "keys",
        "values",
        "lookup",
        "element",
        "slice",
        "reverse",
        "flatten",
        "coalesce",
        "coalescelist",
        "zipmap",
        "one",
        "contains",
        "sensitive",
        "nonsensitive",
    }
)

FUNCTIONS: Final[dict[str, Callable[..., Any]]] = {
    "lower": lambda s: _string(s).lower(),
    "upper": lambda s: _string(s).upper(),
    "title": _title,
    "trimspace": lambda s: _string(s).strip(),
    "trim": _trim,
    "trimprefix": lambda s, p: _string(s).removeprefix(_string(p)),
    "trimsuffix": lambda s, p: _string(s).removesuffix(_string(p)),
    "chomp": lambda s: _string(s).rstrip("\r\n"),
    "strrev": lambda s: _string(s)[::-1],
    "startswith": lambda s, p: _string(s).startswith(_string(p)),
    "endswith": lambda s, p: _string(s).endswith(_string(p)),
    "strcontains": lambda s, p: _string(p) in _string(s),
    "format": _format,
    "formatlist": _formatlist,
    "join": _join,
    "split": _split,
    "replace": _replace,
    "substr": _substr,
    "indent": _indent,
    "length": _length,
    "concat": _concat,
    "merge": _merge,
    "tolist": _tolist,
    "toset": _toset,
    "tomap": _tomap,
    "keys": _keys,
    "values": _values,
    "lookup": _lookup,
    "contains": _contains,
    "element": _element,
    "index": _index,
    "slice": _slice,
    "flatten": _flatten,
    "compact": _compact,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "zipmap": _zipmap,
    "range": _range,
    "one": _one,
    "distinct": _distinct,
    "sort": _sort,
    "reverse": _reverse,
    "setunion": _setunion,
    "setintersection": _setintersection,
    "setsubtract": _setsubtract,
    "sum": _sum,
    "alltrue": _alltrue,
    "anytrue": _anytrue,
    "min": _min,
    "max": _max,
    "abs": lambda n: abs(number(n)),
    "ceil": lambda n: math.ceil(number(n)),
    "floor": lambda n: math.floor(number(n)),
    "signum": lambda n: (number(n) > 0) - (number(n) < 0),
    "pow": lambda a, b: normal_number(float(number(a)) ** number(b)),
    "parseint": _parseint,
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "base64encode": _base64encode,
    "base64decode": _base64decode,
    "urlencode": _urlencode,
    "md5": _digest("md5"),
    "sha1": _digest("sha1"),
    "sha256": _digest("sha256"),
    "sha512": _digest("sha512"),
    "base64sha256": _base64sha256,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "sensitive": _identity,
    "nonsensitive": _identity,
}


def call(name: str, args: Sequence[Any]) -> Any:
    """``name(*args)``: the result, UNKNOWN when it cannot be known; EvalError when
    Terraform would reject the call."""
    function = FUNCTIONS.get(name)
    if function is None:
        return UNKNOWN
    if any(arg is UNKNOWN for arg in args):
        return UNKNOWN
    if name not in _STRUCTURAL and any(has_unknown(arg) for arg in args):
        return UNKNOWN
    try:
        return function(*args)
    except _NotStatic:
        return UNKNOWN
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, ZeroDivisionError) as exc:
        raise EvalError(f"{name}(): {exc}") from None
