"""Related resources: every resource that references another one is listed under the
referenced resource's ``related[<referencing type>]``, so a check on a bucket sees its
public-access block, encryption, versioning, logging, ACL and policy resources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from lockgate.scanners.iac.parsers._tf_eval import NO_KEY, InstanceKey, Ref

#: Resources linked by a literal name when no reference links them (``bucket = "logs"``).
_NAMED_TYPES = {"aws_s3_bucket": "bucket"}


class Linkable(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def base(self) -> str: ...
    @property
    def key(self) -> InstanceKey: ...
    @property
    def module(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def refs(self) -> frozenset[Ref]: ...


def related(
    nodes: Sequence[Linkable], data: Sequence[Mapping[str, Any]]
) -> list[dict[str, list[Mapping[str, Any]]]]:
    """For each node (same order), the data of the nodes that reference it, by type.
    ``data[i]`` is the final (plain) data of ``nodes[i]``. Nodes must come from one
    configuration (one root module and its modules, or one plan)."""
    by_base: dict[tuple[str, str], list[int]] = {}
    by_name: dict[tuple[str, str, str], list[int]] = {}
    for index, node in enumerate(nodes):
        by_base.setdefault((node.module, node.base), []).append(index)
        attribute = _NAMED_TYPES.get(node.type)
        name = data[index].get(attribute) if attribute else None
        if isinstance(name, str):
            by_name.setdefault((node.type, attribute or "", name), []).append(index)
    referrers: list[set[int]] = [set() for _ in nodes]
    for index, node in enumerate(nodes):
        for module, base, key in node.refs:
            for target in by_base.get((module, base), ()):
                if key is NO_KEY or nodes[target].key == key:
                    referrers[target].add(index)
        for named_type, attribute in _NAMED_TYPES.items():
            value = data[index].get(attribute)
            if node.type != named_type and isinstance(value, str):
                for target in by_name.get((named_type, attribute, value), ()):
                    referrers[target].add(index)
    result: list[dict[str, list[Mapping[str, Any]]]] = []
    for index, sources in enumerate(referrers):
        groups: dict[str, list[Mapping[str, Any]]] = {}
        for source in sorted(sources - {index}, key=lambda i: nodes[i].address):
            groups.setdefault(nodes[source].type, []).append(data[source])
        result.append(groups)
    return result
