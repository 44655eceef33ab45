"""Kustomize rendered in process: overlays, patches, names, labels, images, skips."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from lockgate.model import SkipReason
from lockgate.scanners.iac.parsers._kustomize_patches import (
    JsonPatchError,
    apply_json_patch,
    strategic_merge,
)
from lockgate.scanners.iac.parsers.kubernetes import address_of, parse
from lockgate.scanners.iac.resources import ParseResult, Resource

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "iac" / "kubernetes" / "kustomize"
PROD = "overlays/prod/kustomization.yaml"
BASE_FILES = ["base/kustomization.yaml", "base/deployment.yaml", "base/service.yaml"]
PROD_FILES = [PROD, "overlays/prod/security.yaml", "overlays/prod/extra.yaml"]


def _by_address(result: ParseResult) -> dict[str, Resource]:
    return {r.address: r for r in result.resources}


def _container(resource: Resource, name: str) -> dict[str, Any]:
    containers = resource.data["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == name)


def test_overlay_renders_its_base_with_every_transformer() -> None:
    result = parse(FIXTURES, [*BASE_FILES, *PROD_FILES])
    assert result.errors == () and result.skipped == ()
    found = _by_address(result)
    assert sorted(found) == [
        "Deployment/prod/prod-api",
        "NetworkPolicy/prod/prod-deny-all",
        "Service/prod/prod-api",
        "ServiceAccount/prod/prod-api",
    ]
    deployment = found["Deployment/prod/prod-api"].data
    spec = deployment["spec"]
    assert spec["replicas"] == 3
    assert spec["selector"]["matchLabels"] == {"app": "api", "env": "prod"}
    assert spec["template"]["metadata"]["labels"] == {"app": "api", "env": "prod"}
    assert spec["template"]["metadata"]["annotations"] == {"owner": "team-a"}
    assert deployment["metadata"]["labels"] == {"env": "prod"}
    pod = spec["template"]["spec"]
    assert pod["hostPID"] is True  # JSON 6902 patch
    assert pod["serviceAccountName"] == "prod-api"  # follows the prefixed ServiceAccount
    assert pod["volumes"] == []  # $patch: delete
    api = _container(found["Deployment/prod/prod-api"], "api")
    assert api["image"] == "registry.example.com/api:2.0"
    assert api["env"] == [{"name": "MODE", "value": "prod"}]
    assert api["securityContext"] == {"allowPrivilegeEscalation": False}
    assert api["volumeMounts"] == [{"name": "cache", "mountPath": "/cache"}]
    assert _container(found["Deployment/prod/prod-api"], "sidecar")["image"] == (
        "envoyproxy/envoy:v1.30"
    )
    assert found["Service/prod/prod-api"].data["spec"]["selector"] == {"app": "api", "env": "prod"}
    assert found["NetworkPolicy/prod/prod-deny-all"].data["spec"]["podSelector"] == {}


def test_rendered_resources_point_at_the_base_document_and_name_the_overlay() -> None:
    found = _by_address(parse(FIXTURES, [*BASE_FILES, *PROD_FILES]))
    deployment = found["Deployment/prod/prod-api"]
    assert deployment.path == PROD
    assert deployment.source_path == "base/deployment.yaml"
    assert deployment.module == "overlays/prod"
    assert (deployment.start_line, deployment.end_line) == (1, 23)
    account = found["ServiceAccount/prod/prod-api"]
    assert (account.source_path, account.start_line, account.end_line) == (
        "base/deployment.yaml",
        25,
        28,
    )
    assert found["NetworkPolicy/prod/prod-deny-all"].source_path == "overlays/prod/extra.yaml"


def test_the_base_alone_is_rendered_on_its_own() -> None:
    result = parse(FIXTURES, BASE_FILES)
    found = _by_address(result)
    assert sorted(found) == [
        "Deployment/default/api",
        "Service/default/api",
        "ServiceAccount/default/api",
    ]
    assert found["Deployment/default/api"].path == "base/kustomization.yaml"
    assert found["Deployment/default/api"].module == "base"


def test_unsupported_fields_are_skipped_while_the_rest_renders() -> None:
    result = parse(FIXTURES, ["overlays/unsupported/kustomization.yaml"])
    assert sorted(_by_address(result)) == [
        "Deployment/default/api-x",
        "Service/default/api-x",
        "ServiceAccount/default/api-x",
    ]
    assert {s.reason for s in result.skipped} == {SkipReason.UNSUPPORTED}
    details = " | ".join(s.detail for s in result.skipped)
    for expected in ("components", "configMapGenerator", "helmCharts", "remote resource"):
        assert expected in details
    assert result.errors == ()


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


POD = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n"
    "spec:\n  containers: [{{name: c, image: i}}]\n"
)


def test_cycles_are_refused_with_an_error(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "a/kustomization.yaml": "resources: [../b, pod.yaml]\n",
            "a/pod.yaml": POD.format(name="a"),
            "b/kustomization.yaml": "resources: [../a]\n",
        },
    )
    result = parse(tmp_path, ["a/kustomization.yaml", "b/kustomization.yaml", "a/pod.yaml"])
    (error,) = result.errors
    assert "cycle" in error.message
    (pod,) = result.resources
    assert (pod.address, pod.path) == ("Pod/default/a", "a/kustomization.yaml")


def test_entries_outside_the_root_and_missing_files_are_errors(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "k/kustomization.yaml": "resources: [../../etc, missing.yaml, pod.yaml, ./]\n",
            "k/pod.yaml": POD.format(name="kept"),
        },
    )
    result = parse(tmp_path, ["k/kustomization.yaml"])
    assert sorted(_by_address(result)) == ["Pod/default/kept"]
    messages = " | ".join(e.message for e in result.errors)
    assert "outside the workspace root" in messages
    assert "missing.yaml" in messages and "not found" in messages
    assert "cycle" in messages
    assert all(e.path == "k/kustomization.yaml" for e in result.errors)


def test_consumed_files_are_not_parsed_again_but_others_are(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/kustomization.yaml": "resources: [pod.yaml]\nnamespace: team\n",
            "app/pod.yaml": POD.format(name="inside"),
            "app/loose.yaml": POD.format(name="loose"),
        },
    )
    result = parse(tmp_path, ["app/kustomization.yaml", "app/pod.yaml", "app/loose.yaml"])
    assert sorted(_by_address(result)) == ["Pod/default/loose", "Pod/team/inside"]


def test_patch_targets_select_by_label_and_name_pattern(tmp_path: Path) -> None:
    two_pods = (
        POD.format(name="web-1")
        + "---\n"
        + POD.format(name="db-1").replace("metadata:\n", "metadata:\n  labels: {tier: db}\n")
    )
    _write(
        tmp_path,
        {
            "k/kustomization.yaml": (
                "resources: [pods.yaml]\n"
                "patches:\n"
                "- target: {kind: Pod, labelSelector: 'tier in (db, cache)'}\n"
                "  patch: '[{op: add, path: /spec/hostIPC, value: true}]'\n"
                "- target: {name: 'web-.*'}\n"
                "  patch: |\n"
                "    apiVersion: v1\n    kind: Pod\n    metadata: {name: ignored}\n"
                "    spec: {hostNetwork: true}\n"
            ),
            "k/pods.yaml": two_pods,
        },
    )
    found = _by_address(parse(tmp_path, ["k/kustomization.yaml"]))
    assert found["Pod/default/db-1"].data["spec"].get("hostIPC") is True
    assert "hostNetwork" not in found["Pod/default/db-1"].data["spec"]
    assert found["Pod/default/web-1"].data["spec"].get("hostNetwork") is True
    assert "hostIPC" not in found["Pod/default/web-1"].data["spec"]


def test_a_patch_that_matches_nothing_is_reported(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "k/kustomization.yaml": (
                "resources: [pod.yaml]\npatchesStrategicMerge:\n- |-\n"
                "  apiVersion: v1\n  kind: Pod\n  metadata: {name: nobody}\n"
            ),
            "k/pod.yaml": POD.format(name="one"),
        },
    )
    result = parse(tmp_path, ["k/kustomization.yaml"])
    assert sorted(_by_address(result)) == ["Pod/default/one"]
    (error,) = result.errors
    assert "matches no resource" in error.message


def test_images_set_name_tag_and_digest(tmp_path: Path) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  initContainers: [{name: i, image: 'busybox:1.0'}]\n"
        "  containers:\n  - {name: a, image: nginx}\n  - {name: b, image: 'localhost:5000/app:1'}\n"
    )
    _write(
        tmp_path,
        {
            "k/kustomization.yaml": (
                "resources: [pod.yaml]\nimages:\n"
                "- {name: nginx, newName: mirror.io/nginx, newTag: '1.27'}\n"
                "- {name: busybox, digest: 'sha256:0123'}\n"
                "- {name: 'localhost:5000/app', newTag: '2'}\n"
            ),
            "k/pod.yaml": pod,
        },
    )
    spec = _by_address(parse(tmp_path, ["k/kustomization.yaml"]))["Pod/default/p"].data["spec"]
    assert [c["image"] for c in spec["containers"]] == [
        "mirror.io/nginx:1.27",
        "localhost:5000/app:2",
    ]
    assert spec["initContainers"][0]["image"] == "busybox@sha256:0123"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (built-in kustomize) absent")
def test_rendering_matches_kubectl_kustomize() -> None:
    completed = subprocess.run(
        ["kubectl", "kustomize", str(FIXTURES / "overlays" / "prod")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if completed.returncode != 0:
        pytest.skip(f"kubectl kustomize failed: {completed.stderr.strip()[:200]}")
    expected = {address_of(d): d for d in yaml.safe_load_all(completed.stdout) if d}
    rendered = {r.address: dict(r.data) for r in parse(FIXTURES, [PROD]).resources}
    assert rendered == expected


# -- the patch engines on their own ---------------------------------------------------------


def test_strategic_merge_merges_lists_by_their_keys() -> None:
    target = {
        "spec": {
            "containers": [
                {"name": "a", "image": "x", "ports": [{"containerPort": 80, "protocol": "TCP"}]},
                {"name": "b", "image": "y"},
            ],
            "tolerations": [{"key": "k", "operator": "Exists"}],
            "args": ["one"],
            "dnsPolicy": "ClusterFirst",
        }
    }
    patch = {
        "spec": {
            "containers": [
                {"name": "a", "ports": [{"containerPort": 80, "name": "http"}]},
                {"name": "b", "$patch": "delete"},
                {"name": "c", "image": "z"},
            ],
            "args": ["two"],
            "dnsPolicy": None,
        }
    }
    merged = strategic_merge(target, patch)
    assert merged["spec"]["containers"] == [
        {
            "name": "a",
            "image": "x",
            "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"}],
        },
        {"name": "c", "image": "z"},
    ]
    assert merged["spec"]["args"] == ["two"]
    assert "dnsPolicy" not in merged["spec"]
    assert merged["spec"]["tolerations"] == [{"key": "k", "operator": "Exists"}]
    assert target["spec"]["dnsPolicy"] == "ClusterFirst", "the input is not modified"


def test_strategic_merge_replace_directives() -> None:
    target = {"a": {"x": 1, "y": 2}, "l": [{"name": "n", "v": 1}]}
    patch = {"a": {"$patch": "replace", "z": 3}, "l": [{"$patch": "replace"}, {"name": "m"}]}
    assert strategic_merge(target, patch) == {"a": {"z": 3}, "l": [{"name": "m"}]}


def test_json_patch_operations() -> None:
    document = {"a": {"b/c": 1, "m~n": 2}, "l": [1, 2, 3]}
    patched = apply_json_patch(
        document,
        [
            {"op": "add", "path": "/l/-", "value": 4},
            {"op": "add", "path": "/l/0", "value": 0},
            {"op": "remove", "path": "/l/1"},
            {"op": "replace", "path": "/a/b~1c", "value": 10},
            {"op": "copy", "from": "/a/m~0n", "path": "/copied"},
            {"op": "move", "from": "/copied", "path": "/moved"},
            {"op": "test", "path": "/moved", "value": 2},
        ],
    )
    assert patched == {"a": {"b/c": 10, "m~n": 2}, "l": [0, 2, 3, 4], "moved": 2}
    assert document["l"] == [1, 2, 3]


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        ({"op": "test", "path": "/a", "value": 2}, "differs"),
        ({"op": "remove", "path": "/missing"}, "no key"),
        ({"op": "replace", "path": "/l/9", "value": 1}, "out of range"),
        ({"op": "add", "path": "a", "value": 1}, "invalid JSON pointer"),
        ({"op": "add", "path": "/a"}, "missing 'value'"),
        ({"op": "frobnicate", "path": "/a"}, "unknown operation"),
        ({"op": "move", "from": "/l", "path": "/l/0"}, "into itself"),
    ],
)
def test_json_patch_failures_say_what_went_wrong(operation: dict[str, Any], message: str) -> None:
    with pytest.raises(JsonPatchError, match=message):
        apply_json_patch({"a": 1, "l": [1]}, [operation])


def test_legacy_bases_patch_files_and_labels(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "base/kustomization.yaml": "resources: [pod.yaml]\n",
            "base/pod.yaml": POD.format(name="web"),
            "prod/kustomization.yaml": (
                "bases: [../base]\n"
                "patches:\n- path: host.yaml\n"
                "patchesJson6902:\n"
                "- target: {version: v1, kind: Pod, name: web}\n  path: ops.json\n"
                "labels:\n- pairs: {tier: web}\n"
            ),
            "prod/host.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"
            "spec: {hostNetwork: true}\n",
            "prod/ops.json": '[{"op": "add", "path": "/spec/hostPID", "value": true}]',
        },
    )
    paths = ["base/kustomization.yaml", "base/pod.yaml", "prod/kustomization.yaml"]
    result = parse(tmp_path, [*paths, "prod/host.yaml"])
    assert result.errors == ()
    (pod,) = result.resources
    assert (pod.address, pod.path, pod.source_path) == (
        "Pod/default/web",
        "prod/kustomization.yaml",
        "base/pod.yaml",
    )
    assert pod.data["spec"]["hostNetwork"] is True and pod.data["spec"]["hostPID"] is True
    assert pod.data["metadata"]["labels"] == {"tier": "web"}
