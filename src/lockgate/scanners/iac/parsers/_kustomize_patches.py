"""Kustomize patches: strategic merge (as ``kubectl``/``kustomize`` apply it to the common
kinds) and JSON patch (RFC 6902), on plain data, never modifying their input."""

from __future__ import annotations

import copy
from typing import Any

# -- strategic merge ---------------------------------------------------------------------

#: List fields merged item by item, by the key Kubernetes declares (``patchMergeKey``).
_MERGE_KEYS = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "volumes": ("name",),
    "env": ("name",),
    "imagePullSecrets": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "ports": ("containerPort", "port"),
    "hostAliases": ("ip",),
    "topologySpreadConstraints": ("topologyKey",),
    "conditions": ("type",),
}
_DIRECTIVES = ("$patch", "$retainKeys", "$deleteFromPrimitiveList", "$setElementOrder")


def strategic_merge(target: Any, patch: Any) -> Any:
    """``patch`` applied to ``target`` the way ``kubectl``/``kustomize`` merge them.

    Maps merge recursively (``null`` deletes a key, ``$patch: delete`` removes a map,
    ``$patch: replace`` replaces it); lists of containers, volumes, env, ports… merge by
    their key (``name``, ``containerPort``…); other lists are replaced.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace" or not isinstance(target, dict):
        return _clean(patch)
    result = dict(target)
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if key.startswith("$setElementOrder/") or key.startswith("$retainKeys"):
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            if value.get("$patch") == "delete":
                result.pop(key, None)
            else:
                result[key] = strategic_merge(result.get(key), value)
        elif isinstance(value, list):
            result[key] = _merge_list(key, result.get(key), value)
        else:
            result[key] = value
    return result


def _merge_list(key: str, target: Any, patch: list[Any]) -> list[Any]:
    items = [i for i in patch if not (isinstance(i, dict) and i.get("$patch") == "replace")]
    if len(items) != len(patch) or not isinstance(target, list):
        return [_clean(i) for i in items]
    merge_key = _merge_key(key, target, items)
    if merge_key is None:
        return [_clean(i) for i in items]
    result = list(target)
    for item in items:
        wanted = item.get(merge_key) if isinstance(item, dict) else None
        if wanted is None:
            result.append(_clean(item))
            continue
        position = next(
            (
                index
                for index, current in enumerate(result)
                if isinstance(current, dict) and current.get(merge_key) == wanted
            ),
            None,
        )
        if item.get("$patch") == "delete":
            if position is not None:
                del result[position]
        elif position is None:
            result.append(_clean(item))
        else:
            result[position] = strategic_merge(result[position], item)
    return result


def _merge_key(key: str, target: list[Any], patch: list[Any]) -> str | None:
    for candidate in _MERGE_KEYS.get(key, ()):
        if any(isinstance(i, dict) and candidate in i for i in (*target, *patch)):
            return candidate
    return None


def _clean(value: Any) -> Any:
    """A copy of a patch value without ``$patch``-style directives."""
    if isinstance(value, dict):
        return {
            k: _clean(v)
            for k, v in value.items()
            if not k.startswith(_DIRECTIVES) and v is not None
        }
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


# -- JSON patch (RFC 6902) ----------------------------------------------------------------


class JsonPatchError(ValueError):
    """An operation that cannot be applied (missing path, failed test, bad pointer)."""


def apply_json_patch(document: Any, operations: list[Any]) -> Any:
    """``document`` after the RFC 6902 ``operations`` (``add``, ``remove``, ``replace``,
    ``copy``, ``move``, ``test``); the input is not modified."""
    result = copy.deepcopy(document)
    for number, operation in enumerate(operations, start=1):
        if not isinstance(operation, dict) or not isinstance(operation.get("op"), str):
            raise JsonPatchError(f"operation {number} has no 'op'")
        try:
            result = _apply_operation(result, operation)
        except JsonPatchError as exc:
            raise JsonPatchError(f"operation {number} ({operation['op']}): {exc}") from None
    return result


def _apply_operation(document: Any, operation: dict[str, Any]) -> Any:
    op = operation["op"]
    path = _pointer(operation.get("path"))
    if op == "test":
        if _get(document, path) != operation.get("value"):
            raise JsonPatchError(f"value at {operation.get('path')!r} differs")
        return document
    if op == "remove":
        return _remove(document, path)
    if op == "add":
        return _add(document, path, copy.deepcopy(_value(operation)))
    if op == "replace":
        _get(document, path)
        return _add(_remove(document, path), path, copy.deepcopy(_value(operation)), insert=False)
    if op in ("copy", "move"):
        source = _pointer(operation.get("from"))
        value = copy.deepcopy(_get(document, source))
        if op == "move":
            if path[: len(source)] == source and len(path) > len(source):
                raise JsonPatchError("cannot move a value into itself")
            document = _remove(document, source)
        return _add(document, path, value)
    raise JsonPatchError(f"unknown operation {op!r}")


def _value(operation: dict[str, Any]) -> Any:
    if "value" not in operation:
        raise JsonPatchError("missing 'value'")
    return operation["value"]


def _pointer(pointer: Any) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise JsonPatchError(f"invalid JSON pointer {pointer!r}")
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def _index(container: list[Any], part: str, *, end_ok: bool) -> int:
    if part == "-" and end_ok:
        return len(container)
    if not part.isdigit() or (part != "0" and part.startswith("0")):
        raise JsonPatchError(f"invalid list index {part!r}")
    index = int(part)
    if index > len(container) or (index == len(container) and not end_ok):
        raise JsonPatchError(f"list index {index} out of range")
    return index


def _get(document: Any, path: list[str]) -> Any:
    current = document
    for token in path:
        if isinstance(current, dict):
            if token not in current:
                raise JsonPatchError(f"no key {token!r}")
            current = current[token]
        elif isinstance(current, list):
            current = current[_index(current, token, end_ok=False)]
        else:
            raise JsonPatchError(f"cannot descend into a scalar at {token!r}")
    return current


def _add(document: Any, path: list[str], value: Any, *, insert: bool = True) -> Any:
    if not path:
        return value
    parent = _get(document, path[:-1])
    token = path[-1]
    if isinstance(parent, dict):
        parent[token] = value
    elif isinstance(parent, list):
        index = _index(parent, token, end_ok=True)
        if insert:
            parent.insert(index, value)
        else:
            parent.insert(index, value)
    else:
        raise JsonPatchError(f"cannot add under a scalar at {token!r}")
    return document


def _remove(document: Any, path: list[str]) -> Any:
    if not path:
        return None
    parent = _get(document, path[:-1])
    token = path[-1]
    if isinstance(parent, dict):
        if token not in parent:
            raise JsonPatchError(f"no key {token!r}")
        del parent[token]
    elif isinstance(parent, list):
        del parent[_index(parent, token, end_ok=False)]
    else:
        raise JsonPatchError(f"cannot remove under a scalar at {token!r}")
    return document
