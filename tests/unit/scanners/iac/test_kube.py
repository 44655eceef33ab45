"""Where checks find a workload's pod: podspec, podmeta and every container."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lockgate.scanners.iac.kube import pod_template, pod_view

POD_SPEC: dict[str, Any] = {
    "containers": [{"name": "app", "image": "nginx"}],
    "initContainers": [{"name": "init", "image": "busybox"}],
    "ephemeralContainers": [{"name": "debug", "image": "alpine"}],
    "hostPID": True,
}
POD_META: dict[str, Any] = {"labels": {"app": "web"}}


def _template() -> dict[str, Any]:
    return {"metadata": copy.deepcopy(POD_META), "spec": copy.deepcopy(POD_SPEC)}


@pytest.mark.parametrize(
    "resource",
    [
        {"kind": "Pod", **_template()},
        {"kind": "Deployment", "spec": {"template": _template()}},
        {"kind": "StatefulSet", "spec": {"template": _template()}},
        {"kind": "DaemonSet", "spec": {"template": _template()}},
        {"kind": "ReplicaSet", "spec": {"template": _template()}},
        {"kind": "ReplicationController", "spec": {"template": _template()}},
        {"kind": "Job", "spec": {"template": _template()}},
        {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": _template()}}}},
        {"kind": "PodTemplate", "template": _template()},
    ],
    ids=lambda r: r["kind"],
)
def test_every_workload_kind_exposes_its_pod(resource: dict[str, Any]) -> None:
    podspec, podmeta, containers = pod_view(resource)
    assert podspec == POD_SPEC
    assert podmeta == POD_META
    assert [(c["name"], c["_type"]) for c in containers] == [
        ("app", "container"),
        ("init", "initContainer"),
        ("debug", "ephemeralContainer"),
    ]
    assert containers[0]["image"] == "nginx"


def test_the_resource_itself_is_not_modified() -> None:
    resource = {"kind": "Deployment", "spec": {"template": _template()}}
    before = copy.deepcopy(resource)
    _, _, containers = pod_view(resource)
    containers[0]["image"] = "changed"
    assert resource == before


@pytest.mark.parametrize(
    "resource",
    [
        {"kind": "Service", "spec": {"template": _template()}},
        {"kind": "ConfigMap", "data": {"a": "b"}},
        {"kind": "Deployment"},
        {"kind": "Deployment", "spec": "not-a-map"},
        {"kind": "Deployment", "spec": {"template": None}},
        {"kind": "CronJob", "spec": {"jobTemplate": {"spec": None}}},
        {"kind": "CronJob", "spec": {"jobTemplate": "x"}},
    ],
)
def test_non_workloads_and_malformed_workloads_give_empty_views(resource: dict[str, Any]) -> None:
    assert pod_view(resource) == ({}, {}, [])


def test_partial_pods_give_what_is_there() -> None:
    resource = {
        "kind": "Pod",
        "spec": {"containers": [{"name": "a"}, "junk", None], "initContainers": "bad"},
    }
    podspec, podmeta, containers = pod_view(resource)
    assert podmeta == {}
    assert containers == [{"name": "a", "_type": "container"}]
    assert podspec["initContainers"] == "bad"


def test_pod_template_points_into_the_resource() -> None:
    template = _template()
    resource = {"kind": "Job", "spec": {"template": template}}
    assert pod_template(resource) is template
    assert pod_template({"kind": "Namespace"}) is None
