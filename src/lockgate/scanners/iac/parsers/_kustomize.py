"""Kustomize rendering built in (no ``kustomize`` binary): the subset real overlays use.

Supported: ``resources`` and ``bases`` (files and directories, recursively, cycles
refused), ``patchesStrategicMerge``, ``patches`` (``path`` or inline ``patch``, ``target``
selectors), ``patchesJson6902``, ``namePrefix``/``nameSuffix`` (with the common name
references updated), ``namespace``, ``commonLabels`` and ``labels``, ``commonAnnotations``,
``images`` and ``replicas``, applied in kustomize's order. Anything else (generators,
``components``, ``replacements``, ``helmCharts``, remote bases…) is reported as skipped
with the reason while the supported part is still rendered.

Rendered objects keep the file and lines of the document they came from, so findings
point at the base manifest while saying which overlay produced them.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.iac.kube import pod_template
from lockgate.scanners.iac.parsers._kustomize_patches import (
    JsonPatchError,
    apply_json_patch,
    strategic_merge,
)
from lockgate.scanners.iac.parsers._yaml import YamlError, load_documents
from lockgate.scanners.iac.parsers.kubernetes import (
    CLUSTER_SCOPED,
    KUSTOMIZATION_NAMES,
    ManifestObject,
    Outcome,
    SourceError,
    load_manifests,
    read_text,
    to_resource,
)

#: Fields read and applied (the rest is reported).
_SUPPORTED = frozenset(
    {
        "resources",
        "bases",
        "patchesStrategicMerge",
        "patches",
        "patchesJson6902",
        "namePrefix",
        "nameSuffix",
        "namespace",
        "commonLabels",
        "labels",
        "commonAnnotations",
        "images",
        "replicas",
    }
)
#: Fields that change nothing a check looks at.
_IGNORED = frozenset(
    {"apiVersion", "kind", "metadata", "buildMetadata", "sortOptions", "generatorOptions"}
)
_WHY_UNSUPPORTED = {
    "configMapGenerator": "generated ConfigMaps are not rendered",
    "secretGenerator": "generated Secrets are not rendered",
    "generators": "generator plugins are not run",
    "transformers": "transformer plugins are not run",
    "validators": "validator plugins are not run",
    "components": "components are not rendered",
    "replacements": "replacements are not applied",
    "vars": "vars are not substituted",
    "helmCharts": "Helm charts inside kustomizations are not inflated",
    "helmGlobals": "Helm charts inside kustomizations are not inflated",
    "helmChartInflationGenerator": "Helm charts inside kustomizations are not inflated",
    "configurations": "custom transformer configurations are not applied",
    "crds": "CRD field specs are not applied",
    "openapi": "custom OpenAPI schemas are not applied",
}
_REMOTE_PREFIXES = ("git@", "github.com/", "gitlab.com/", "bitbucket.org/", "ssh://")
_MAX_LEVELS = 50


@dataclass(slots=True)
class Rendering:
    """One top-level kustomization rendered: its resources, and every file it read."""

    kustomization: str
    outcome: Outcome = field(default_factory=Outcome)
    consumed: set[str] = field(default_factory=set)
    """Files read while rendering (manifests, patches, nested kustomization files)."""
    visited: set[str] = field(default_factory=set)
    """Directories of every kustomization rendered, this one included."""


@dataclass(slots=True)
class _Item:
    """An object travelling through the transformers, with where it came from."""

    data: dict[str, Any]
    source: ManifestObject
    original_name: str


class _Stop(Exception):
    """A kustomization that cannot be rendered at all (located error already built)."""

    def __init__(self, error: ControlError) -> None:
        super().__init__(error.message)
        self.error = error


def render_all(root: Path, kustomizations: Sequence[str]) -> Iterator[Rendering]:
    """Render every kustomization that no other one in ``kustomizations`` builds on.

    A kustomization only reached through a cycle is rendered too, so that the cycle is
    reported rather than silently dropped.
    """
    directories = {posixpath.dirname(path): path for path in kustomizations}
    referenced: set[str] = set()
    for directory, path in directories.items():
        referenced |= _referenced_directories(root, directory, path) - {directory}
    visited: set[str] = set()
    order = [d for d in directories if d not in referenced]
    order += [d for d in directories if d in referenced]
    for directory in order:
        if directory in visited:
            continue
        rendering = render(root, directories[directory])
        visited |= rendering.visited
        yield rendering


def render(root: Path, kustomization: str) -> Rendering:
    """Resources of one kustomization file (relative to ``root``) after rendering."""
    rendering = Rendering(kustomization=kustomization)
    directory = posixpath.dirname(kustomization)
    builder = _Builder(root=root, rendering=rendering)
    try:
        items = builder.build(directory, kustomization, ())
    except _Stop as stop:
        rendering.outcome.errors.append(stop.error)
        return rendering
    for item in items:
        _drop_empty_metadata_maps(item.data)
        obj = ManifestObject(
            data=item.data,
            path=item.source.path,
            start_line=item.source.start_line,
            end_line=item.source.end_line,
            suppressions=item.source.suppressions,
        )
        rendering.outcome.resources.append(
            to_resource(obj, path=kustomization, module=directory or ".")
        )
    return rendering


def _drop_empty_metadata_maps(data: dict[str, Any]) -> None:
    """As kustomize prints them: no empty ``labels``/``annotations`` left by transformers."""
    metadata = data.get("metadata")
    if isinstance(metadata, dict):
        for key in ("labels", "annotations"):
            if metadata.get(key) == {}:
                del metadata[key]


def kustomization_file(root: Path, directory: str) -> str | None:
    """The kustomization file of ``directory``, by kustomize's names, or None."""
    for name in KUSTOMIZATION_NAMES:
        candidate = posixpath.join(directory, name) if directory else name
        if (root / candidate).is_file():
            return candidate
    return None


def _referenced_directories(root: Path, directory: str, path: str) -> set[str]:
    try:
        spec = _load_kustomization(root, path)
    except _Stop:
        return set()
    found: set[str] = set()
    for entry in _entries(spec, "resources") + _entries(spec, "bases"):
        if not isinstance(entry, str) or _is_remote(entry):
            continue
        target = _join(directory, entry)
        if target is not None and (root / target).is_dir():
            found.add(target)
    return found


def _load_kustomization(root: Path, path: str) -> dict[str, Any]:
    try:
        documents = [d for d in load_documents(read_text(root, path), path) if d.data is not None]
    except SourceError as exc:
        raise _Stop(exc.to_control_error(path)) from None
    except YamlError as exc:
        raise _Stop(exc.to_control_error(path)) from None
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        raise _Stop(_error(path, "a kustomization must be one YAML mapping"))
    return documents[0].data


@dataclass
class _Builder:
    root: Path
    rendering: Rendering

    def build(self, directory: str, path: str, chain: tuple[str, ...]) -> list[_Item]:
        """The objects ``directory``'s kustomization (file ``path``) produces."""
        if directory in chain:
            cycle = " -> ".join((*chain, directory))
            raise _Stop(_error(path, f"kustomization cycle: {cycle}"))
        if len(chain) >= _MAX_LEVELS:
            raise _Stop(_error(path, f"kustomizations nested more than {_MAX_LEVELS} deep"))
        self.rendering.visited.add(directory)
        self.rendering.consumed.add(path)
        spec = _load_kustomization(self.root, path)
        self._report_unsupported(path, spec)
        items: list[_Item] = []
        for field_name in ("resources", "bases"):
            for entry in _entries(spec, field_name):
                items.extend(self._resource(directory, path, entry, (*chain, directory)))
        transforms = _Transforms(self, directory, path, spec)
        return transforms.apply(items)

    def _report_unsupported(self, path: str, spec: dict[str, Any]) -> None:
        for key in spec:
            if key in _SUPPORTED or key in _IGNORED:
                continue
            why = _WHY_UNSUPPORTED.get(key, "unknown kustomization field: ignored")
            self.skip(path, f"{key}: {why}")

    def _resource(
        self, directory: str, path: str, entry: Any, chain: tuple[str, ...]
    ) -> list[_Item]:
        target = self._local_target(directory, path, entry)
        if target is None:
            return []
        if not (self.root / target).is_dir():
            return self.read_objects(path, target, str(entry))
        nested = kustomization_file(self.root, target)
        if nested is None:
            self.error(path, f"resource directory {entry!r} has no kustomization file")
            return []
        try:
            return self.build(target, nested, chain)
        except _Stop as stop:
            self.rendering.outcome.errors.append(stop.error)
        return []

    def _local_target(self, directory: str, path: str, entry: Any) -> str | None:
        """The workspace path a resource entry names, or None (reported) if unusable."""
        if not isinstance(entry, str) or not entry:
            self.error(path, f"resource entry must be a path, got {entry!r}")
            return None
        if _is_remote(entry):
            self.skip(path, f"remote resource {entry!r}: not fetched (no network)")
            return None
        target = _join(directory, entry)
        if target is None:
            self.error(path, f"resource {entry!r} is outside the workspace root")
        return target

    def read_objects(self, path: str, target: str, entry: str) -> list[_Item]:
        try:
            text = read_text(self.root, target)
        except SourceError as exc:
            self.error(path, f"resource {entry!r}: {exc.message}")
            return []
        self.rendering.consumed.add(target)
        loaded = load_manifests(text, target)
        self.rendering.outcome.errors.extend(loaded.errors)
        self.rendering.outcome.skipped.extend(loaded.skipped)
        return [
            _Item(data=obj.data, source=obj, original_name=_name(obj.data))
            for obj in loaded.objects
        ]

    def read_patch(self, path: str, directory: str, entry: str) -> tuple[str, str] | None:
        """(text, file) of a patch file named by ``entry``, or None with the error reported."""
        target = _join(directory, entry)
        if target is None:
            self.error(path, f"patch {entry!r} is outside the workspace root")
            return None
        try:
            text = read_text(self.root, target)
        except SourceError as exc:
            self.error(path, f"patch {entry!r}: {exc.message}")
            return None
        self.rendering.consumed.add(target)
        return text, target

    def error(self, path: str, message: str, line: int | None = None) -> None:
        self.rendering.outcome.errors.append(_error(path, message, line))

    def skip(self, path: str, detail: str) -> None:
        self.rendering.outcome.skipped.append(
            SkippedItem(path=path, reason=SkipReason.UNSUPPORTED, detail=detail)
        )


class _Transforms:
    """One kustomization's transformers over the objects its resources produced."""

    def __init__(self, builder: _Builder, directory: str, path: str, spec: dict[str, Any]):
        self.builder = builder
        self.directory = directory
        self.path = path
        self.spec = spec

    def apply(self, items: list[_Item]) -> list[_Item]:
        # kustomize's order: patches before names change, names before references
        items = [_Item(copy.deepcopy(i.data), i.source, i.original_name) for i in items]
        items = self._strategic_merge_patches(items)
        items = self._patches(items)
        self._namespace(items)
        self._names(items)
        self._labels(items)
        self._annotations(items)
        items = self._json6902_patches(items)
        self._replicas(items)
        self._images(items)
        return items

    # -- patches ---------------------------------------------------------------------

    def _strategic_merge_patches(self, items: list[_Item]) -> list[_Item]:
        for entry in _entries(self.spec, "patchesStrategicMerge"):
            if not isinstance(entry, str):
                self.builder.error(self.path, f"patchesStrategicMerge entry {entry!r}")
                continue
            loaded = self._patch_text(entry, inline_if_multiline=True)
            if loaded is None:
                continue
            text, where = loaded
            for patch in self._patch_documents(text, where):
                if isinstance(patch, dict):
                    items = self._merge_into(items, patch, None, where)
                else:
                    self.builder.error(where, "a strategic-merge patch must be a mapping")
        return items

    def _patches(self, items: list[_Item]) -> list[_Item]:
        for entry in _entries(self.spec, "patches"):
            if not isinstance(entry, dict):
                self.builder.error(self.path, f"patches entry must be a mapping, got {entry!r}")
                continue
            loaded = self._patch_source(entry)
            if loaded is None:
                continue
            text, where = loaded
            target = entry.get("target")
            if target is not None and not isinstance(target, dict):
                self.builder.error(self.path, "patch target must be a mapping")
                continue
            for patch in self._patch_documents(text, where):
                if isinstance(patch, list):
                    if target is None:
                        self.builder.error(where, "a JSON 6902 patch needs a target")
                        continue
                    items = self._json_patch(items, patch, target, where)
                elif isinstance(patch, dict):
                    items = self._merge_into(items, patch, target, where)
                else:
                    self.builder.error(where, "a patch must be a mapping or a list of operations")
        return items

    def _json6902_patches(self, items: list[_Item]) -> list[_Item]:
        for entry in _entries(self.spec, "patchesJson6902"):
            if not isinstance(entry, dict) or not isinstance(entry.get("target"), dict):
                self.builder.error(self.path, "patchesJson6902 entries need a target mapping")
                continue
            loaded = self._patch_source(entry)
            if loaded is None:
                continue
            text, where = loaded
            for patch in self._patch_documents(text, where):
                if isinstance(patch, list):
                    items = self._json_patch(items, patch, entry["target"], where)
                else:
                    self.builder.error(where, "a JSON 6902 patch must be a list of operations")
        return items

    def _patch_source(self, entry: dict[str, Any]) -> tuple[str, str] | None:
        inline, file = entry.get("patch"), entry.get("path")
        if isinstance(inline, str):
            return inline, self.path
        if isinstance(file, str):
            return self._patch_text(file, inline_if_multiline=False)
        self.builder.error(self.path, "a patch needs 'path' or an inline 'patch'")
        return None

    def _patch_text(self, entry: str, *, inline_if_multiline: bool) -> tuple[str, str] | None:
        if inline_if_multiline and "\n" in entry:
            return entry, self.path
        return self.builder.read_patch(self.path, self.directory, entry)

    def _patch_documents(self, text: str, where: str) -> list[Any]:
        try:
            return [d.data for d in load_documents(text, where) if d.data is not None]
        except YamlError as exc:
            self.builder.rendering.outcome.errors.append(exc.to_control_error(where))
            return []

    def _merge_into(
        self, items: list[_Item], patch: dict[str, Any], target: dict[str, Any] | None, where: str
    ) -> list[_Item]:
        selector = target if target is not None else _selector_of(patch)
        if selector is None:
            self.builder.error(where, "a strategic-merge patch needs kind and metadata.name")
            return items
        matched = [i for i in items if _matches(i, selector)]
        if not matched:
            self.builder.error(where, f"patch matches no resource ({_describe(selector)})")
            return items
        deleted: set[int] = set()
        for item in matched:
            if patch.get("$patch") == "delete":
                deleted.add(id(item))
                continue
            body = patch
            if target is not None:  # a targeted patch does not rename what it patches
                body = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind")}
                meta = body.get("metadata")
                if isinstance(meta, dict):
                    body["metadata"] = {k: v for k, v in meta.items() if k != "name"}
            item.data = strategic_merge(item.data, body)
        return [i for i in items if id(i) not in deleted]

    def _json_patch(
        self, items: list[_Item], operations: list[Any], target: dict[str, Any], where: str
    ) -> list[_Item]:
        matched = [i for i in items if _matches(i, target)]
        if not matched:
            self.builder.error(where, f"patch matches no resource ({_describe(target)})")
        for item in matched:
            try:
                patched = apply_json_patch(item.data, operations)
            except JsonPatchError as exc:
                self.builder.error(where, f"JSON patch on {_describe_item(item)}: {exc}")
                continue
            if isinstance(patched, dict):
                item.data = patched
            else:
                self.builder.error(where, "a JSON patch replaced a whole object by a non-mapping")
        return items

    # -- names, namespace, labels, annotations -----------------------------------------

    def _namespace(self, items: list[_Item]) -> None:
        namespace = self.spec.get("namespace")
        if not isinstance(namespace, str) or not namespace:
            return
        for item in items:
            data, kind = item.data, item.data.get("kind")
            metadata = _metadata(data)
            if kind == "Namespace":
                metadata["name"] = namespace
            elif kind not in CLUSTER_SCOPED:
                metadata["namespace"] = namespace
            if kind in ("RoleBinding", "ClusterRoleBinding"):
                for subject in _dicts(data.get("subjects")):
                    if subject.get("kind") == "ServiceAccount" and subject.get(
                        "namespace", "default"
                    ) in ("default", ""):
                        subject["namespace"] = namespace

    def _names(self, items: list[_Item]) -> None:
        prefix = self.spec.get("namePrefix") or ""
        suffix = self.spec.get("nameSuffix") or ""
        if not isinstance(prefix, str) or not isinstance(suffix, str) or not (prefix or suffix):
            return
        renamed: dict[tuple[str, str], str] = {}
        for item in items:
            kind = item.data.get("kind")
            if kind in ("Namespace", "CustomResourceDefinition"):
                continue
            metadata = _metadata(item.data)
            name = metadata.get("name")
            if isinstance(name, str):
                metadata["name"] = f"{prefix}{name}{suffix}"
                renamed[(str(kind), name)] = metadata["name"]
        for item in items:
            _update_references(item.data, renamed)

    def _labels(self, items: list[_Item]) -> None:
        common = self.spec.get("commonLabels")
        if isinstance(common, dict) and common:
            for item in items:
                _add_labels(item.data, _strings(common), selectors=True, templates=True)
        for entry in _entries(self.spec, "labels"):
            if not isinstance(entry, dict) or not isinstance(entry.get("pairs"), dict):
                self.builder.error(self.path, "labels entries need a 'pairs' mapping")
                continue
            selectors = entry.get("includeSelectors") is True
            templates = selectors or entry.get("includeTemplates") is True
            for item in items:
                _add_labels(
                    item.data, _strings(entry["pairs"]), selectors=selectors, templates=templates
                )

    def _annotations(self, items: list[_Item]) -> None:
        common = self.spec.get("commonAnnotations")
        if not isinstance(common, dict) or not common:
            return
        values = _strings(common)
        for item in items:
            _metadata(item.data).setdefault("annotations", {}).update(values)
            for template in _template_metadata(item.data, create=True):
                template.setdefault("annotations", {}).update(values)

    # -- replicas and images ----------------------------------------------------------

    def _replicas(self, items: list[_Item]) -> None:
        for entry in _entries(self.spec, "replicas"):
            if not isinstance(entry, dict) or not isinstance(entry.get("count"), int):
                self.builder.error(self.path, "replicas entries need a name and an integer count")
                continue
            for item in items:
                if item.data.get("kind") not in _REPLICATED:
                    continue
                if entry.get("name") in (_name(item.data), item.original_name):
                    spec = item.data.setdefault("spec", {})
                    if isinstance(spec, dict):
                        spec["replicas"] = entry["count"]

    def _images(self, items: list[_Item]) -> None:
        rules = [e for e in _entries(self.spec, "images") if isinstance(e, dict) and e.get("name")]
        if not rules:
            return
        for item in items:
            for container in _containers_anywhere(item.data):
                image = container.get("image")
                if isinstance(image, str):
                    container["image"] = _retag(image, rules)


_REPLICATED = frozenset({"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"})
_SELECTOR_KINDS = frozenset(
    {"Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "PodDisruptionBudget"}
)
_TEMPLATE_KINDS = frozenset(
    {"Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController"}
)


def _add_labels(
    data: dict[str, Any], labels: dict[str, str], *, selectors: bool, templates: bool
) -> None:
    """Labels where ``kustomize`` puts them for the common kinds."""
    _metadata(data).setdefault("labels", {}).update(labels)
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    if templates:
        for template in _template_metadata(data, create=True):
            template.setdefault("labels", {}).update(labels)
        if data.get("kind") == "StatefulSet":
            for claim in _dicts(spec.get("volumeClaimTemplates")):
                _metadata(claim).setdefault("labels", {}).update(labels)
    if selectors:
        _add_selector_labels(str(data.get("kind")), spec, labels)


def _add_selector_labels(kind: str, spec: dict[str, Any], labels: dict[str, str]) -> None:
    if kind in ("Service", "ReplicationController"):
        selector = spec.setdefault("selector", {})
        if isinstance(selector, dict):
            selector.update(labels)
    elif kind in _SELECTOR_KINDS:
        selector = spec.setdefault("selector", {})
        if isinstance(selector, dict):
            selector.setdefault("matchLabels", {}).update(labels)
    elif kind == "NetworkPolicy":
        _update_selector(spec.get("podSelector"), labels)
        peers = [p for r in _dicts(spec.get("ingress")) for p in _dicts(r.get("from"))]
        peers += [p for r in _dicts(spec.get("egress")) for p in _dicts(r.get("to"))]
        for peer in peers:
            _update_selector(peer.get("podSelector"), labels)


def _update_selector(selector: Any, labels: dict[str, str]) -> None:
    """Network policy selectors get the labels only where they already match on labels."""
    if isinstance(selector, dict) and isinstance(selector.get("matchLabels"), dict):
        selector["matchLabels"].update(labels)


def _template_metadata(data: dict[str, Any], *, create: bool) -> list[dict[str, Any]]:
    """The pod template metadata maps (and a CronJob's job template metadata)."""
    kind = data.get("kind")
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return []
    holders: list[dict[str, Any]] = []
    if kind in _TEMPLATE_KINDS and isinstance(spec.get("template"), dict):
        holders.append(spec["template"])
    elif kind == "CronJob" and isinstance(spec.get("jobTemplate"), dict):
        job = spec["jobTemplate"]
        holders.append(job)
        job_spec = job.get("spec")
        if isinstance(job_spec, dict) and isinstance(job_spec.get("template"), dict):
            holders.append(job_spec["template"])
    found = []
    for holder in holders:
        metadata = holder.get("metadata")
        if not isinstance(metadata, dict):
            if not create:
                continue
            metadata = holder["metadata"] = {}
        found.append(metadata)
    return found


_Rename = Callable[[str, Any], Any]


def _update_references(data: dict[str, Any], renamed: dict[tuple[str, str], str]) -> None:
    """Follow renamed objects in the references kustomize updates most often."""
    if not renamed:
        return

    def new(kind: str, value: Any) -> Any:
        return renamed.get((kind, value), value) if isinstance(value, str) else value

    kind = data.get("kind")
    template = pod_template(data)
    podspec = template.get("spec") if template is not None else None
    if isinstance(podspec, dict):
        _update_pod_references(podspec, new)
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        role = data.get("roleRef")
        if isinstance(role, dict) and isinstance(role.get("kind"), str):
            role["name"] = new(role["kind"], role.get("name"))
        for subject in _dicts(data.get("subjects")):
            if subject.get("kind") == "ServiceAccount":
                subject["name"] = new("ServiceAccount", subject.get("name"))
    spec = data.get("spec")
    if kind == "Ingress" and isinstance(spec, dict):
        _update_ingress_references(spec, new)
    if kind == "StatefulSet" and isinstance(spec, dict) and "serviceName" in spec:
        spec["serviceName"] = new("Service", spec["serviceName"])


def _update_ingress_references(spec: dict[str, Any], new: _Rename) -> None:
    backends = [spec.get("defaultBackend"), spec.get("backend")]
    for rule in _dicts(spec.get("rules")):
        http = rule.get("http")
        if isinstance(http, dict):
            backends.extend(p.get("backend") for p in _dicts(http.get("paths")))
    for backend in _dicts(backends):
        service = backend.get("service")
        if isinstance(service, dict):
            service["name"] = new("Service", service.get("name"))
        if "serviceName" in backend:
            backend["serviceName"] = new("Service", backend["serviceName"])
    for tls in _dicts(spec.get("tls")):
        if "secretName" in tls:
            tls["secretName"] = new("Secret", tls["secretName"])


def _rename_ref(holder: dict[str, Any], field_name: str, key: str, kind: str, new: _Rename) -> None:
    ref = holder.get(field_name)
    if isinstance(ref, dict) and key in ref:
        ref[key] = new(kind, ref[key])


def _update_pod_references(podspec: dict[str, Any], new: _Rename) -> None:
    for key in ("serviceAccountName", "serviceAccount"):
        if key in podspec:
            podspec[key] = new("ServiceAccount", podspec[key])
    for secret in _dicts(podspec.get("imagePullSecrets")):
        secret["name"] = new("Secret", secret.get("name"))
    for volume in _dicts(podspec.get("volumes")):
        _rename_ref(volume, "configMap", "name", "ConfigMap", new)
        _rename_ref(volume, "secret", "secretName", "Secret", new)
        _rename_ref(volume, "persistentVolumeClaim", "claimName", "PersistentVolumeClaim", new)
        projected = volume.get("projected")
        for source in _dicts(projected.get("sources") if isinstance(projected, dict) else None):
            _rename_ref(source, "configMap", "name", "ConfigMap", new)
            _rename_ref(source, "secret", "name", "Secret", new)
    containers = [*_list(podspec.get("containers")), *_list(podspec.get("initContainers"))]
    for container in _dicts(containers):
        for env_from in _dicts(container.get("envFrom")):
            _rename_ref(env_from, "configMapRef", "name", "ConfigMap", new)
            _rename_ref(env_from, "secretRef", "name", "Secret", new)
        for env in _dicts(container.get("env")):
            value_from = env.get("valueFrom")
            if isinstance(value_from, dict):
                _rename_ref(value_from, "configMapKeyRef", "name", "ConfigMap", new)
                _rename_ref(value_from, "secretKeyRef", "name", "Secret", new)


def _containers_anywhere(value: Any) -> Iterator[dict[str, Any]]:
    """Every map in a ``containers``/``initContainers``/``ephemeralContainers`` list."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, child in current.items():
                if key in ("containers", "initContainers", "ephemeralContainers") and isinstance(
                    child, list
                ):
                    yield from (c for c in child if isinstance(c, dict))
                stack.append(child)
        elif isinstance(current, list):
            stack.extend(current)


def _retag(image: str, rules: list[dict[str, Any]]) -> str:
    name, tag, digest = split_image(image)
    for rule in rules:
        if rule.get("name") != name:
            continue
        new_name = rule.get("newName") or name
        if rule.get("digest"):
            return f"{new_name}@{rule['digest']}"
        if rule.get("newTag") is not None:
            return f"{new_name}:{rule['newTag']}"
        if digest:
            return f"{new_name}@{digest}"
        return f"{new_name}:{tag}" if tag else str(new_name)
    return image


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """``(name, tag, digest)`` of an image reference (``registry:5000/app:1.2@sha256:…``)."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, digest or None


def _selector_of(patch: dict[str, Any]) -> dict[str, Any] | None:
    kind = patch.get("kind")
    metadata = patch.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(kind, str) or not isinstance(name, str):
        return None
    # as in kustomize, a patch without a namespace only matches objects without one
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    selector: dict[str, Any] = {
        "kind": kind,
        "name": re.escape(name),
        "namespace": namespace if isinstance(namespace, str) and namespace else "default",
    }
    api_version = patch.get("apiVersion")
    if isinstance(api_version, str):
        group, _, version = api_version.rpartition("/")
        selector["group"], selector["version"] = group, version
    return selector


def _matches(item: _Item, selector: dict[str, Any]) -> bool:
    """Whether an object fits a patch target (kind, name regex, namespace, group, labels…)."""
    data = item.data
    raw_metadata = data.get("metadata")
    metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
    api_version = str(data.get("apiVersion", ""))
    group, _, version = api_version.rpartition("/")
    for key, actual in (("kind", data.get("kind")), ("group", group), ("version", version)):
        wanted = selector.get(key)
        if wanted not in (None, "") and wanted != actual:
            return False
    name = selector.get("name")
    if name not in (None, ""):
        names = {_name(data), item.original_name}
        try:
            pattern = re.compile(str(name))
        except re.error:
            return str(name) in names
        if not any(pattern.fullmatch(n) for n in names):
            return False
    namespace = selector.get("namespace")
    if namespace not in (None, "") and metadata.get("namespace", "default") != namespace:
        return False
    for key, field_name in (("labelSelector", "labels"), ("annotationSelector", "annotations")):
        expression = selector.get(key)
        if expression and not _selects(str(expression), metadata.get(field_name)):
            return False
    return True


_REQUIREMENT = re.compile(
    r"\s*(?P<neg>!)?\s*(?P<key>[A-Za-z0-9./_-]+)\s*"
    r"(?:(?P<op>==|=|!=)\s*(?P<value>[A-Za-z0-9._-]*)"
    r"|\s+(?P<set>in|notin)\s*\((?P<values>[^)]*)\))?\s*(?:,|$)"
)


def _selects(expression: str, labels: Any) -> bool:
    """A Kubernetes label selector (``a=b,c!=d,e in (x,y),!f``) against a label map."""
    labels = labels if isinstance(labels, dict) else {}
    position = 0
    while position < len(expression):
        match = _REQUIREMENT.match(expression, position)
        if match is None or match.end() == position:
            return False
        position = match.end()
        key = match.group("key")
        if match.group("neg"):
            ok = key not in labels
        elif match.group("op") in ("=", "=="):
            ok = str(labels.get(key)) == match.group("value") if key in labels else False
        elif match.group("op") == "!=":
            ok = labels.get(key) != match.group("value")
        elif match.group("set"):
            values = {v.strip() for v in match.group("values").split(",")}
            present = key in labels and str(labels[key]) in values
            ok = present if match.group("set") == "in" else not present
        else:
            ok = key in labels
        if not ok:
            return False
    return True


def _describe(selector: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(selector.items()) if v not in (None, ""))


def _describe_item(item: _Item) -> str:
    return f"{item.data.get('kind')}/{_name(item.data)}"


def _metadata(data: dict[str, Any]) -> dict[str, Any]:
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        metadata = data["metadata"] = {}
    for key in ("labels", "annotations"):
        if key in metadata and not isinstance(metadata[key], dict):
            metadata[key] = {}
    return metadata


def _name(data: dict[str, Any]) -> str:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) else ""


def _entries(spec: dict[str, Any], key: str) -> list[Any]:
    value = spec.get(key)
    return value if isinstance(value, list) else []


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(values: dict[str, Any]) -> dict[str, str]:
    return {str(k): "" if v is None else _scalar_text(v) for k, v in values.items()}


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_remote(entry: str) -> bool:
    return "://" in entry or entry.startswith(_REMOTE_PREFIXES) or "?ref=" in entry


def _join(directory: str, entry: str) -> str | None:
    """``entry`` relative to ``directory``, normalised; None when it leaves the root."""
    if entry.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(directory, entry) if directory else entry)
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def _error(path: str, message: str, line: int | None = None) -> ControlError:
    return ControlError(
        kind=ErrorKind.INPUT, message=f"kustomize: {message}", fatal=False, path=path, line=line
    )
