"""Terraform plan JSON (``terraform show -json plan.out``) and state JSON to resources.

Resources come from ``planned_values`` (or ``values`` for state), every module
recursively; ``after_unknown`` of ``resource_changes`` says which values only apply will
know. References recorded in ``configuration`` link resources, as in HCL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lockgate.scanners.iac.parsers._tf_eval import NO_KEY, InstanceKey, Ref
from lockgate.scanners.iac.parsers._tf_hcl import HclError
from lockgate.scanners.iac.parsers._tf_json import AddressedObject, load_json, object_spans
from lockgate.scanners.iac.resources import MAX_DEPTH

_NOT_RESOURCES = frozenset({"var", "local", "module", "count", "each", "path", "terraform", "self"})
_INSTANCE_KEYS = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]')


@dataclass(slots=True)
class PlanResource:
    """One resource instance of a plan, with its lines in the plan file."""

    type: str
    base: str
    key: InstanceKey
    module: str
    address: str
    data: dict[str, Any]
    refs: frozenset[Ref]
    unknown: tuple[str, ...]
    start_line: int
    end_line: int


def parse_plan(text: str) -> list[PlanResource]:
    """The resources of a plan (or state) JSON document; raises HclError when malformed."""
    document = load_json(text)
    if not isinstance(document, dict):
        raise HclError("a Terraform plan must be a JSON object", line=1)
    values = document.get("planned_values")
    top_key = "planned_values"
    if values is None:
        values, top_key = document.get("values"), "values"
    if not isinstance(values, dict):
        raise HclError("not a Terraform plan: no planned_values", line=1)
    addressed: list[AddressedObject] = []
    object_spans(text, lambda _keys: False, addressed)
    lines: dict[str, tuple[int, int]] = {}
    for preferred in (True, False):  # the object under planned_values first, else any
        for found in addressed:
            if (found.top_key == top_key) == preferred:
                lines.setdefault(found.address, (found.address_line, found.end_line))
    after_unknown = _after_unknown(document.get("resource_changes"))
    references = _config_references(document.get("configuration"))
    resources: list[PlanResource] = []
    modules: list[tuple[Any, int]] = [(values.get("root_module"), 0)]
    while modules:
        module, depth = modules.pop()
        if not isinstance(module, dict) or depth > MAX_DEPTH:
            continue
        found_address = module.get("address")
        address = found_address if isinstance(found_address, str) else ""
        for item in module.get("resources") or []:
            resource = _resource(item, address, after_unknown, references, lines)
            if resource is not None:
                resources.append(resource)
        modules.extend((child, depth + 1) for child in module.get("child_modules") or [])
    resources.sort(key=lambda r: (r.start_line, r.address))
    return resources


def _resource(
    item: Any,
    module: str,
    after_unknown: dict[str, Any],
    references: dict[tuple[str, str], set[tuple[str, InstanceKey]]],
    lines: dict[str, tuple[int, int]],
) -> PlanResource | None:
    if not isinstance(item, dict):
        return None
    address, kind, name = item.get("address"), item.get("type"), item.get("name")
    if not (isinstance(address, str) and isinstance(kind, str) and isinstance(name, str)):
        return None
    resource_type = f"data.{kind}" if item.get("mode") == "data" else kind
    base = f"{resource_type}.{name}"
    index = item.get("index")
    key: InstanceKey = (
        index if isinstance(index, int | str) and not isinstance(index, bool) else NO_KEY
    )
    values = item.get("values")
    data: dict[str, Any] = dict(values) if isinstance(values, dict) else {}
    unknown: list[str] = []
    _unknown_paths(after_unknown.get(address), "", unknown)
    for dotted in unknown:
        _remove(data, dotted)
    config_key = (_INSTANCE_KEYS.sub("", module), base)
    refs = frozenset(
        (module, ref_base, ref_key) for ref_base, ref_key in references.get(config_key, ())
    )
    start, end = lines.get(address, (1, 1))
    return PlanResource(
        type=resource_type,
        base=base,
        key=key,
        module=module,
        address=address,
        data=data,
        refs=refs,
        unknown=tuple(unknown),
        start_line=start,
        end_line=end,
    )


def _after_unknown(changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for change in changes if isinstance(changes, list) else []:
        if isinstance(change, dict) and isinstance(change.get("address"), str):
            detail = change.get("change")
            if isinstance(detail, dict):
                result[change["address"]] = detail.get("after_unknown")
    return result


def _unknown_paths(marks: Any, path: str, out: list[str]) -> None:
    """Dotted paths of the ``true`` leaves of ``after_unknown``; a list with an unknown
    element counts as unknown whole."""
    if marks is True:
        if path:
            out.append(path)
    elif isinstance(marks, dict):
        for key, value in marks.items():
            _unknown_paths(value, f"{path}.{key}" if path else key, out)
    elif isinstance(marks, list):
        if any(value is True for value in marks):
            out.append(path)
        else:
            for index, value in enumerate(marks):
                _unknown_paths(value, f"{path}.{index}", out)


def _remove(data: Any, dotted: str) -> None:
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return
    if isinstance(node, dict):
        node.pop(parts[-1], None)


def _config_references(configuration: Any) -> dict[tuple[str, str], set[tuple[str, InstanceKey]]]:
    """(module path without instance keys, resource base) -> referenced resources."""
    result: dict[tuple[str, str], set[tuple[str, InstanceKey]]] = {}
    if not isinstance(configuration, dict):
        return result
    stack: list[tuple[Any, str, int]] = [(configuration.get("root_module"), "", 0)]
    while stack:
        module, prefix, depth = stack.pop()
        if not isinstance(module, dict) or depth > MAX_DEPTH:
            continue
        for item in module.get("resources") or []:
            if not isinstance(item, dict) or not isinstance(item.get("address"), str):
                continue
            base = item["address"]
            if item.get("mode") == "data" and not base.startswith("data."):
                base = f"data.{base}"
            found: set[tuple[str, InstanceKey]] = set()
            for reference in _references(item):
                target = _target(reference)
                if target is not None and target[0] != base:
                    found.add(target)
            result.setdefault((prefix, base), set()).update(found)
        calls = module.get("module_calls")
        for name, call in (calls if isinstance(calls, dict) else {}).items():
            if isinstance(call, dict):
                inner = f"{prefix}.module.{name}" if prefix else f"module.{name}"
                stack.append((call.get("module"), inner, depth + 1))
    return result


def _references(item: dict[str, Any]) -> list[str]:
    """Every ``references`` string in a configuration resource's expressions."""
    found: list[str] = []
    stack: list[tuple[Any, int]] = [
        (item.get(key), 0) for key in ("expressions", "count_expression", "for_each_expression")
    ]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, dict):
            refs = value.get("references")
            if isinstance(refs, list):
                found.extend(ref for ref in refs if isinstance(ref, str))
            stack.extend((child, depth + 1) for key, child in value.items() if key != "references")
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)
    return found


def _target(reference: str) -> tuple[str, InstanceKey] | None:
    """``aws_s3_bucket.b.id`` -> (``aws_s3_bucket.b``, NO_KEY); ``x.y[0]`` keeps the key."""
    match = re.match(
        r'(data\.)?([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)(\[(\d+|"[^"]*")\])?', reference
    )
    if match is None or (match.group(1) is None and match.group(2) in _NOT_RESOURCES):
        return None
    base = f"{match.group(1) or ''}{match.group(2)}.{match.group(3)}"
    raw_key = match.group(5)
    key: InstanceKey = NO_KEY
    if raw_key is not None:
        key = int(raw_key) if raw_key.isdigit() else raw_key[1:-1]
    return base, key
