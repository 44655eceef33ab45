"""The check engine: verdicts, unknown values never turn into passes, bad checks reported."""

from __future__ import annotations

from typing import Any

import pytest

from lockgate.scanners.iac.checks import CheckError, parse_check
from lockgate.scanners.iac.engine import CheckEngine, Verdict, evaluate_example, probes_for
from lockgate.scanners.iac.resources import Resource


def check(cel: str, *, kind: str = "terraform", types: list[str] | None = None, **kw: Any) -> Any:
    raw = {
        "id": kw.pop("id", "LG-TEST-001"),
        "title": "t",
        "severity": "HIGH",
        "description": "d",
        "remediation": "r",
        "select": {"kind": kind, **({"types": types} if types else {})},
        "cel": cel,
        **kw,
    }
    return parse_check(raw, where="test.yaml")


def resource(data: dict[str, Any], *, unknown: tuple[str, ...] = (), **kw: Any) -> Resource:
    return Resource(
        kind=kw.get("kind", "terraform"),
        type=kw.get("type", "aws_s3_bucket"),
        address=kw.get("address", "aws_s3_bucket.b"),
        path="main.tf",
        start_line=1,
        end_line=5,
        data=data,
        unknown=frozenset(unknown),
    )


PUBLIC = 'has(resource.acl) && resource.acl == "public-read"'


def test_fail_and_pass() -> None:
    engine = CheckEngine([check(PUBLIC)])
    assert [o.verdict for o in engine.evaluate(resource({"acl": "public-read"}))] == [Verdict.FAIL]
    assert [o.verdict for o in engine.evaluate(resource({"acl": "private"}))] == [Verdict.PASS]


def test_only_checks_for_the_kind_and_type_run() -> None:
    engine = CheckEngine([check(PUBLIC, types=["aws_s3_bucket"])])
    assert engine.evaluate(resource({"acl": "public-read"}, type="aws_instance")) == []
    assert engine.evaluate(resource({}, kind="kubernetes", type="Pod")) == []


def test_an_unknown_value_the_verdict_depends_on_is_reported_as_unknown_not_pass() -> None:
    [outcome] = CheckEngine([check(PUBLIC)]).evaluate(resource({}, unknown=("acl",)))
    assert outcome.verdict is Verdict.UNKNOWN
    assert "acl" in outcome.detail


def test_an_unknown_value_the_verdict_does_not_depend_on_keeps_the_verdict() -> None:
    data = {"acl": "public-read"}
    [outcome] = CheckEngine([check(PUBLIC)]).evaluate(resource(data, unknown=("tags.Name",)))
    assert outcome.verdict is Verdict.FAIL


def test_literals_of_the_expression_are_probed() -> None:
    probes = probes_for(check('has(resource.port) && resource.port == 3389 || "x" in resource.l'))
    assert 3389 in probes and "x" in probes and ["x"] in probes


def test_a_failing_expression_is_an_error_not_a_pass() -> None:
    [outcome] = CheckEngine([check("resource.acl == 'x'")]).evaluate(resource({}))
    assert outcome.verdict is Verdict.ERROR


def test_a_non_boolean_result_is_an_error() -> None:
    [outcome] = CheckEngine([check("1 + 1")]).evaluate(resource({}))
    assert outcome.verdict is Verdict.ERROR
    assert "not a boolean" in outcome.detail


def test_invalid_cel_is_a_check_error_naming_the_check() -> None:
    with pytest.raises(CheckError) as info:
        check("resource.acl ==")
    assert "LG-TEST-001" in info.value.diagnostics()
    assert "CEL does not compile" in info.value.diagnostics()


def test_check_format_errors_are_named() -> None:
    with pytest.raises(CheckError, match=r"select\.kind"):
        check(PUBLIC, kind="ansible")
    with pytest.raises(CheckError, match="id must look like"):
        check(PUBLIC, id="lg-1")


def test_examples_are_evaluated_with_explicit_pod_variables() -> None:
    privileged = check(
        "containers.exists(c, has(c.securityContext) && has(c.securityContext.privileged)"
        " && c.securityContext.privileged)",
        kind="kubernetes",
        types=["Pod"],
    )
    fail = {"containers": [{"name": "a", "securityContext": {"privileged": True}}]}
    assert evaluate_example(privileged, fail).verdict is Verdict.FAIL
    assert evaluate_example(privileged, {"containers": [{"name": "a"}]}).verdict is Verdict.PASS


def test_a_pattern_test_on_an_unknown_value_is_unknown_even_if_every_probe_passes() -> None:
    public_policy = check('has(resource.policy) && resource.policy.matches("Principal.*\\\\*")')
    [outcome] = CheckEngine([public_policy]).evaluate(resource({}, unknown=("policy",)))
    assert outcome.verdict is Verdict.UNKNOWN


def test_unknowns_the_expression_cannot_read_do_not_matter() -> None:
    versioning = check(
        "!has(resource.versioning) || !resource.versioning.exists(v, has(v.enabled) && v.enabled)"
    )
    data = {"versioning": [{"enabled": True}]}
    [outcome] = CheckEngine([versioning]).evaluate(resource(data, unknown=("Properties.Password",)))
    assert outcome.verdict is Verdict.PASS
    [iterated] = CheckEngine([versioning]).evaluate(
        resource({"versioning": [{}]}, unknown=("versioning.0.enabled",))
    )
    assert iterated.verdict is Verdict.UNKNOWN
