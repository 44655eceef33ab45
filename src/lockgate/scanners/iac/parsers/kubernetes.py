"""Kubernetes manifests, Kustomize overlays and Helm charts to one resource per object.

Plain manifests: every object of every YAML document (``---``) or JSON file, ``List``
kinds expanded into their items, addressed ``Kind/namespace/name`` (``Kind/name`` for
cluster-scoped kinds; namespace ``default`` when none is written). Kustomizations are
rendered in process (:mod:`._kustomize`), Helm charts with ``helm template`` when it is on
PATH (:mod:`._helm`); files a kustomization consumes are not parsed a second time on
their own, and a chart's templates are only ever read through the chart.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.iac.parsers._yaml import Document, YamlError, iter_documents
from lockgate.scanners.iac.resources import (
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    ParseResult,
    Resource,
    Suppression,
)
from lockgate.scanners.iac.suppress import for_range, scan_lines

KIND = "kubernetes"

#: Kinds that live outside any namespace: addressed ``Kind/name``.
CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CSIDriver",
        "CSINode",
        "CertificateSigningRequest",
        "ClusterIssuer",
        "ClusterPolicy",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "CustomResourceDefinition",
        "FlowSchema",
        "IngressClass",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "SelfSubjectAccessReview",
        "SelfSubjectReview",
        "SelfSubjectRulesReview",
        "StorageClass",
        "SubjectAccessReview",
        "TokenReview",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class SourceError(Exception):
    """A file that cannot be read as text inside the workspace (message, optional line)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def to_control_error(self, path: str) -> ControlError:
        return ControlError(
            kind=ErrorKind.INPUT, message=self.message, fatal=False, path=path, line=self.line
        )


@dataclass(frozen=True, slots=True)
class ManifestObject:
    """One Kubernetes object as read from a file, before any rendering."""

    data: dict[str, Any]
    path: str
    start_line: int
    end_line: int
    suppressions: tuple[Suppression, ...] = ()


@dataclass(slots=True)
class Outcome:
    """What reading some inputs gave: objects or resources, located errors and skips."""

    objects: list[ManifestObject] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    errors: list[ControlError] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)

    def absorb(self, other: Outcome) -> None:
        self.objects.extend(other.objects)
        self.resources.extend(other.resources)
        self.errors.extend(other.errors)
        self.skipped.extend(other.skipped)


def parse(root: Path, paths: Sequence[str]) -> ParseResult:
    """Resources of every manifest, rendered kustomization and Helm chart among ``paths``."""
    from lockgate.scanners.iac.parsers._helm import render_chart
    from lockgate.scanners.iac.parsers._kustomize import render_all

    outcome = Outcome()
    kustomizations = sorted(p for p in paths if posixpath.basename(p) in KUSTOMIZATION_NAMES)
    charts = sorted(p for p in paths if posixpath.basename(p) == "Chart.yaml")
    chart_dirs = frozenset(posixpath.dirname(p) for p in charts)

    consumed: set[str] = set()
    for rendering in render_all(root, kustomizations):
        outcome.absorb(rendering.outcome)
        consumed |= rendering.consumed

    for chart in charts:
        if _under_chart(posixpath.dirname(chart), chart_dirs, "charts"):
            continue  # a subchart under charts/ renders with its parent
        outcome.absorb(render_chart(root, chart))

    for path in paths:
        if path in consumed or path in kustomizations or path in charts:
            continue
        if _under_chart(path, chart_dirs, "templates"):
            continue
        outcome.absorb(read_manifest(root, path))
    return ParseResult(
        resources=tuple(outcome.resources),
        errors=tuple(outcome.errors),
        skipped=tuple(outcome.skipped),
    )


def read_manifest(root: Path, path: str) -> Outcome:
    """One manifest file as resources (its objects are also in ``objects``)."""
    outcome = Outcome()
    try:
        text = read_text(root, path)
    except SourceError as exc:
        outcome.errors.append(exc.to_control_error(path))
        return outcome
    loaded = load_manifests(text, path)
    outcome.absorb(loaded)
    outcome.resources.extend(to_resource(obj) for obj in loaded.objects)
    return outcome


def read_text(root: Path, path: str) -> str:
    """The UTF-8 text of ``path`` (relative to ``root``), refusing anything outside ``root``."""
    base = root.resolve()
    try:
        target = (base / path).resolve()
    except (OSError, RuntimeError) as exc:  # symlink loops
        raise SourceError(f"cannot resolve: {exc}") from None
    if not target.is_relative_to(base):
        raise SourceError("refused: the file resolves outside the workspace root")
    try:
        if target.stat().st_size > MAX_DOCUMENT_BYTES:
            raise SourceError(f"file larger than {MAX_DOCUMENT_BYTES} bytes: not read")
        raw = target.read_bytes()
    except FileNotFoundError:
        raise SourceError("file not found") from None
    except IsADirectoryError:
        raise SourceError("is a directory, not a file") from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError("not UTF-8 text", line) from None


def load_manifests(text: str, path: str, *, rendered: bool = False) -> Outcome:
    """The objects of one manifest text, with the lines and inline suppressions of each.

    A broken document is a located error; the documents before it are kept. Template
    syntax (``{{ }}``) that breaks the YAML of a file outside a chart is a skip, not an
    error (``rendered`` says the text is ``helm template`` output, where it is an error).
    """
    outcome = Outcome()
    lines = text.splitlines()
    markers = scan_lines(lines)
    documents: list[Document] = []
    try:
        documents.extend(iter_documents(text, path))
    except YamlError as exc:
        if not rendered and "{{" in text:
            outcome.skipped.append(
                SkippedItem(
                    path=path,
                    reason=SkipReason.UNSUPPORTED,
                    detail="template syntax ({{ }}) outside a Helm chart: not rendered",
                )
            )
            return outcome
        fallback = _json_document(text) if path.endswith(".json") and not documents else None
        if fallback is None:
            outcome.errors.append(exc.to_control_error(path))
        else:
            documents.append(fallback)
    for document in documents:
        _objects_of(document, path, lines, markers, outcome)
    return outcome


def _json_document(text: str) -> Document | None:
    """JSON that libyaml refuses (rare escapes, very long lines): whole-file lines only."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if _depth(data) > MAX_DEPTH:
        return None
    return Document(data=data, start_line=1, end_line=max(1, text.count("\n") + 1))


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _objects_of(
    document: Document,
    path: str,
    lines: Sequence[str],
    markers: dict[int, tuple[Suppression, ...]],
    outcome: Outcome,
) -> None:
    data = document.data
    where = f"document {document.index + 1} (line {document.start_line})"
    if data is None:
        return
    if not isinstance(data, dict):
        outcome.skipped.append(_skip(path, f"{where} is not a mapping"))
        return
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind or not isinstance(data.get("apiVersion"), str):
        outcome.skipped.append(_skip(path, f"{where} has no apiVersion and kind"))
        return
    if _is_list(data):
        for index, item in enumerate(data["items"]):
            span = document.span_of(("items", index)) or (document.start_line, document.end_line)
            if not _is_object(item):
                outcome.skipped.append(
                    _skip(path, f"{kind} item {index} (line {span[0]}) has no apiVersion and kind")
                )
                continue
            outcome.objects.append(_object(item, path, span, lines, markers))
        return
    outcome.objects.append(
        _object(data, path, (document.start_line, document.end_line), lines, markers)
    )


def _object(
    data: dict[str, Any],
    path: str,
    span: tuple[int, int],
    lines: Sequence[str],
    markers: dict[int, tuple[Suppression, ...]],
) -> ManifestObject:
    return ManifestObject(
        data=data,
        path=path,
        start_line=span[0],
        end_line=span[1],
        suppressions=for_range(markers, lines, span[0], span[1]),
    )


def _is_list(data: dict[str, Any]) -> bool:
    kind = data["kind"]
    return kind.endswith("List") and isinstance(data.get("items"), list)


def _is_object(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("kind"), str)
        and bool(item["kind"])
        and isinstance(item.get("apiVersion"), str)
    )


def _skip(path: str, detail: str) -> SkippedItem:
    return SkippedItem(path=path, reason=SkipReason.NOT_APPLICABLE, detail=detail)


def address_of(data: dict[str, Any]) -> str:
    """``Kind/namespace/name``, or ``Kind/name`` for cluster-scoped kinds."""
    kind = str(data.get("kind"))
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name") or metadata.get("generateName") or "(unnamed)"
    if kind in CLUSTER_SCOPED:
        return f"{kind}/{name}"
    namespace = metadata.get("namespace") or "default"
    return f"{kind}/{namespace}/{name}"


def to_resource(
    obj: ManifestObject,
    *,
    path: str | None = None,
    module: str | None = None,
) -> Resource:
    """The check engine's view of an object; ``path`` names the rendering file if any."""
    rendered_by = path if path is not None and path != obj.path else None
    return Resource(
        kind=KIND,
        type=str(obj.data["kind"]),
        address=address_of(obj.data),
        path=rendered_by or obj.path,
        start_line=obj.start_line,
        end_line=obj.end_line,
        data=obj.data,
        suppressions=obj.suppressions,
        module=module,
        source_path=obj.path if rendered_by is not None else None,
    )


def _under_chart(path: str, chart_dirs: Iterable[str], folder: str) -> bool:
    """Whether ``path`` sits under ``<chart>/<folder>/`` of one of ``chart_dirs``.

    ``templates``: a template, only ever read through its chart (as
    ``detect.in_helm_templates`` decides); ``charts``: a subchart, rendered by its parent.
    """
    parts = path.split("/")
    return any(
        part == folder and "/".join(parts[:index]) in chart_dirs
        for index, part in enumerate(parts[:-1])
    )
