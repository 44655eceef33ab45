"""What a check module's tests ask of the engine: each check's verdict on a resource, and
the checks it fails (every applicable check must decide: PASS or FAIL, never UNKNOWN)."""

from __future__ import annotations

from lockgate.scanners.iac.engine import CheckEngine, Verdict
from lockgate.scanners.iac.resources import Resource


def verdicts_of(engine: CheckEngine, resource: Resource) -> dict[str, Verdict]:
    """Each check's verdict on ``resource``, by check id."""
    return {o.check.id: o.verdict for o in engine.evaluate(resource)}


def failing_of(engine: CheckEngine, resource: Resource) -> set[str]:
    """The checks ``resource`` fails; asserts that every other applicable check passes."""
    found = verdicts_of(engine, resource)
    unexpected = {k: v for k, v in found.items() if v not in (Verdict.FAIL, Verdict.PASS)}
    assert not unexpected, (resource.address, unexpected)
    return {k for k, v in found.items() if v is Verdict.FAIL}
