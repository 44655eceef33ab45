"""Listing controls and explaining rules (``lockgate controls``, ``lockgate explain``)."""

from __future__ import annotations

from dataclasses import dataclass

from lockgate.engine.registry import ControlRegistry, did_you_mean
from lockgate.errors import UsageError
from lockgate.model import RuleInfo, Stage


@dataclass(frozen=True, kw_only=True)
class ControlSummary:
    """One installed control as ``lockgate controls`` shows it."""

    id: str
    version: str
    stage: Stage
    kind: str
    title: str
    rules: int


def list_controls(registry: ControlRegistry) -> list[ControlSummary]:
    """Every installed control in pipeline order."""
    return [
        ControlSummary(
            id=c.id,
            version=c.version,
            stage=c.stage,
            kind=str(c.kind),
            title=c.title,
            rules=len(c.rules()),
        )
        for c in registry.all()
    ]


def explain(registry: ControlRegistry, rule_id: str) -> tuple[str, RuleInfo]:
    """The control id and documentation of ``rule_id`` (also found by an alias)."""
    wanted = rule_id.strip().lower()
    every: list[str] = []
    for control in registry.all():
        for rule in control.rules():
            every.append(rule.rule_id)
            if rule.rule_id.lower() == wanted or wanted in (a.lower() for a in rule.aliases):
                return control.id, rule
    short = [r.split("/", 1)[-1] for r in every]
    for full, tail in zip(every, short, strict=True):
        if tail.lower() == wanted:
            return explain(registry, full)
    close = did_you_mean(rule_id, every) or did_you_mean(rule_id, short)
    raise UsageError(
        f"unknown rule {rule_id!r}",
        hint=f"did you mean {close!r}?"
        if close
        else "rule ids look like 'secrets/aws-access-key-id'; "
        "'lockgate controls' lists the controls",
    )
