"""Terraform modules evaluated statically, the way ``terraform plan`` would read them.

A directory of ``.tf``/``.tf.json`` files is a module. A module instance resolves its
variables (caller arguments, else ``*.tfvars`` at the root, else defaults), its locals
(lazily, in any order, cycles left unknown), expands ``count``/``for_each`` and dynamic
blocks, and follows local ``module`` calls into child instances with their inputs bound.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.iac.parsers._tf_eval import (
    NO_KEY,
    Evaluator,
    InstanceKey,
    Ref,
    Resolved,
)
from lockgate.scanners.iac.parsers._tf_functions import UNKNOWN, EvalError, number, to_set
from lockgate.scanners.iac.parsers._tf_hcl import Block, Expr, identifier_of
from lockgate.scanners.iac.resources import MAX_DEPTH, MAX_DOCUMENT_BYTES

#: Resource attributes that steer Terraform rather than describe the resource.
_META_ATTRIBUTES = frozenset({"count", "for_each", "depends_on", "provider"})
_META_BLOCKS = frozenset({"lifecycle"})
_MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
#: Module calls nested deeper than this are not followed (a module calling itself).
MAX_MODULE_DEPTH: Final = 32
#: Resource and module instances created in one parse, all modules together.
MAX_INSTANCES: Final = 200_000


class TooDeep(Exception):
    """Data or expressions nested beyond the bounds."""


class _InProgress:
    __slots__ = ()


_IN_PROGRESS: Final = _InProgress()
_NOTHING: Final[Resolved] = (UNKNOWN, frozenset())


@dataclass(slots=True)
class ModuleConfig:
    """The blocks of one module directory, by role."""

    directory: str
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Expr] = field(default_factory=dict)
    resources: list[Block] = field(default_factory=list)
    calls: dict[str, Block] = field(default_factory=dict)
    outputs: dict[str, Expr] = field(default_factory=dict)


def is_override(path: str) -> bool:
    """Terraform override files, merged into the blocks they name after the other files."""
    base = posixpath.basename(path).removesuffix(".json")
    return base == "override.tf" or base.endswith("_override.tf")


def module_config(directory: str, bodies: list[Block]) -> ModuleConfig:
    """Sort the top-level blocks of a directory's files into a module configuration;
    override files are merged into the blocks they name, as Terraform does."""
    config = ModuleConfig(directory=directory)
    for body in sorted(bodies, key=lambda b: is_override(b.path)):
        if is_override(body.path):
            _merge_override(config, body)
            continue
        for block in body.blocks:
            kind, labels = block.kind, block.labels
            if kind in ("resource", "data") and len(labels) == 2:
                config.resources.append(block)
            elif kind == "variable" and labels:
                config.variables[labels[0]] = block
            elif kind == "locals":
                config.locals.update(block.attributes)
            elif kind == "module" and labels:
                config.calls[labels[0]] = block
            elif kind == "output" and labels and "value" in block.attributes:
                config.outputs[labels[0]] = block.attributes["value"]
    return config


def _merge_override(config: ModuleConfig, body: Block) -> None:
    """Arguments of an override block replace the original's; its nested blocks replace
    the original's nested blocks of the same type. The original keeps its lines."""
    for block in body.blocks:
        kind, labels = block.kind, block.labels
        if kind == "locals":
            config.locals.update(block.attributes)
        elif kind in ("resource", "data"):
            for index, original in enumerate(config.resources):
                if (original.kind, original.labels) == (kind, labels):
                    config.resources[index] = _merged(original, block)
        elif kind == "variable" and labels and labels[0] in config.variables:
            config.variables[labels[0]] = _merged(config.variables[labels[0]], block)
        elif kind == "module" and labels and labels[0] in config.calls:
            config.calls[labels[0]] = _merged(config.calls[labels[0]], block)
        elif kind == "output" and labels and "value" in block.attributes:
            config.outputs[labels[0]] = block.attributes["value"]


def _merged(original: Block, override: Block) -> Block:
    replaced = {nested.kind for nested in override.blocks}
    return dataclasses.replace(
        original,
        attributes={**original.attributes, **override.attributes},
        blocks=(
            *(b for b in original.blocks if b.kind not in replaced),
            *override.blocks,
        ),
    )


def local_source(call: Block) -> str | None:
    """A module call's literal ``source`` if it is a string, else None."""
    expr = call.attributes.get("source")
    if expr is None:
        return None
    value = Evaluator(_EMPTY_SCOPE).attribute(expr)
    return value if isinstance(value, str) else None


def is_local(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


def join_dir(directory: str, source: str) -> str | None:
    """The workspace directory a local source names, or None when it leaves the workspace."""
    joined = posixpath.normpath(posixpath.join(directory or ".", source))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return "" if joined == "." else joined


@dataclass(slots=True)
class Instance:
    """One resource or data-source instance after evaluation."""

    type: str
    base: str
    key: InstanceKey
    module: str
    address: str
    block: Block
    data: dict[str, Any]
    refs: frozenset[Ref]
    unknown: tuple[str, ...]
    call_blocks: tuple[Block, ...]


class Workspace:
    """What every module instance of one parse shares: configs, files, results, bounds."""

    def __init__(self, root: Path, configs: dict[str, ModuleConfig]) -> None:
        self.root = root
        self.resolved_root = root.resolve()
        self.configs = configs
        self.errors: list[ControlError] = []
        self.skipped: list[SkippedItem] = []
        self.visited: set[str] = set()
        self.instances_left = MAX_INSTANCES

    def skip(self, path: str, reason: SkipReason, detail: str) -> None:
        self.skipped.append(SkippedItem(path=path, reason=reason, detail=detail))

    def error(self, path: str, line: int | None, message: str) -> None:
        self.errors.append(
            ControlError(kind=ErrorKind.INPUT, message=message, fatal=False, path=path, line=line)
        )

    def read_file(self, path: str) -> str:
        """A workspace file for ``file()``/``templatefile()``; EvalError outside or too big."""
        relative = posixpath.normpath(path)
        if relative.startswith("/") or relative == ".." or relative.startswith("../"):
            raise EvalError("file() outside the workspace")
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.resolved_root):
            raise EvalError("file() outside the workspace")
        try:
            if target.stat().st_size > MAX_DOCUMENT_BYTES:
                raise EvalError("file() of a file too large")
            return target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise EvalError(f"file() cannot read {relative}: {exc}") from None


class _EmptyScope:
    """The scope of ``*.tfvars`` and literal settings: nothing but literals."""

    address = ""
    names: Mapping[str, Any] = {}

    def variable(self, name: str) -> Resolved:  # noqa: ARG002 - nothing in scope
        return _NOTHING

    def local(self, name: str) -> Resolved:  # noqa: ARG002 - nothing in scope
        return _NOTHING

    def module_output(self, call: str, key: InstanceKey, name: str) -> Resolved:  # noqa: ARG002
        return _NOTHING

    def read_file(self, path: str) -> str:  # noqa: ARG002 - nothing in scope
        raise EvalError("file() is not available here")


_EMPTY_SCOPE: Final = _EmptyScope()


def literal_values(body: Block) -> dict[str, Any]:
    """The attributes of a ``*.tfvars`` file, evaluated without any scope."""
    evaluator = Evaluator(_EMPTY_SCOPE)
    return {name: evaluator.attribute(expr) for name, expr in body.attributes.items()}


class _Lazy:
    """A value computed once on first use; a cycle back into it is unknown."""

    __slots__ = ("_compute", "_value")

    def __init__(self, compute: Callable[[], Resolved]) -> None:
        self._compute = compute
        self._value: Resolved | _InProgress | None = None

    def get(self) -> Resolved:
        if isinstance(self._value, _InProgress):
            return _NOTHING
        if self._value is None:
            self._value = _IN_PROGRESS
            try:
                self._value = self._compute()
            except BaseException:
                self._value = None
                raise
        return self._value


def _known(value: Any) -> Resolved:
    return value, frozenset()


def _evaluated(scope: ModuleInstance, expr: Expr, names: Mapping[str, Any] | None) -> Resolved:
    evaluator = Evaluator(scope, names)
    value = evaluator.attribute(expr)
    return value, frozenset(evaluator.refs)


class ModuleInstance:
    """One instance of a module: the root, or ``module.x[0]`` with its caller's inputs."""

    def __init__(
        self,
        workspace: Workspace,
        config: ModuleConfig,
        *,
        root_dir: str,
        address: str = "",
        inputs: Mapping[str, _Lazy] | None = None,
        chain: tuple[str, ...] = (),
        call_blocks: tuple[Block, ...] = (),
    ) -> None:
        self.workspace = workspace
        self.config = config
        self.root_dir = root_dir
        self._address = address
        self.chain = (*chain, config.directory)
        self.call_blocks = call_blocks
        module_path = posixpath.relpath(config.directory or ".", root_dir or ".")
        self._names: dict[str, Any] = {
            "path": {"module": module_path, "root": ".", "cwd": "."},
            "terraform": {"workspace": "default"},
        }
        self._variables: dict[str, _Lazy] = dict(inputs or {})
        self._locals = {
            name: _Lazy(functools.partial(_evaluated, self, expr, None))
            for name, expr in config.locals.items()
        }
        self._outputs = {
            name: _Lazy(functools.partial(_evaluated, self, expr, None))
            for name, expr in config.outputs.items()
        }
        self._children: dict[str, dict[InstanceKey, ModuleInstance] | None] = {}
        workspace.visited.add(config.directory)

    # --- Scope ----------------------------------------------------------------------------

    @property
    def address(self) -> str:
        return self._address

    @property
    def names(self) -> Mapping[str, Any]:
        return self._names

    def variable(self, name: str) -> Resolved:
        lazy = self._variables.get(name)
        if lazy is None:
            block = self.config.variables.get(name)
            default = block.attributes.get("default") if block is not None else None
            if default is None:
                return _NOTHING
            lazy = _Lazy(functools.partial(_evaluated, self, default, None))
            self._variables[name] = lazy
        return lazy.get()

    def local(self, name: str) -> Resolved:
        lazy = self._locals.get(name)
        return lazy.get() if lazy is not None else _NOTHING

    def module_output(self, call: str, key: InstanceKey, name: str) -> Resolved:
        children = self.children(call)
        if not children:
            return _NOTHING
        if key is NO_KEY:
            child = children.get(NO_KEY) if len(children) == 1 else None
        else:
            child = children.get(key)
        if child is None:
            return _NOTHING
        lazy = child._outputs.get(name)
        return lazy.get() if lazy is not None else _NOTHING

    def read_file(self, path: str) -> str:
        return self.workspace.read_file(posixpath.join(self.root_dir or ".", path))

    # --- module calls ---------------------------------------------------------------------

    def set_inputs(self, values: Mapping[str, Any]) -> None:
        """Root variable values (from ``*.tfvars``), which override defaults."""
        for name, value in values.items():
            self._variables[name] = _Lazy(functools.partial(_known, value))

    def children(self, name: str) -> dict[InstanceKey, ModuleInstance] | None:
        """The instances of module call ``name`` (None when it is not followed)."""
        if name not in self._children:
            self._children[name] = None  # a call reaching itself sees nothing
            self._children[name] = self._call(name)
        return self._children[name]

    def _call(self, name: str) -> dict[InstanceKey, ModuleInstance] | None:
        block = self.config.calls.get(name)
        if block is None:
            return None
        where = f"module.{name} ({block.path}:{block.start_line})"
        source = local_source(block)
        if source is None:
            self.workspace.skip(block.path, SkipReason.UNSUPPORTED, f"{where}: no literal source")
            return None
        if not is_local(source):
            self.workspace.skip(
                block.path,
                SkipReason.UNSUPPORTED,
                f"{where}: remote module {source!r} is not fetched; its resources are not scanned",
            )
            return None
        directory = join_dir(self.config.directory, source)
        config = self.workspace.configs.get(directory) if directory is not None else None
        if directory is None or config is None:
            self.workspace.skip(
                block.path,
                SkipReason.UNSUPPORTED,
                f"{where}: no Terraform files in the workspace at {source!r}",
            )
            return None
        if directory in self.chain or len(self.chain) > MAX_MODULE_DEPTH:
            self.workspace.skip(
                block.path, SkipReason.LIMIT, f"{where}: module calls nest without end"
            )
            return None
        instances: dict[InstanceKey, ModuleInstance] = {}
        for key, names, _, _ in self.expansions(block):
            inputs = {
                attribute: _Lazy(functools.partial(_evaluated, self, expr, names))
                for attribute, expr in block.attributes.items()
                if attribute not in _MODULE_META
            }
            prefix = f"{self.address}." if self.address else ""
            instances[key] = ModuleInstance(
                self.workspace,
                config,
                root_dir=self.root_dir,
                address=f"{prefix}module.{name}{key_suffix(key)}",
                inputs=inputs,
                chain=self.chain,
                call_blocks=(*self.call_blocks, block),
            )
        return instances

    # --- resources ------------------------------------------------------------------------

    def expansions(
        self, block: Block
    ) -> list[tuple[InstanceKey, dict[str, Any], tuple[str, ...], frozenset[Ref]]]:
        """The instances ``count``/``for_each`` make of a block: key, names in scope
        (``count.index``, ``each.key``/``each.value``), unknown meta-arguments, refs."""
        attributes = block.attributes
        for meta in ("count", "for_each"):
            if meta in attributes:
                evaluator = Evaluator(self)
                value = evaluator.attribute(attributes[meta])
                refs = frozenset(evaluator.refs)
                size = _size(value)
                if size is not None and size > self.workspace.instances_left:
                    self.workspace.skip(
                        block.path,
                        SkipReason.LIMIT,
                        f"{block.kind} at line {block.start_line}: {size} instances "
                        f"exceed the limit of {MAX_INSTANCES}; evaluated as one",
                    )
                    value = UNKNOWN
                keys = _count_keys(value) if meta == "count" else _each_keys(value)
                if keys is None:
                    unknown = {"index": UNKNOWN} if meta == "count" else _UNKNOWN_EACH
                    name = "count" if meta == "count" else "each"
                    return [(NO_KEY, {name: unknown}, (meta,), refs)]
                self.workspace.instances_left -= len(keys)
                return [(key, names, (), refs) for key, names in keys]
        self.workspace.instances_left -= 1
        return [(NO_KEY, {}, (), frozenset())]

    def instances(self) -> Iterator[Instance]:
        """Every resource and data-source instance of this module and its children."""
        for block in self.config.resources:
            yield from self._resource(block)
        for name, call in self.config.calls.items():
            try:
                children = self.children(name) or {}
            except RecursionError:
                self.workspace.error(
                    call.path, call.start_line, f"module.{name}: nested too deeply to evaluate"
                )
                continue
            for child in children.values():
                yield from child.instances()

    def _resource(self, block: Block) -> Iterator[Instance]:
        resource_type, name = block.labels
        if block.kind == "data":
            resource_type = f"data.{resource_type}"
        base = f"{resource_type}.{name}"
        prefix = f"{self.address}." if self.address else ""
        try:
            expanded = self.expansions(block)
            for key, names, unknown, count_refs in expanded:
                evaluator = Evaluator(self, names)
                data = evaluate_body(block, evaluator, top=True)
                yield Instance(
                    type=resource_type,
                    base=base,
                    key=key,
                    module=self.address,
                    address=f"{prefix}{base}{key_suffix(key)}",
                    block=block,
                    data=data,
                    refs=frozenset(evaluator.refs) | count_refs,
                    unknown=unknown,
                    call_blocks=self.call_blocks,
                )
        except RecursionError:
            self.workspace.error(
                block.path,
                block.start_line,
                f"{prefix}{base}: expressions nested too deeply to evaluate",
            )


_UNKNOWN_EACH: Final = {"key": UNKNOWN, "value": UNKNOWN}


def _size(value: Any) -> int | None:
    """How many instances a ``count``/``for_each`` value asks for, when it says."""
    if isinstance(value, list | dict):
        return len(value)
    if value is UNKNOWN or isinstance(value, bool):
        return None
    try:
        size = number(value)
    except EvalError:
        return None
    return size if isinstance(size, int) else None


def _count_keys(value: Any) -> list[tuple[InstanceKey, dict[str, Any]]] | None:
    if value is UNKNOWN or isinstance(value, bool):
        return None
    try:
        count = number(value)
    except EvalError:
        return None
    if not isinstance(count, int) or count < 0:
        return None
    return [(index, {"count": {"index": index}}) for index in range(count)]


def _each_keys(value: Any) -> list[tuple[InstanceKey, dict[str, Any]]] | None:
    if isinstance(value, dict):
        return [(k, {"each": {"key": k, "value": value[k]}}) for k in sorted(value)]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [(k, {"each": {"key": k, "value": k}}) for k in to_set(value)]
    return None


def key_suffix(key: InstanceKey) -> str:
    """``[0]`` or ``["name"]`` as Terraform writes instance keys; empty for no key."""
    if key is NO_KEY:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return f"[{json.dumps(key, ensure_ascii=False)}]"


def evaluate_body(block: Block, evaluator: Evaluator, *, top: bool) -> dict[str, Any]:
    """A block's attributes and nested blocks (as lists of maps), UNKNOWN where unknown."""
    result: dict[str, Any] = {}
    for name, expr in block.attributes.items():
        if top and name in _META_ATTRIBUTES:
            if name == "depends_on":
                evaluator.attribute(expr)  # references only: they link resources
            continue
        result[name] = evaluator.attribute(expr)
    for nested in block.blocks:
        if top and nested.kind in _META_BLOCKS:
            continue
        if nested.kind == "dynamic" and nested.labels:
            _dynamic(nested, evaluator, result)
            continue
        value: Any = evaluate_body(nested, evaluator, top=False)
        for label in reversed(nested.labels):
            value = {label: value}
        _append(result, nested.kind, value)
    return result


def _append(result: dict[str, Any], name: str, value: Any) -> None:
    existing = result.get(name)
    if isinstance(existing, list):
        existing.append(value)
    else:
        result[name] = [value]


def _dynamic(block: Block, evaluator: Evaluator, result: dict[str, Any]) -> None:
    """``dynamic "name" { for_each, iterator, content {} }`` as the blocks it generates;
    an unknown ``for_each`` leaves the whole block list unknown."""
    name = block.labels[0]
    iterator_expr = block.attributes.get("iterator")
    iterator = (identifier_of(iterator_expr) if iterator_expr is not None else None) or name
    content = next((b for b in block.blocks if b.kind == "content"), None)
    for_each = block.attributes.get("for_each")
    collection = evaluator.attribute(for_each) if for_each is not None else UNKNOWN
    if isinstance(collection, dict):
        pairs: list[tuple[Any, Any]] = sorted(collection.items())
    elif isinstance(collection, list):
        pairs = list(enumerate(collection))
    else:
        _append(result, name, UNKNOWN)
        return
    for key, value in pairs:  # none: no block, as if it were not written
        with evaluator.bound({iterator: {"key": key, "value": value}}):
            generated = evaluate_body(content, evaluator, top=False) if content else {}
        _append(result, name, generated)


class _Omit:
    __slots__ = ()


_OMIT: Final = _Omit()


def plain_data(value: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Resource data without unknown values, and the dotted paths of what was left out.
    A list with an unknown element is left out whole (its length is not known either)."""
    unknown: list[str] = []
    result = _plain(value, "", unknown, 0)
    return (result if isinstance(result, dict) else {}), unknown


def _plain(value: Any, path: str, unknown: list[str], depth: int) -> Any:
    if value is UNKNOWN:
        unknown.append(path)
        return _OMIT
    if depth > MAX_DEPTH:
        raise TooDeep(path)
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            plain = _plain(item, f"{path}.{key}" if path else key, unknown, depth + 1)
            if plain is not _OMIT:
                result[key] = plain
        return result
    if isinstance(value, list):
        mark = len(unknown)
        items = [_plain(item, f"{path}.{i}", unknown, depth + 1) for i, item in enumerate(value)]
        if any(item is _OMIT for item in items):
            del unknown[mark:]
            unknown.append(path)
            return _OMIT
        return items
    return value
