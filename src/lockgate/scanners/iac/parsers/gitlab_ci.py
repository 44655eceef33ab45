"""GitLab CI files (``.gitlab-ci.yml``, ``*.gitlab-ci.yml``): one resource per file.

The resource (type ``gitlab_ci``, address ``gitlab-ci``, lines of the whole file) is the
document as written, with YAML anchors and merge keys resolved by the bounded loader and
``!reference [.job, key]`` tags replaced by the value they point to when it is in the same
file (a reference that cannot be followed stays ``{"!reference": [...]}``). Two computed
keys make jobs easy to check:

* ``"_jobs"``: every job (a top-level mapping whose key is not a global keyword —
  ``stages``, ``variables``, ``default``, ``include``, ``workflow``, ``image``,
  ``services``, ``before_script``, ``after_script``, ``cache``, ``types`` — and does not
  start with ``.``), in file order, as the job map plus ``"name"`` (the job id) and
  ``"line"``;
* ``"_templates"``: the hidden jobs (keys starting with ``.``), same shape.

For both, ``extends`` is resolved one level for ``image`` and ``variables`` where the parent
is in the same file: a job without ``image`` takes its (last) parent's, and ``variables``
are the parents' merged under the job's own. ``include`` is not followed: each included
file is reported as a skipped item with the reason. A ``spec:`` header document (CI/CD
inputs) before the configuration is read past.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.iac.parsers._yaml import Document, YamlError, load_documents
from lockgate.scanners.iac.parsers.dockerfile import read_source
from lockgate.scanners.iac.resources import ParseResult, Resource
from lockgate.scanners.iac.suppress import for_range, scan_lines

KIND = "gitlab-ci"
TYPE = "gitlab_ci"
ADDRESS = "gitlab-ci"
GLOBAL_KEYWORDS = frozenset(
    {
        "stages",
        "variables",
        "default",
        "include",
        "workflow",
        "image",
        "services",
        "before_script",
        "after_script",
        "cache",
        "types",
    }
)
_REFERENCE = "!reference"
#: GitLab follows nested ``!reference`` tags up to this depth.
MAX_REFERENCE_DEPTH = 10
#: Nodes ``!reference`` resolution may visit in one file before it is refused.
MAX_REFERENCE_NODES = 200_000


class GitlabCiError(ValueError):
    """A configuration GitLab would refuse, at a 1-based line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse(root: Path, paths: Sequence[str]) -> ParseResult:
    """One ``gitlab_ci`` resource per readable, well-formed file; includes reported skipped."""
    resources: list[Resource] = []
    errors: list[ControlError] = []
    skipped: list[SkippedItem] = []
    base = root.resolve()
    for path in paths:
        text = read_source(base, path, skipped, errors)
        if text is None:
            continue
        try:
            documents = load_documents(text, path, tag_handler=_tag)
        except YamlError as exc:
            errors.append(exc.to_control_error(path))
            continue
        try:
            document = _configuration(documents)
            if document is None:
                skipped.append(
                    SkippedItem(path=path, reason=SkipReason.NOT_APPLICABLE, detail="empty file")
                )
                continue
            resources.append(pipeline_resource(document, path, text.splitlines()))
        except GitlabCiError as exc:
            errors.append(
                ControlError(
                    kind=ErrorKind.INPUT,
                    message=f"invalid GitLab CI configuration: {exc.message}",
                    fatal=False,
                    path=path,
                    line=exc.line,
                )
            )
            continue
        skipped.extend(_includes(document.data.get("include"), path))
    return ParseResult(resources=tuple(resources), errors=tuple(errors), skipped=tuple(skipped))


def _tag(tag: str, value: Any) -> Any:
    return {_REFERENCE: value} if tag == _REFERENCE else value


def _configuration(documents: Sequence[Document]) -> Document | None:
    """The configuration document, past an optional ``spec:`` header."""
    present = [d for d in documents if d.data is not None]
    if present and isinstance(present[0].data, dict) and set(present[0].data) == {"spec"}:
        present = present[1:]
    if len(present) > 1:
        raise GitlabCiError("more than one YAML document", present[1].start_line)
    return present[0] if present else None


def pipeline_resource(document: Document, path: str, lines: Sequence[str]) -> Resource:
    """The ``gitlab_ci`` resource of one loaded configuration document."""
    data = document.data
    if not isinstance(data, dict):
        raise GitlabCiError("the configuration must be a mapping", document.start_line)
    config = _References(data).resolve(data)
    jobs: list[dict[str, Any]] = []
    templates: list[dict[str, Any]] = []
    for key, value in config.items():
        if key in GLOBAL_KEYWORDS or not isinstance(value, dict):
            continue
        job = {**value, **_inherited(config, value), "name": key, "line": document.line_of((key,))}
        (templates if key.startswith(".") else jobs).append(job)
    end = max(len(lines), 1)
    return Resource(
        kind=KIND,
        type=TYPE,
        address=ADDRESS,
        path=path,
        start_line=1,
        end_line=end,
        data={**config, "_jobs": jobs, "_templates": templates},
        suppressions=for_range(scan_lines(lines), lines, 1, end),
    )


def _inherited(config: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """``image`` and ``variables`` of a job after one level of ``extends``."""
    parents = job.get("extends")
    names = [parents] if isinstance(parents, str) else parents
    if not isinstance(names, list):
        return {}
    found = [config[n] for n in names if isinstance(n, str) and isinstance(config.get(n), dict)]
    if not found:
        return {}
    result: dict[str, Any] = {}
    images = [parent["image"] for parent in found if "image" in parent]
    if "image" not in job and images:
        result["image"] = images[-1]
    variables: dict[str, Any] = {}
    for parent in found:
        if isinstance(parent.get("variables"), dict):
            variables.update(parent["variables"])
    if variables:
        own = job.get("variables")
        result["variables"] = {**variables, **(own if isinstance(own, dict) else {})}
    return result


class _References:
    """Replaces ``!reference`` tags, charging every node it copies to a budget."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._budget = MAX_REFERENCE_NODES

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """``value`` with every followable reference replaced (lists spliced into lists)."""
        self._budget -= 1
        if self._budget < 0:
            raise GitlabCiError(f"!reference expansion exceeds {MAX_REFERENCE_NODES} nodes", None)
        if isinstance(value, dict):
            if set(value) == {_REFERENCE}:
                return self._follow(value, depth)
            return {key: self.resolve(item, depth) for key, item in value.items()}
        if isinstance(value, list):
            result: list[Any] = []
            for item in value:
                is_reference = isinstance(item, dict) and set(item) == {_REFERENCE}
                resolved = self.resolve(item, depth)
                if is_reference and isinstance(resolved, list):
                    result.extend(resolved)
                else:
                    result.append(resolved)
            return result
        return value

    def _follow(self, reference: dict[str, Any], depth: int) -> Any:
        target = reference[_REFERENCE]
        if depth >= MAX_REFERENCE_DEPTH or not isinstance(target, list) or not target:
            return reference
        node: Any = self._config
        for part in target:
            if not isinstance(part, str) or not isinstance(node, dict) or part not in node:
                return reference
            node = node[part]
        return self.resolve(node, depth + 1)


def _includes(include: Any, path: str) -> list[SkippedItem]:
    """A skipped item for every ``include`` entry: included files are not followed."""
    if include is None:
        return []
    entries = include if isinstance(include, list) else [include]
    skipped = []
    for entry in entries:
        if isinstance(entry, str):
            source = "remote" if entry.startswith(("http://", "https://")) else "local"
            target = entry
        elif isinstance(entry, dict):
            source = next(
                (k for k in ("local", "remote", "project", "template", "component") if k in entry),
                "unknown",
            )
            target = str(entry.get(source, entry))
            if source == "project":
                target = f"{target} {entry.get('file', '')}".strip()
        else:
            source, target = "unknown", str(entry)
        skipped.append(
            SkippedItem(
                path=path,
                reason=SkipReason.UNSUPPORTED,
                detail=f"include not followed ({source}): {target}",
            )
        )
    return skipped
