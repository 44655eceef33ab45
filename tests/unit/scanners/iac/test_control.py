"""The iac control as users meet it: findings with file, lines and address, suppression,
custom CEL checks and conftest-style Rego, bad files isolated."""

from __future__ import annotations

import threading
from pathlib import Path

from lockgate.model import ErrorKind, FindingKind, Stage, TargetRef
from lockgate.scanners.iac.control import IacControl
from lockgate.scanners.interface import ControlOutput, ScanContext
from lockgate.sources.interface import FileInfo, Workspace

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:latest
          securityContext:
            privileged: true
"""

DOCKERFILE = """\
FROM python:3.12
# lockgate:ignore=LG-DF-006 the installer is vendored and reviewed
RUN curl -sSL https://example.invalid/install.sh | sh
CMD ["python", "app.py"]
"""

# conftest's own README example (Rego v1), unchanged, plus a warn rule and an exception.
CONFTEST_POLICY = """\
package main

deny contains msg if {
  input.kind == "Deployment"
  not input.spec.template.spec.securityContext.runAsNonRoot

  msg := "Containers must not run as root"
}

deny_no_owner contains msg if {
  input.kind == "Deployment"
  not input.metadata.labels.owner
  msg := sprintf("%s has no owner label", [input.metadata.name])
}

warn contains msg if {
  input.kind == "Deployment"
  msg := "review Deployments before release"
}

exception contains rules if {
  input.metadata.namespace == "shop"
  rules := ["no_owner"]
}
"""

CUSTOM_CHECK = """\
- id: ACME-K8S-001
  title: Deployments must carry an owner label
  severity: MEDIUM
  description: Every Deployment names its owning team.
  remediation: Add metadata.labels.owner.
  select: {kind: kubernetes, types: [Deployment]}
  cel: "!has(resource.metadata.labels) || !('owner' in resource.metadata.labels)"
  examples:
    fail: [{resource: {metadata: {name: a}}}]
    pass: [{resource: {metadata: {name: a, labels: {owner: shop}}}}]
"""


def workspace(root: Path, files: dict[str, str]) -> Workspace:
    infos = []
    for name, text in sorted(files.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        infos.append(FileInfo(path=name, size=len(text)))
    return Workspace(root=root, target=TargetRef(kind="directory", name="t"), files=tuple(infos))


def run(ws: Workspace, **options: object) -> ControlOutput:
    control = IacControl()
    files = tuple(f for f in ws.files if control.applies_to(f.path, f))
    context = ScanContext(workspace=ws, files=files, options=options, cancel=threading.Event())
    return control.scan(context)


def by_rule(out: ControlOutput) -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for finding in out.findings:
        found.setdefault(finding.rule_id, []).append(finding)
    return found


def test_kubernetes_findings_carry_file_lines_and_address(tmp_path: Path) -> None:
    out = run(workspace(tmp_path, {"k8s/web.yaml": DEPLOYMENT}))
    privileged = [
        f for f in out.findings if "privileged" in f.title.lower() and f.rule_id.startswith("iac/")
    ]
    assert privileged, sorted(f.rule_id for f in out.findings)
    finding = privileged[0]
    assert finding.kind is FindingKind.MISCONFIG
    assert finding.stage is Stage.DEPLOY
    assert finding.location is not None
    assert (finding.location.path, finding.location.start_line) == ("k8s/web.yaml", 1)
    assert finding.location.end_line == 13
    assert finding.prop("address") == "Deployment/shop/web"
    assert any(i.startswith("checkov:") for i in finding.identifiers)


def test_inline_ignore_suppresses_with_the_reason(tmp_path: Path) -> None:
    out = run(workspace(tmp_path, {"Dockerfile": DOCKERFILE}))
    rules = by_rule(out)
    [piped] = rules["iac/LG-DF-006"]
    assert piped.prop("suppressed") == (  # type: ignore[attr-defined]
        "inline lockgate:ignore: the installer is vendored and reviewed"
    )
    [root] = rules["iac/LG-DF-001"]
    assert root.prop("suppressed") is None  # type: ignore[attr-defined]


def test_custom_cel_checks_and_conftest_rego_policies(tmp_path: Path) -> None:
    ws = workspace(
        tmp_path,
        {
            "k8s/web.yaml": DEPLOYMENT,
            ".lockgate/checks/acme.yaml": CUSTOM_CHECK,
            ".lockgate/policy/k8s.rego": CONFTEST_POLICY,
        },
    )
    out = run(ws)
    rules = by_rule(out)
    assert "iac/ACME-K8S-001" in rules
    [rego] = rules["rego/main/deny"]
    assert rego.title == "Containers must not run as root (Deployment/shop/web)"  # type: ignore[attr-defined]
    assert rego.severity.value == "HIGH"  # type: ignore[attr-defined]
    assert rego.location.path == "k8s/web.yaml"  # type: ignore[attr-defined]
    [warned] = rules["rego/main/warn"]
    assert warned.severity.value == "MEDIUM"  # type: ignore[attr-defined]
    [waived] = rules["rego/main/deny_no_owner"]
    assert "Rego exception" in (waived.prop("suppressed") or "")  # type: ignore[attr-defined]


def test_disable_removes_a_check(tmp_path: Path) -> None:
    first = run(workspace(tmp_path / "a", {"k8s/web.yaml": DEPLOYMENT}))
    some = sorted({f.rule_id for f in first.findings})[0].removeprefix("iac/")
    second = run(workspace(tmp_path / "b", {"k8s/web.yaml": DEPLOYMENT}), disable=[some])
    assert f"iac/{some}" not in {f.rule_id for f in second.findings}


def test_a_malformed_file_is_a_located_error_and_the_rest_is_scanned(tmp_path: Path) -> None:
    broken = "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n"
    out = run(workspace(tmp_path, {"k8s/web.yaml": DEPLOYMENT, "k8s/broken.yaml": broken}))
    assert [e.path for e in out.errors] == ["k8s/broken.yaml"]
    assert out.errors[0].kind is ErrorKind.INPUT
    assert out.errors[0].line is not None
    assert any(f.location and f.location.path == "k8s/web.yaml" for f in out.findings)


def test_fingerprint_survives_moving_the_resource_down(tmp_path: Path) -> None:
    first = run(workspace(tmp_path / "a", {"k8s/web.yaml": DEPLOYMENT}))
    moved = "# a comment\n---\n" + DEPLOYMENT
    second = run(workspace(tmp_path / "b", {"k8s/web.yaml": moved}))
    assert {f.fingerprint for f in first.findings} == {f.fingerprint for f in second.findings}
