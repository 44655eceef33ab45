"""Where a Kubernetes object keeps its pod: the ``podspec``, ``podmeta`` and ``containers``
variables every Kubernetes check sees (see :mod:`lockgate.scanners.iac.resources`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Kinds whose pod template sits at ``spec.template``.
TEMPLATE_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}
)
#: Every kind :func:`pod_view` finds a pod in.
WORKLOAD_KINDS = TEMPLATE_KINDS | {"Pod", "CronJob", "PodTemplate"}

_CONTAINER_LISTS = (
    ("containers", "container"),
    ("initContainers", "initContainer"),
    ("ephemeralContainers", "ephemeralContainer"),
)


def pod_template(resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The object holding the pod's ``metadata`` and ``spec``, or None for a non-workload.

    Pod: the object itself; Deployment, StatefulSet, DaemonSet, ReplicaSet,
    ReplicationController, Job: ``spec.template``; CronJob: ``spec.jobTemplate.spec.template``;
    PodTemplate: ``template``.
    """
    kind = resource.get("kind")
    if kind == "Pod":
        return resource
    if kind == "PodTemplate":
        return _mapping(resource.get("template"))
    spec = _mapping(resource.get("spec"))
    if spec is None:
        return None
    if kind in TEMPLATE_KINDS:
        return _mapping(spec.get("template"))
    if kind == "CronJob":
        job = _mapping(spec.get("jobTemplate"))
        job_spec = _mapping(job.get("spec")) if job is not None else None
        return _mapping(job_spec.get("template")) if job_spec is not None else None
    return None


def pod_view(
    resource: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """``(podspec, podmeta, containers)`` of a workload; empty for anything else.

    ``containers`` lists containers, initContainers and ephemeralContainers in that order,
    each a shallow copy with an added ``_type`` (``container``, ``initContainer``,
    ``ephemeralContainer``); entries that are not maps are left out. The resource itself is
    not modified.
    """
    template = pod_template(resource)
    if template is None:
        return {}, {}, []
    podspec = _mapping(template.get("spec")) or {}
    podmeta = _mapping(template.get("metadata")) or {}
    containers: list[dict[str, Any]] = []
    for key, label in _CONTAINER_LISTS:
        entries = podspec.get(key)
        if not isinstance(entries, list):
            continue
        containers.extend(
            {**entry, "_type": label} for entry in entries if isinstance(entry, Mapping)
        )
    return dict(podspec), dict(podmeta), containers


def _mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None
