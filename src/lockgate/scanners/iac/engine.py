"""Evaluate checks on resources: CEL programs compiled once, one evaluation context per
resource (converting a resource to CEL values is the costly part, so it happens once and
only for the variables the applicable checks read).

Unknown values (a Terraform variable without a value, another resource's attribute) are
absent from the resource data, but the attribute itself was written, so it is present. A
check whose expression names an unknown attribute is evaluated with the unknown set to
each of a set of probe values (a string, booleans, numbers, ``*``, an open CIDR, empty list
and map, and every literal the expression mentions); only a verdict every probe agrees on
is reported, and a pass is not accepted from probes when the expression tests string
patterns (``matches``, ``contains``…), which no finite set of probes can stand in for.
Otherwise the outcome is ``unknown``: never a pass that was not verified.
"""

from __future__ import annotations

import copy
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lockgate.scanners.iac.checks import Check
from lockgate.scanners.iac.resources import Resource

_ABSENT = object()
PROBES: tuple[object, ...] = (
    "lockgate-unknown",
    True,
    False,
    0,
    65535,
    "*",
    "0.0.0.0/0",
    [],
    {},
    [{}],
)


class Verdict(enum.Enum):
    FAIL = "fail"  # misconfigured
    PASS = "pass"  # noqa: S105 - verified fine
    UNKNOWN = "unknown"  # depends on a value that is not known statically
    ERROR = "error"  # the expression could not be evaluated on this resource


@dataclass(frozen=True, slots=True)
class Outcome:
    check: Check
    verdict: Verdict
    detail: str = ""


def variables_for(resource: Resource, names: Iterable[str]) -> dict[str, Any]:
    """The CEL variables a check may read, computed only when ``names`` asks for them."""
    wanted = set(names)
    values: dict[str, Any] = {}
    if "resource" in wanted:
        values["resource"] = resource.data
    if "kind" in wanted:
        values["kind"] = resource.kind
    if "type" in wanted:
        values["type"] = resource.type
    if "address" in wanted:
        values["address"] = resource.address
    if "related" in wanted:
        values["related"] = dict(resource.related)
    if wanted & {"podspec", "podmeta", "containers"}:
        podspec, podmeta, containers = pod_variables(resource)
        values.update(podspec=podspec, podmeta=podmeta, containers=containers)
    return values


def pod_variables(resource: Resource) -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
    """podspec, podmeta and containers of a Kubernetes workload (empty otherwise)."""
    if resource.kind != "kubernetes":
        return {}, {}, []
    from lockgate.scanners.iac.kube import pod_view

    return pod_view(resource.data)


class CheckEngine:
    """Runs a fixed set of checks; reusable across resources and threads."""

    def __init__(self, checks: Sequence[Check]) -> None:
        self.checks = tuple(checks)
        self._by_kind: dict[str, list[Check]] = {}
        for check in self.checks:
            self._by_kind.setdefault(check.kind, []).append(check)
        self._applicable: dict[tuple[str, str], tuple[tuple[Check, ...], frozenset[str]]] = {}

    def applicable(self, resource: Resource) -> tuple[tuple[Check, ...], frozenset[str]]:
        """The checks for this kind and type, and the variables they read (cached)."""
        key = (resource.kind, resource.type)
        cached = self._applicable.get(key)
        if cached is None:
            checks = tuple(c for c in self._by_kind.get(resource.kind, ()) if c.applies(*key))
            names = frozenset().union(*(c.variables for c in checks)) if checks else frozenset()
            cached = (checks, names)
            self._applicable[key] = cached
        return cached

    def evaluate(self, resource: Resource) -> list[Outcome]:
        """Every applicable check's outcome on ``resource``."""
        import cel

        checks, names = self.applicable(resource)
        if not checks:
            return []
        try:
            context = cel.Context(variables=variables_for(resource, names))
        except (ValueError, TypeError, RuntimeError, OverflowError) as exc:
            return [Outcome(c, Verdict.ERROR, f"resource data not usable: {exc}") for c in checks]
        outcomes = []
        for check in checks:
            verdict, detail = _run(check, context)
            if resource.unknown and verdict is not Verdict.ERROR and _reads_data(check):
                verdict, detail = self._probe(check, resource, verdict)
            outcomes.append(Outcome(check, verdict, detail))
        return outcomes

    def _probe(self, check: Check, resource: Resource, first: Verdict) -> tuple[Verdict, str]:
        """Re-evaluate with every probe value in the unknown paths; agree or UNKNOWN."""
        import cel

        paths = [p for p in sorted(resource.unknown) if _mentions(check, p)]
        if not paths:
            return first, ""  # the expression never names an unknown attribute
        verdicts: set[Verdict] = set()
        for probe in probes_for(check):
            data = _with_values(resource.data, paths, probe)
            probed = Resource(
                kind=resource.kind,
                type=resource.type,
                address=resource.address,
                path=resource.path,
                start_line=resource.start_line,
                end_line=resource.end_line,
                data=data,
                related=resource.related,
            )
            try:
                context = cel.Context(variables=variables_for(probed, check.variables))
            except (ValueError, TypeError, RuntimeError, OverflowError):
                verdicts.add(Verdict.ERROR)
                continue
            verdict, _ = _run(check, context)
            verdicts.add(verdict)
            if len(verdicts) > 1:
                break
        shown = ", ".join(paths[:5]) + (" …" if len(paths) > 5 else "")
        unknown = f"depends on values not known statically ({shown})"
        if len(verdicts) != 1:
            return Verdict.UNKNOWN, unknown
        agreed = verdicts.pop()
        if agreed is Verdict.PASS and _PATTERN_TEST.search(check.cel):
            # Probes cannot stand in for every string a pattern test might match.
            return Verdict.UNKNOWN, unknown
        return agreed, ""


_PATTERN_TEST = re.compile(r"\.(?:matches|contains|startsWith|endsWith)\(")


_MACRO = re.compile(r"\.(?:exists|all|exists_one|map|filter)\(")


def _mentions(check: Check, path: str) -> bool:
    """Whether the expression can read the value at ``path``: it names the attribute itself
    (CEL field names are literal identifiers), or names its parent and iterates (a macro
    over a map or list reads members it does not name)."""
    names = [part for part in path.split(".") if not part.isdigit()]
    if not names:
        return True
    code = _code_of(check)
    if _named(code, names[-1]):
        return True
    return len(names) > 1 and _named(code, names[-2]) and bool(_MACRO.search(code))


def _code_of(check: Check) -> str:
    """The expression without its string literals (words inside patterns are not fields)."""
    return _STRING_LITERAL.sub('""', check.cel)


def _named(text: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


_STRING_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"' + r"|'((?:[^'\\]|\\.)*)'")
_NUMBER_LITERAL = re.compile(r"(?<![\w.])(\d+)(?![\w.])")


def probes_for(check: Check) -> tuple[object, ...]:
    """The generic probes plus every literal of the expression (so ``x == "public-read"``
    is probed with "public-read"), alone and inside a list (for ``"x" in list``)."""
    literals: list[object] = []
    for match in _STRING_LITERAL.finditer(check.cel):
        literals.append(match.group(1) if match.group(1) is not None else match.group(2))
    literals.extend(int(m.group(1)) for m in _NUMBER_LITERAL.finditer(check.cel))
    extra = [v for v in dict.fromkeys(literals) if v not in PROBES]
    return (*PROBES, *extra, *([v] for v in extra))


def _reads_data(check: Check) -> bool:
    return bool(check.variables & {"resource", "podspec", "podmeta", "containers", "related"})


def _run(check: Check, context: Any) -> tuple[Verdict, str]:
    try:
        result = check.program.execute(context)
    except (KeyError, ValueError, TypeError, RuntimeError, IndexError) as exc:
        return Verdict.ERROR, f"{type(exc).__name__}: {exc}"
    if result is True:
        return Verdict.FAIL, ""
    if result is False:
        return Verdict.PASS, ""
    return Verdict.ERROR, f"the expression returned {type(result).__name__}, not a boolean"


def _with_values(data: Mapping[str, Any], paths: Sequence[str], value: object) -> dict[str, Any]:
    """A copy of ``data`` with each dotted path set to ``value`` (or removed for absent)."""
    result: dict[str, Any] = copy.deepcopy(dict(data))
    for path in paths:
        parts = path.split(".")
        node: Any = result
        for part in parts[:-1]:
            node = _child(node, part, create=value is not _ABSENT)
            if node is None:
                break
        else:
            _assign(node, parts[-1], value)
    return result


def _child(node: Any, part: str, *, create: bool) -> Any:
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return node[int(part)]
        return None
    if isinstance(node, dict):
        if part not in node and create:
            node[part] = {}
        return node.get(part)
    return None


def _assign(node: Any, key: str, value: object) -> None:
    if isinstance(node, dict):
        if value is _ABSENT:
            node.pop(key, None)
        else:
            node[key] = copy.deepcopy(value)
    elif isinstance(node, list) and key.isdigit() and int(key) < len(node) and value is not _ABSENT:
        node[int(key)] = copy.deepcopy(value)


def example_resource(check: Check, example: Mapping[str, Any]) -> Resource:
    """The resource an example of a check describes (type defaults to the check's first)."""
    types = sorted(check.types) if check.types else ["example"]
    return Resource(
        kind=check.kind,
        type=str(example.get("type", types[0])),
        address=str(example.get("address", "example")),
        path="example",
        start_line=1,
        end_line=1,
        data=dict(example.get("resource") or {}),
        related=dict(example.get("related") or {}),
        unknown=frozenset(example.get("unknown") or ()),
    )


def evaluate_example(check: Check, example: Mapping[str, Any]) -> Outcome:
    """One example through the engine (explicit podspec/podmeta/containers override)."""
    resource = example_resource(check, example)
    overrides = {k: example[k] for k in ("podspec", "podmeta", "containers") if k in example}
    if not overrides:
        return next(o for o in CheckEngine([check]).evaluate(resource) if o.check is check)
    import cel

    values = variables_for(resource, check.variables - set(overrides))
    values.update({k: v for k, v in overrides.items() if k in check.variables})
    verdict, detail = _run(check, cel.Context(variables=values))
    return Outcome(check, verdict, detail)


def example_problems(check: Check) -> list[str]:
    """What is wrong with a check's examples: a missing ``fail`` or ``pass`` example, or
    an example whose verdict differs from the one it documents (empty when all is well)."""
    problems = []
    for outcome, expected in (("fail", Verdict.FAIL), ("pass", Verdict.PASS)):
        examples = check.examples.get(outcome, ())
        if not examples:
            problems.append(f"{check.id}: no '{outcome}' example ({check.source})")
        for index, example in enumerate(examples):
            result = evaluate_example(check, example)
            if result.verdict is not expected:
                detail = f" ({result.detail})" if result.detail else ""
                problems.append(
                    f"{check.id}: examples.{outcome}[{index}] gave {result.verdict.value}, "
                    f"expected {expected.value}{detail}"
                )
    return problems
