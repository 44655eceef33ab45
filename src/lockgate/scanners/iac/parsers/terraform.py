"""Terraform HCL2, ``.tf.json`` and plan JSON to resources checks can read.

What a user gets:

* every ``resource`` and ``data`` block of every root module (a directory no other
  directory calls as a local module), with variables (``terraform.tfvars``,
  ``*.auto.tfvars`` over defaults), locals, ``count``/``for_each`` instances
  (``aws_instance.web[0]``, ``aws_s3_bucket.b["logs"]``), dynamic blocks and the common
  functions evaluated where statically known;
* local modules followed with their inputs: ``module.net.aws_security_group.web`` points
  at the file inside the module, and inline suppressions there (or on the ``module``
  block that calls it) are honoured; remote modules are reported as skipped;
* values nobody can know before ``apply`` left out and listed in ``Resource.unknown``;
* resources that reference another one listed in its ``related`` (a bucket and its
  public-access block, encryption, versioning…), also by literal bucket name;
* plan JSON resources with their plan values and ``after_unknown`` paths;
* a malformed file as a located error while the other files are still read.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.iac import suppress
from lockgate.scanners.iac.parsers._tf_hcl import Block, HclError, gc_paused, parse_file
from lockgate.scanners.iac.parsers._tf_json import parse_tf_json, tfvars_json
from lockgate.scanners.iac.parsers._tf_link import related
from lockgate.scanners.iac.parsers._tf_modules import (
    Instance,
    ModuleConfig,
    ModuleInstance,
    TooDeep,
    Workspace,
    is_local,
    join_dir,
    literal_values,
    local_source,
    module_config,
    plain_data,
)
from lockgate.scanners.iac.parsers._tf_plan import PlanResource, parse_plan
from lockgate.scanners.iac.resources import (
    MAX_DOCUMENT_BYTES,
    ParseResult,
    Resource,
    Suppression,
)

KIND = "terraform"
_AUTO_TFVARS = ("terraform.tfvars", "terraform.tfvars.json", "*.auto.tfvars", "*.auto.tfvars.json")


class _Files:
    """Reads workspace files once, inside the root only, within the size bound."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.resolved_root = root.resolve()
        self.texts: dict[str, str] = {}
        self.lines: dict[str, list[str]] = {}
        self.markers: dict[str, dict[int, tuple[Suppression, ...]]] = {}
        self.errors: list[ControlError] = []
        self.skipped: list[SkippedItem] = []

    def read(self, path: str) -> str | None:
        if path in self.texts:
            return self.texts[path]
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.resolved_root):
            self.skipped.append(
                SkippedItem(path=path, reason=SkipReason.SYMLINK_OUTSIDE, detail="outside the root")
            )
            return None
        try:
            size = target.stat().st_size
            if size > MAX_DOCUMENT_BYTES:
                self.skipped.append(
                    SkippedItem(
                        path=path,
                        reason=SkipReason.TOO_LARGE,
                        detail=f"{size} bytes, more than {MAX_DOCUMENT_BYTES}",
                    )
                )
                return None
            text = target.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.error(path, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
            return None
        except OSError as exc:
            self.error(path, None, f"cannot read: {exc.strerror or exc}")
            return None
        self.texts[path] = text
        return text

    def error(self, path: str, line: int | None, message: str) -> None:
        self.errors.append(
            ControlError(kind=ErrorKind.INPUT, message=message, fatal=False, path=path, line=line)
        )

    def suppressions(self, path: str, start: int, end: int) -> tuple[Suppression, ...]:
        """Inline markers on lines ``start..end`` of ``path`` or the comments above."""
        markers = self.markers.get(path)
        if markers is None:
            text = self.texts.get(path, "")
            lines = text.splitlines() if "lockgate:ignore=" in text else []
            markers = self.markers[path] = suppress.scan_lines(lines)
            self.lines[path] = lines
        if not markers:
            return ()
        return suppress.for_range(markers, self.lines[path], start, end)


def parse(root: Path, paths: Sequence[str]) -> ParseResult:
    """Every Terraform resource of the workspace's configurations and plans."""
    with gc_paused():
        return _parse_all(root, paths)


def _parse_all(root: Path, paths: Sequence[str]) -> ParseResult:
    files = _Files(root)
    configs_files: dict[str, list[str]] = {}
    tfvars: dict[str, list[str]] = {}
    plans: list[str] = []
    downloaded: set[str] = set()
    for path in sorted(set(paths)):
        directory = posixpath.dirname(path)
        marker = f"/{path}".find("/.terraform/")
        if marker >= 0:
            downloaded.add(path[: marker + len(".terraform")])
        elif path.endswith((".tf", ".tf.json")):
            configs_files.setdefault(directory, []).append(path)
        elif path.endswith((".tfvars", ".tfvars.json")):
            tfvars.setdefault(directory, []).append(path)
        elif path.endswith(".json"):
            plans.append(path)
        else:
            files.skipped.append(
                SkippedItem(path=path, reason=SkipReason.UNSUPPORTED, detail="not a Terraform file")
            )
    files.skipped.extend(
        SkippedItem(
            path=directory,
            reason=SkipReason.NOT_APPLICABLE,
            detail="modules and providers downloaded by terraform init: not scanned "
            "(remote module calls are reported where they are made)",
        )
        for directory in sorted(downloaded)
    )
    bodies: dict[str, list[Block]] = {}
    for directory, members in configs_files.items():
        for path in members:
            body = _parse(files, path)
            if body is not None:
                bodies.setdefault(directory, []).append(body)
    configs = {directory: module_config(directory, found) for directory, found in bodies.items()}
    workspace = Workspace(root, configs)
    resources: list[Resource] = []
    called = _called(configs)
    roots: set[str] = set()
    # Directories nobody calls are the roots; a called one that no root reached (modules
    # calling each other in a cycle, a caller that failed to parse) is read as a root too.
    for directory in sorted(configs, key=lambda d: (d in called, d)):
        if directory in workspace.visited:
            continue
        roots.add(directory)
        instance = ModuleInstance(workspace, configs[directory], root_dir=directory)
        instance.set_inputs(_root_variables(files, tfvars.get(directory, [])))
        resources.extend(_configuration_resources(files, workspace, instance))
    _unused_tfvars(files, tfvars, roots, set(configs) - roots)
    for path in plans:
        resources.extend(_plan_resources(files, path))
    resources.sort(key=lambda r: (r.path, r.start_line, r.address))
    return ParseResult(
        resources=tuple(resources),
        errors=tuple(files.errors + workspace.errors),
        skipped=tuple(sorted(set(files.skipped + workspace.skipped))),
    )


def _parse(files: _Files, path: str) -> Block | None:
    text = files.read(path)
    if text is None:
        return None
    try:
        if path.endswith(".json"):
            return (
                parse_tf_json(text, path) if path.endswith(".tf.json") else tfvars_json(text, path)
            )
        return parse_file(text, path)
    except HclError as exc:
        files.error(path, exc.line, exc.message)
        return None


def _called(configs: dict[str, ModuleConfig]) -> set[str]:
    """Directories another directory calls as a local module."""
    called: set[str] = set()
    for directory, config in configs.items():
        for call in config.calls.values():
            source = local_source(call)
            if source is not None and is_local(source):
                target = join_dir(directory, source)
                if target is not None and target != directory:
                    called.add(target)
    return called


def _root_variables(files: _Files, candidates: list[str]) -> dict[str, Any]:
    """``terraform.tfvars``, ``terraform.tfvars.json``, then ``*.auto.tfvars(.json)`` in
    name order, each overriding the earlier ones (Terraform's precedence)."""
    chosen = sorted(
        (p for p in candidates if posixpath.basename(p).startswith("terraform.tfvars")),
        key=lambda p: p.endswith(".json"),
    )
    chosen += sorted(
        (p for p in candidates if fnmatch.fnmatchcase(posixpath.basename(p), "*.auto.tfvars*")),
        key=posixpath.basename,
    )
    values: dict[str, Any] = {}
    for path in chosen:
        body = _parse(files, path)
        if body is None:
            continue
        try:
            values.update(literal_values(body))
        except RecursionError:
            files.error(path, None, "values nested too deeply to evaluate")
    return values


def _unused_tfvars(
    files: _Files, tfvars: dict[str, list[str]], roots: set[str], modules: set[str]
) -> None:
    """Variable files Terraform would not load on its own, reported as skipped."""
    for directory, members in tfvars.items():
        for path in members:
            base = posixpath.basename(path)
            automatic = any(fnmatch.fnmatchcase(base, pattern) for pattern in _AUTO_TFVARS)
            if directory in roots:
                if automatic:
                    continue
                detail = "loaded only with -var-file, which a static scan does not know"
            elif directory in modules:
                detail = "in a called module's directory: Terraform does not load it"
            else:
                detail = "no Terraform configuration in its directory"
            files.skipped.append(
                SkippedItem(path=path, reason=SkipReason.NOT_APPLICABLE, detail=detail)
            )


def _configuration_resources(
    files: _Files, workspace: Workspace, root: ModuleInstance
) -> list[Resource]:
    instances: list[Instance] = []
    data: list[dict[str, Any]] = []
    unknowns: list[list[str]] = []
    for instance in root.instances():
        try:
            plain, unknown = plain_data(instance.data)
        except TooDeep:
            workspace.error(
                instance.block.path,
                instance.block.start_line,
                f"{instance.address}: values nested deeper than the limit",
            )
            continue
        instances.append(instance)
        data.append(plain)
        unknowns.append(unknown)
    links = related(instances, data)
    resources = []
    for instance, plain, unknown, linked in zip(instances, data, unknowns, links, strict=True):
        block = instance.block
        marks = list(files.suppressions(block.path, block.start_line, block.end_line))
        for call in instance.call_blocks:
            marks.extend(files.suppressions(call.path, call.start_line, call.end_line))
        resources.append(
            Resource(
                kind=KIND,
                type=instance.type,
                address=instance.address,
                path=block.path,
                start_line=block.start_line,
                end_line=block.end_line,
                data=plain,
                related=linked,
                unknown=frozenset(unknown) | frozenset(instance.unknown),
                suppressions=tuple(marks),
                module=instance.module or None,
                source_path=block.path if instance.module else None,
            )
        )
    return resources


def _plan_resources(files: _Files, path: str) -> list[Resource]:
    text = files.read(path)
    if text is None:
        return []
    try:
        found: list[PlanResource] = parse_plan(text)
    except HclError as exc:
        files.error(path, exc.line, exc.message.replace("invalid JSON", "invalid plan JSON"))
        return []
    links = related(found, [resource.data for resource in found])
    return [
        Resource(
            kind=KIND,
            type=resource.type,
            address=resource.address,
            path=path,
            start_line=resource.start_line,
            end_line=resource.end_line,
            data=resource.data,
            related=linked,
            unknown=frozenset(resource.unknown),
            module=resource.module or None,
        )
        for resource, linked in zip(found, links, strict=True)
    ]
