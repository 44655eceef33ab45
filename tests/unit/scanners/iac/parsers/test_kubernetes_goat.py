"""The real Kubernetes Goat tree (manifests, Helm charts, Dockerfiles), read in place."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from lockgate.scanners.iac.parsers.kubernetes import parse
from lockgate.scanners.iac.resources import ParseResult
from tests.conftest import shared_dataset

_API = re.compile(rb"(?m)^\s*apiVersion\s*:")
_KIND = re.compile(rb"(?m)^\s*kind\s*:")


def _kubernetes_paths(root: Path) -> list[str]:
    """What detection hands the parser: charts, kustomizations and apiVersion+kind YAML."""
    paths = []
    for file in sorted(root.rglob("*")):
        if not file.is_file() or ".git" in file.parts:
            continue
        relative = file.relative_to(root).as_posix()
        if file.name == "Chart.yaml" or file.name.startswith("kustomization."):
            paths.append(relative)
        elif file.suffix in (".yaml", ".yml", ".json"):
            head = file.read_bytes()[:16384]
            if _API.search(head) and _KIND.search(head):
                paths.append(relative)
    return paths


@pytest.fixture(scope="module")
def goat() -> tuple[Path, list[str]]:
    root = shared_dataset("iac", "kubernetes-goat")
    return root, _kubernetes_paths(root)


@pytest.fixture
def result(
    goat: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ParseResult:
    monkeypatch.setenv("PATH", str(tmp_path))  # no helm: charts are skipped, not rendered
    root, paths = goat
    return parse(root, paths)


def test_every_document_is_a_resource_a_skip_or_a_located_error(
    goat: tuple[Path, list[str]], result: ParseResult
) -> None:
    root, paths = goat
    charts = {p.rpartition("/")[0] for p in paths if p.endswith("Chart.yaml")}
    produced: Counter[str | None] = Counter(r.path for r in result.resources)
    produced.update(s.path for s in result.skipped)
    produced.update(e.path for e in result.errors)
    for path in paths:
        if path.endswith("Chart.yaml") or any(path.startswith(f"{c}/templates/") for c in charts):
            continue
        text = (root / path).read_text()
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
        assert produced[path] == len(documents), path
    assert all(e.line is not None for e in result.errors)


def test_concrete_objects_are_read(result: ParseResult) -> None:
    found = {r.address: r for r in result.resources}
    binding = found["ClusterRoleBinding/superadmin"]
    assert binding.path == "scenarios/insecure-rbac/setup.yaml"
    assert binding.data["roleRef"]["name"] == "cluster-admin"
    assert binding.data["subjects"] == [
        {"kind": "ServiceAccount", "name": "superadmin", "namespace": "kube-system"}
    ]
    daemonset = found["DaemonSet/default/docker-bench-security"]
    assert daemonset.start_line == 12  # after the leading comment block
    volumes = daemonset.data["spec"]["template"]["spec"]["volumes"]
    assert {"path": "/var/run/docker.sock", "type": "DirectoryOrCreate"} in [
        v.get("hostPath") for v in volumes
    ]
    assert "Deployment/big-monolith/hunger-check-deployment" in found
    assert "Secret/big-monolith/vaultapikey" in found
    assert "Namespace/secure-middleware" in found
    job = found["Job/default/batch-check-job"]
    assert job.data["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "madhuakula/k8s-goat-batch-check"
    )
    assert len(found) >= 30


def test_helm_charts_are_skipped_without_helm_and_their_templates_never_parsed(
    result: ParseResult,
) -> None:
    chart_skips = sorted(s.path for s in result.skipped if s.path.endswith("Chart.yaml"))
    assert chart_skips == [
        "infrastructure/helm-tiller/pwnchart/Chart.yaml",
        "scenarios/metadata-db/Chart.yaml",
    ]
    assert not any("/templates/" in r.path for r in result.resources)
    assert not any("/templates/" in (e.path or "") for e in result.errors)


GOAT_RENDERED = """\
---
# Source: metadata-db/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: release-name-metadata-db
spec:
  type: ClusterIP
  ports:
    - {port: 80, targetPort: http, protocol: TCP, name: http}
---
# Source: metadata-db/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-name-metadata-db
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: metadata-db
          image: "madhuakula/k8s-goat-metadata-db:latest"
          imagePullPolicy: Always
---
# Source: metadata-db/templates/tests/test-connection.yaml
apiVersion: v1
kind: Pod
metadata:
  name: "release-name-metadata-db-test-connection"
  annotations:
    "helm.sh/hook": test-success
spec:
  containers:
    - name: wget
      image: busybox
  restartPolicy: Never
"""


def test_rendered_goat_chart_maps_back_to_its_real_templates(
    goat: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = goat
    helm = tmp_path / "helm"
    helm.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({GOAT_RENDERED!r})\n")
    helm.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = parse(root, ["scenarios/metadata-db/Chart.yaml"])
    assert result.errors == () and result.skipped == ()
    found = {r.address: r for r in result.resources}
    deployment = found["Deployment/default/release-name-metadata-db"]
    assert deployment.source_path == "scenarios/metadata-db/templates/deployment.yaml"
    assert (deployment.start_line, deployment.end_line) == (1, 53)
    test_pod = found["Pod/default/release-name-metadata-db-test-connection"]
    assert test_pod.source_path == "scenarios/metadata-db/templates/tests/test-connection.yaml"
    assert (test_pod.start_line, test_pod.end_line) == (1, 18)
    assert found["Service/default/release-name-metadata-db"].end_line == 19
    assert {r.path for r in result.resources} == {"scenarios/metadata-db/Chart.yaml"}
