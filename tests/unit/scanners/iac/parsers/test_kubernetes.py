"""Plain Kubernetes manifests: one resource per object, with lines, addresses and markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.model import ErrorKind, SkipReason
from lockgate.scanners.iac.parsers.kubernetes import address_of, parse
from lockgate.scanners.iac.resources import MAX_DOCUMENT_BYTES, ParseResult, Resource

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "iac" / "kubernetes"


def _by_address(result: ParseResult) -> dict[str, Resource]:
    return {r.address: r for r in result.resources}


def test_multi_document_manifest_gives_one_resource_per_object() -> None:
    result = parse(FIXTURES, ["manifests/app.yaml"])
    found = _by_address(result)
    assert sorted(found) == ["ClusterRole/reader", "Deployment/shop/web", "Service/default/web"]
    deployment = found["Deployment/shop/web"]
    assert deployment.kind == "kubernetes"
    assert deployment.type == "Deployment"
    assert deployment.path == "manifests/app.yaml"
    assert (deployment.start_line, deployment.end_line) == (2, 19)
    assert deployment.source_path is None and deployment.module is None
    container = deployment.data["spec"]["template"]["spec"]["containers"][0]
    assert container == {
        "name": "web",
        "image": "nginx:1.25",
        "securityContext": {"privileged": True},
    }
    assert (found["Service/default/web"].start_line, found["Service/default/web"].end_line) == (
        22,
        30,
    )
    assert found["ClusterRole/reader"].start_line == 33
    assert result.errors == ()


def test_inline_suppressions_attach_to_their_resource() -> None:
    found = _by_address(parse(FIXTURES, ["manifests/app.yaml"]))
    deployment = found["Deployment/shop/web"].suppressions
    assert [(s.check_id, s.reason, s.line) for s in deployment] == [
        ("LG-K8S-001", "needed for the demo", 19)
    ]
    service = found["Service/default/web"].suppressions
    assert [s.check_id for s in service] == ["LG-K8S-010", "LG-K8S-011"]
    assert found["ClusterRole/reader"].suppressions == ()


def test_documents_without_a_kind_are_skipped_with_their_place() -> None:
    result = parse(FIXTURES, ["manifests/app.yaml"])
    (skip,) = result.skipped
    assert skip.path == "manifests/app.yaml"
    assert skip.reason is SkipReason.NOT_APPLICABLE
    assert "document 5" in skip.detail and "line 42" in skip.detail


def test_list_kinds_are_expanded_into_items_with_their_lines() -> None:
    result = parse(FIXTURES, ["manifests/list.yaml"])
    found = _by_address(result)
    assert sorted(found) == ["ConfigMap/default/settings", "Namespace/shop"]
    config = found["ConfigMap/default/settings"]
    assert (config.start_line, config.end_line) == (4, 9)
    assert config.data["data"] == {"mode": "prod"}
    assert found["Namespace/shop"].start_line == 10
    (skip,) = result.skipped
    assert "item 2" in skip.detail and "line 14" in skip.detail


def test_json_manifest() -> None:
    found = _by_address(parse(FIXTURES, ["manifests/pod.json"]))
    pod = found["Pod/ops/probe"]
    assert pod.data["spec"]["hostNetwork"] is True
    assert (pod.start_line, pod.end_line) == (1, 9)


def test_template_syntax_outside_a_chart_is_skipped_not_an_error() -> None:
    result = parse(FIXTURES, ["manifests/templated.yaml"])
    assert result.resources == () and result.errors == ()
    (skip,) = result.skipped
    assert skip.reason is SkipReason.UNSUPPORTED
    assert "template syntax" in skip.detail


def test_broken_document_is_a_located_error_and_earlier_ones_survive() -> None:
    result = parse(FIXTURES, ["manifests/broken.yaml", "manifests/pod.json"])
    assert sorted(_by_address(result)) == ["ConfigMap/default/fine", "Pod/ops/probe"]
    (error,) = result.errors
    assert error.kind is ErrorKind.INPUT and not error.fatal
    assert error.path == "manifests/broken.yaml"
    assert error.line == 10


def test_cluster_scoped_kinds_have_no_namespace_in_their_address() -> None:
    assert address_of({"kind": "ClusterRoleBinding", "metadata": {"name": "x"}}) == (
        "ClusterRoleBinding/x"
    )
    assert address_of({"kind": "PersistentVolume", "metadata": {"name": "pv"}}) == (
        "PersistentVolume/pv"
    )
    assert address_of({"kind": "Role", "metadata": {"name": "r"}}) == "Role/default/r"
    assert address_of({"kind": "Pod", "metadata": {"generateName": "job-"}}) == ("Pod/default/job-")
    assert address_of({"kind": "Pod", "metadata": None}) == "Pod/default/(unnamed)"


def test_unreadable_inputs_are_located_errors(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"apiVersion: v1\nkind: ConfigMap\ndata: {a: \xe9}\n")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n")
    (tmp_path / "link.yaml").symlink_to(outside)
    try:
        result = parse(tmp_path, ["latin1.yaml", "link.yaml", "missing.yaml"])
    finally:
        outside.unlink()
    assert result.resources == ()
    messages = {e.path: (e.message, e.line) for e in result.errors}
    assert messages["latin1.yaml"] == ("not UTF-8 text", 3)
    assert "outside the workspace root" in messages["link.yaml"][0]
    assert "not found" in messages["missing.yaml"][0]


def test_oversized_files_are_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as stream:
        stream.truncate(MAX_DOCUMENT_BYTES + 1)
    (error,) = parse(tmp_path, ["big.yaml"]).errors
    assert "larger than" in error.message


def test_alias_bomb_in_a_manifest_is_a_located_error(tmp_path: Path) -> None:
    lines = ["apiVersion: v1", "kind: ConfigMap", 'a: &a ["x","x","x","x","x","x","x","x","x"]']
    previous = "a"
    for level in range(9):
        name = f"l{level}"
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    result = parse(tmp_path, ["bomb.yaml"])
    (error,) = result.errors
    assert "alias" in error.message and error.line is not None


def test_chart_templates_are_never_parsed_as_plain_manifests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no helm
    paths = ["helm/web/Chart.yaml", "helm/web/templates/deployment.yaml"]
    result = parse(FIXTURES, paths)
    assert result.resources == () and result.errors == ()
    (skip,) = result.skipped
    assert skip.path == "helm/web/Chart.yaml"


def test_many_objects_across_files(tmp_path: Path) -> None:
    document = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{n}\n"
        "spec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: x\n"
    )
    paths = []
    for file_number in range(20):
        text = "---\n".join(document.format(n=f"{file_number}-{i}") for i in range(100))
        (tmp_path / f"f{file_number}.yaml").write_text(text)
        paths.append(f"f{file_number}.yaml")
    result = parse(tmp_path, paths)
    assert len(result.resources) == 2000
    assert len({r.address for r in result.resources}) == 2000
    last = next(r for r in result.resources if r.address == "Deployment/default/web-19-99")
    assert (last.start_line, last.end_line) == (1090, 1099)
