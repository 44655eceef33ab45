"""Helm charts: rendered by ``helm template`` when it is on PATH, reported as skipped otherwise.

A stand-in ``helm`` (a small script these tests write onto PATH) prints fixed rendered YAML,
so the tests need no real Helm and no network.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lockgate.model import ErrorKind, SkipReason
from lockgate.scanners.iac.parsers import _helm
from lockgate.scanners.iac.parsers.kubernetes import parse
from lockgate.scanners.iac.resources import ParseResult, Resource

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "iac" / "kubernetes"
CHART = "helm/web/Chart.yaml"
CHART_PATHS = [CHART, "helm/web/templates/deployment.yaml", "helm/web/templates/service.yaml"]

RENDERED = """\
---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: release-name-web
spec:
  type: LoadBalancer
---
# Source: web/templates/service.yaml
# lockgate:ignore=LG-K8S-050 internal only
apiVersion: v1
kind: Service
metadata:
  name: release-name-web-internal
spec:
  type: ClusterIP
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-name-web
spec:
  template:
    spec:
      hostNetwork: true
      containers:
        - name: web
          image: "nginx:1.25"
"""


def _stand_in_helm(
    directory: Path, *, stdout: str = "", stderr: str = "", status: int = 0, sleep: float = 0
) -> Path:
    """A ``helm`` executable that records its arguments and prints what it is told."""
    directory.mkdir(parents=True, exist_ok=True)
    record = directory / "argv.json"
    script = directory / "helm"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys, time\n"
        f"time.sleep({sleep!r})\n"
        f"open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        f"sys.stdout.write({stdout!r})\n"
        f"sys.stderr.write({stderr!r})\n"
        f"sys.exit({status})\n"
    )
    script.chmod(0o755)
    return record


def _by_address(result: ParseResult) -> dict[str, Resource]:
    return {r.address: r for r in result.resources}


def test_without_helm_the_chart_is_skipped_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = parse(FIXTURES, CHART_PATHS)
    assert result.resources == () and result.errors == ()
    (skip,) = result.skipped
    assert skip.path == CHART
    assert skip.reason is SkipReason.UNSUPPORTED
    assert skip.detail == "helm not found on PATH: chart not rendered"


def test_rendered_chart_resources_point_at_their_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _stand_in_helm(tmp_path / "bin", stdout=RENDERED)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    result = parse(FIXTURES, CHART_PATHS)
    assert result.errors == () and result.skipped == ()
    found = _by_address(result)
    assert sorted(found) == [
        "Deployment/default/release-name-web",
        "Service/default/release-name-web",
        "Service/default/release-name-web-internal",
    ]
    deployment = found["Deployment/default/release-name-web"]
    assert deployment.data["spec"]["template"]["spec"]["hostNetwork"] is True
    assert deployment.path == CHART
    assert deployment.source_path == "helm/web/templates/deployment.yaml"
    assert deployment.module == "helm/web"
    assert (deployment.start_line, deployment.end_line) == (1, 11)
    public = found["Service/default/release-name-web"]
    internal = found["Service/default/release-name-web-internal"]
    assert public.source_path == internal.source_path == "helm/web/templates/service.yaml"
    assert (public.start_line, public.end_line) == (1, 7)
    assert (internal.start_line, internal.end_line) == (9, 16)
    assert [s.check_id for s in internal.suppressions] == ["LG-K8S-050"]
    assert public.suppressions == ()

    argv = json.loads(record.read_text())
    assert argv[:2] == ["template", _helm.RELEASE_NAME]
    assert Path(argv[2]) == (FIXTURES / "helm" / "web").resolve()
    assert argv[argv.index("--values") + 1] == str((FIXTURES / "helm/web/values.yaml").resolve())
    assert "dependency" not in argv and "update" not in argv


def test_a_failing_helm_skips_the_chart_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand_in_helm(
        tmp_path / "bin",
        stderr="Error: found in Chart.yaml, but missing in charts/ directory: redis\n",
        status=1,
    )
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    result = parse(FIXTURES, CHART_PATHS)
    assert result.resources == ()
    (skip,) = result.skipped
    assert skip.path == CHART
    assert "helm template failed" in skip.detail and "missing in charts/" in skip.detail


def test_a_hanging_helm_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _stand_in_helm(tmp_path / "bin", stdout=RENDERED, sleep=10)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(_helm, "HELM_TIMEOUT_SECONDS", 1)
    result = parse(FIXTURES, CHART_PATHS)
    (skip,) = result.skipped
    assert "timed out" in skip.detail


def test_invalid_rendered_yaml_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = RENDERED + "---\n# Source: web/templates/broken.yaml\nkind: [\n"
    _stand_in_helm(tmp_path / "bin", stdout=broken)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    result = parse(FIXTURES, CHART_PATHS)
    assert len(result.resources) == 3
    (error,) = result.errors
    assert error.kind is ErrorKind.INPUT and error.path == CHART
    assert error.message.startswith(
        "helm template output line 34 (from web/templates/broken.yaml): invalid YAML"
    )
    assert error.line is None  # the output's line numbers mean nothing in Chart.yaml


def test_subcharts_render_with_their_parent_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _stand_in_helm(tmp_path / "bin", stdout=RENDERED)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    chart = tmp_path / "ws" / "parent"
    (chart / "charts" / "child" / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: parent\nversion: 1.0.0\n")
    (chart / "charts" / "child" / "Chart.yaml").write_text("apiVersion: v2\nname: child\n")
    (chart / "charts" / "child" / "templates" / "pod.yaml").write_text("kind: {{ x }}\n")
    paths = ["parent/Chart.yaml", "parent/charts/child/Chart.yaml"]
    result = parse(tmp_path / "ws", [*paths, "parent/charts/child/templates/pod.yaml"])
    assert len(result.resources) == 3
    assert {r.path for r in result.resources} == {"parent/Chart.yaml"}
    assert json.loads(record.read_text())[2] == str(chart.resolve())
    # templates of a missing source file stay on the rendered lines, attributed to Chart.yaml
    assert {r.source_path for r in result.resources} == {None}
