"""Checks as data: YAML files of CEL expressions, loaded, validated and compiled once.

A check is TRUE when a resource is misconfigured. Every check names the resources it
applies to (``select``), carries its documentation and the equivalent checkov and trivy
ids (``aliases``), and ships examples that the test suite evaluates.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from lockgate.errors import ConfigError
from lockgate.model import FindingKind, RuleInfo, Severity
from lockgate.scanners.iac.resources import KINDS

BUILTIN_DIR = Path(__file__).resolve().parent / "checks"
ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
_REQUIRED = ("id", "title", "severity", "description", "remediation", "select", "cel")
_KNOWN = frozenset(
    {*_REQUIRED, "references", "standards", "aliases", "examples", "message", "enabled"}
)


class CheckError(ConfigError):
    """A check file or check that cannot be used (names the file and the check)."""


@dataclass(frozen=True, kw_only=True)
class Check:
    """One compiled check."""

    id: str
    title: str
    severity: Severity
    description: str
    remediation: str
    kind: str
    types: frozenset[str] | None
    cel: str
    references: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    examples: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    source: str = ""

    @property
    def rule_id(self) -> str:
        return f"iac/{self.id}"

    @cached_property
    def program(self) -> Any:
        """The compiled CEL program (compiled once, on first use)."""
        import cel

        return cel.compile(self.cel)

    @cached_property
    def variables(self) -> frozenset[str]:
        """Top-level variables the expression reads (comprehension names included)."""
        return frozenset(self.program.variables())

    def applies(self, kind: str, type_: str) -> bool:
        return kind == self.kind and (self.types is None or type_ in self.types)

    def info(self) -> RuleInfo:
        return RuleInfo(
            rule_id=self.rule_id,
            title=self.title,
            severity=self.severity,
            kind=FindingKind.MISCONFIG,
            description=self.description,
            remediation=self.remediation,
            references=self.references,
            aliases=tuple(
                f"{tool}:{ident}" for tool, ids in sorted(self.aliases.items()) for ident in ids
            ),
        )


@dataclass(frozen=True, kw_only=True)
class CheckSet:
    """Checks of one run, with the digest of their sources (recorded in reports)."""

    checks: tuple[Check, ...]
    digest: str

    def by_id(self) -> dict[str, Check]:
        return {c.id: c for c in self.checks}


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise CheckError(f"{key} must be a list of strings", path=where)


def parse_check(raw: Mapping[str, Any], *, where: str, compile_now: bool = True) -> Check:
    """One check from its YAML mapping; CheckError names what is wrong."""
    ident = str(raw.get("id", "?"))
    at = f"{where} ({ident})"
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise CheckError(f"check is missing {', '.join(missing)}", path=at)
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise CheckError(f"unknown keys {', '.join(unknown)}", path=at)
    if not ID_PATTERN.match(ident):
        raise CheckError("id must look like LG-K8S-001", path=at)
    try:
        severity = Severity.parse(str(raw["severity"]))
    except ValueError as exc:
        raise CheckError(str(exc), path=at) from None
    select = raw["select"]
    if not isinstance(select, Mapping) or select.get("kind") not in KINDS:
        raise CheckError(f"select.kind must be one of {', '.join(KINDS)}", path=at)
    types = _strings(select.get("types"), at, "select.types")
    aliases_raw = raw.get("aliases") or {}
    if not isinstance(aliases_raw, Mapping):
        raise CheckError("aliases must map a tool name to a list of ids", path=at)
    examples_raw = raw.get("examples") or {}
    if not isinstance(examples_raw, Mapping) or set(examples_raw) - {"fail", "pass"}:
        raise CheckError("examples must have 'fail' and 'pass' lists", path=at)
    examples: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for outcome in ("fail", "pass"):
        items = examples_raw.get(outcome) or []
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise CheckError(f"examples.{outcome} must be a list of maps", path=at)
        examples[outcome] = tuple(items)
    check = Check(
        id=ident,
        title=str(raw["title"]).strip(),
        severity=severity,
        description=" ".join(str(raw["description"]).split()),
        remediation=" ".join(str(raw["remediation"]).split()),
        kind=str(select["kind"]),
        types=frozenset(types) if types else None,
        cel=str(raw["cel"]).strip(),
        references=_strings(raw.get("references"), at, "references"),
        standards=_strings(raw.get("standards"), at, "standards"),
        aliases={str(k): _strings(v, at, f"aliases.{k}") for k, v in aliases_raw.items()},
        examples=examples,
        source=where,
    )
    if compile_now:
        try:
            _ = check.program
        except (ValueError, RuntimeError) as exc:
            raise CheckError(f"CEL does not compile: {exc}", path=at) from None
    return check


def load_check_files(paths: Iterable[Path], *, compile_now: bool = True) -> CheckSet:
    """Checks from YAML files (each a list of checks); duplicate ids are an error."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    checks: list[Check] = []
    digest = hashlib.sha256()
    for path in sorted(paths):
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise CheckError(f"cannot read: {exc.strerror}", path=str(path)) from None
        digest.update(path.name.encode() + b"\0" + text)
        try:
            data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise CheckError(
                f"invalid YAML: {exc}", path=str(path), line=mark.line + 1 if mark else None
            ) from None
        if data is None:
            continue
        if not isinstance(data, list):
            raise CheckError("a check file is a YAML list of checks", path=str(path))
        for index, raw in enumerate(data):
            if not isinstance(raw, Mapping):
                raise CheckError(f"item {index} is not a mapping", path=str(path))
            checks.append(parse_check(raw, where=str(path), compile_now=compile_now))
    seen: dict[str, str] = {}
    for check in checks:
        if check.id in seen:
            raise CheckError(
                f"check id {check.id} is defined twice ({seen[check.id]})", path=check.source
            )
        seen[check.id] = check.source
    return CheckSet(checks=tuple(sorted(checks, key=lambda c: c.id)), digest=digest.hexdigest())


def builtin_checks(*, compile_now: bool = False) -> CheckSet:
    """The checks shipped with lockgate (``scanners/iac/checks/*.yaml``)."""
    return load_check_files(BUILTIN_DIR.glob("*.yaml"), compile_now=compile_now)


def select(checks: Sequence[Check], *, disabled: Iterable[str] = ()) -> tuple[Check, ...]:
    """The checks minus those disabled by id."""
    off = {d.upper() for d in disabled}
    return tuple(c for c in checks if c.id not in off and c.rule_id.upper() not in off)
