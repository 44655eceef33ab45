"""Terraform expressions evaluated on what is known statically.

Values are plain Python (``str``, ``int``, ``float``, ``bool``, ``None``, ``list``,
``dict``) with :data:`UNKNOWN` standing for whatever cannot be known before ``apply``: an
unset variable, another resource's attribute, a data source, a function not emulated.
Every reference to another resource is recorded (``refs``) so resources can be linked
even though the referenced value itself is unknown.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeAlias

from lark import Token, Tree

from lockgate.scanners.iac.parsers._tf_functions import (
    UNKNOWN,
    EvalError,
    call,
    equal,
    has_unknown,
    normal_number,
    number,
    to_string,
)
from lockgate.scanners.iac.parsers._tf_hcl import (
    Expr,
    JsonExpr,
    Node,
    TemplateError,
    heredoc_text,
    parse_template,
    unescape,
)


class _NoKey:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_KEY"


#: The instance key of a resource or module without ``count``/``for_each``.
NO_KEY: Final = _NoKey()

InstanceKey: TypeAlias = "int | str | _NoKey"
#: A reference to a resource: (module address, ``type.name``, instance key or NO_KEY).
Ref: TypeAlias = tuple[str, str, InstanceKey]
#: A value with the references that went into it.
Resolved: TypeAlias = tuple[Any, frozenset[Ref]]


class Scope(Protocol):
    """What an expression can see in one module instance."""

    @property
    def address(self) -> str:
        """``""`` for the root module, ``module.a.module.b[0]`` for a nested one."""
        ...

    @property
    def names(self) -> Mapping[str, Any]:
        """Values always in scope (``path``, ``terraform``)."""
        ...

    def variable(self, name: str) -> Resolved: ...

    def local(self, name: str) -> Resolved: ...

    def module_output(self, call: str, key: InstanceKey, name: str) -> Resolved: ...

    def read_file(self, path: str) -> str:
        """A workspace file for ``file()``; raises EvalError when it cannot be read."""
        ...


@dataclass(frozen=True, slots=True)
class _Namespace:
    kind: str  # var, local, module, data, self


@dataclass(frozen=True, slots=True)
class _ResourceType:
    name: str  # aws_s3_bucket, data.aws_iam_policy_document


@dataclass(frozen=True, slots=True)
class _ResourceRef:
    base: str  # aws_s3_bucket.data
    key: InstanceKey


@dataclass(frozen=True, slots=True)
class _ModuleRef:
    name: str
    key: InstanceKey


_NAMESPACES = frozenset({"var", "local", "module", "data", "self"})
_NOT_VALUES = (_Namespace, _ResourceType, _ModuleRef)


def _real(children: Sequence[Any]) -> list[Node]:
    """The sub-expressions of a node: trees other than line breaks and comments."""
    return [c for c in children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _name(node: Any) -> str:
    while isinstance(node, Tree):
        node = node.children[0]
    return str(node)


class Evaluator:
    """Evaluates expressions of one module instance, with extra names in scope
    (``count``, ``each``, ``for`` variables, dynamic-block iterators)."""

    __slots__ = ("names", "refs", "scope")

    def __init__(self, scope: Scope, names: Mapping[str, Any] | None = None) -> None:
        self.scope = scope
        self.names: dict[str, Any] = dict(scope.names)
        if names:
            self.names.update(names)
        self.refs: set[Ref] = set()

    def attribute(self, expr: Expr) -> Any:
        """An attribute's value; an expression Terraform would reject is UNKNOWN here."""
        try:
            return self.value(expr)
        except EvalError:
            return UNKNOWN

    def value(self, expr: Expr) -> Any:
        """The value of an expression (raises EvalError where Terraform would)."""
        if isinstance(expr, JsonExpr):
            return expr.value if expr.literal else self._json(expr.value)
        handler = _HANDLERS.get(expr.data)
        if handler is None:
            return UNKNOWN
        return handler(self, expr)

    @contextmanager
    def bound(self, names: Mapping[str, Any]) -> Iterator[None]:
        """``names`` in scope for the duration (for-expression and iterator variables)."""
        saved = {name: self.names[name] for name in names if name in self.names}
        self.names.update(names)
        try:
            yield
        finally:
            for name in names:
                if name in saved:
                    self.names[name] = saved[name]
                else:
                    del self.names[name]

    # --- literals and templates ---------------------------------------------------------

    def _expr_term(self, node: Node) -> Any:
        children = node.children
        if len(children) == 1:
            child = children[0]
            if isinstance(child, Tree):
                if child.data == "identifier":
                    return self._finalize(self._root(_name(child)))
                return self.value(child)
            return UNKNOWN
        inner = _real(children)
        return self.value(inner[0]) if inner else UNKNOWN

    def _int(self, node: Node) -> Any:
        return int(str(node.children[0]))

    def _float(self, node: Node) -> Any:
        return normal_number(float(str(node.children[0])))

    def _literal(self, node: Node) -> Any:
        text = str(node.children[0])
        return True if text == "true" else False if text == "false" else None

    def _string(self, node: Node) -> Any:
        parts = node.children[1:-1]
        if len(parts) == 1:
            token = parts[0].children[0] if isinstance(parts[0], Tree) else None
            if isinstance(token, Token) and token.type == "STRING_CHARS":
                return unescape(str(token))
        pieces: list[Any] = []
        for part in parts:
            inner = part.children[0] if isinstance(part, Tree) else part
            if isinstance(inner, Token):
                text = str(inner)
                pieces.append(unescape(text) if inner.type == "STRING_CHARS" else text[1:])
            elif isinstance(inner, Tree) and inner.data == "interpolation":
                pieces.append(_Piece(self.value(_real(inner.children)[0])))
            else:
                return UNKNOWN  # %{if}/%{for} directives are not evaluated
        return _joined(pieces)

    def _heredoc(self, node: Node) -> Any:
        text = heredoc_text(str(node.children[0]))
        if "${" not in text and "%{" not in text:
            return text
        return self._template(text)

    def _template(self, text: str) -> Any:
        try:
            parts = parse_template(text)
        except TemplateError as exc:
            raise EvalError(str(exc)) from None
        if parts is None:
            return UNKNOWN
        return _joined([p if isinstance(p, str) else _Piece(self.value(p)) for p in parts])

    def _json(self, value: Any) -> Any:
        if isinstance(value, str):
            if "${" in value or "%{" in value:
                return self._template(value)
            return value
        if isinstance(value, list):
            return [self._json(item) for item in value]
        if isinstance(value, dict):
            return {key: self._json(item) for key, item in value.items()}
        if isinstance(value, float):
            return normal_number(value)
        return value

    # --- collections --------------------------------------------------------------------

    def _tuple(self, node: Node) -> Any:
        return [self.value(child) for child in _real(node.children)]

    def _object(self, node: Node) -> Any:
        result: dict[str, Any] = {}
        unknown_key = False
        for element in _real(node.children):
            key_node, value_node = element.children[0], element.children[2]
            key = self._object_key(key_node)
            value = self.value(value_node) if isinstance(value_node, Tree) else UNKNOWN
            if key is UNKNOWN:
                unknown_key = True
            else:
                result[key] = value
        return UNKNOWN if unknown_key else result

    def _object_key(self, node: Any) -> Any:
        inner = node.children[0] if isinstance(node, Tree) else node
        if isinstance(inner, Tree):
            if inner.data == "keyword":
                return _name(inner)
            if inner.data == "expr_term" and len(inner.children) == 1:
                only = inner.children[0]
                if isinstance(only, Tree) and only.data == "identifier":
                    return _name(only)
            key = self.value(inner)
            return key if key is UNKNOWN else to_string(key)
        return str(inner)

    # --- operators ----------------------------------------------------------------------

    def _conditional(self, node: Node) -> Any:
        condition, when_true, when_false = _real(node.children)
        chosen = self.value(condition)
        if chosen is UNKNOWN:
            for branch in (when_true, when_false):  # both may be used: record their refs
                with suppress(EvalError):
                    self.value(branch)
            return UNKNOWN
        if chosen in ("true", "false"):
            chosen = chosen == "true"
        if not isinstance(chosen, bool):
            raise EvalError("a condition must be a bool")
        return self.value(when_true if chosen else when_false)

    def _binary(self, node: Node) -> Any:  # noqa: PLR0911 - one return per operator family
        left_node, term = node.children[0], node.children[1]
        if not isinstance(left_node, Tree) or not isinstance(term, Tree):
            return UNKNOWN
        operator_node, right_node = term.children[0], _real(term.children[1:])[0]
        symbol = _name(operator_node).strip()
        left, right = self.value(left_node), self.value(right_node)
        if symbol in ("&&", "||"):
            return _logical(symbol, left, right)
        if symbol in ("==", "!="):
            if has_unknown(left) or has_unknown(right):
                return UNKNOWN
            return equal(left, right) == (symbol == "==")
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        function = _ARITHMETIC.get(symbol)
        if function is None:
            return UNKNOWN
        a, b = number(left), number(right)
        if symbol in ("/", "%") and b == 0:
            raise EvalError("division by zero")
        result = function(a, b)
        return result if isinstance(result, bool) else normal_number(result)

    def _unary(self, node: Node) -> Any:
        symbol = str(node.children[0])
        value = self.value(node.children[1]) if isinstance(node.children[1], Tree) else UNKNOWN
        if value is UNKNOWN:
            return UNKNOWN
        if symbol == "!":
            if not isinstance(value, bool):
                raise EvalError("! needs a bool")
            return not value
        return normal_number(-number(value))

    # --- functions ----------------------------------------------------------------------

    def _function(self, node: Node) -> Any:
        children = node.children
        name = _name(children[0])
        arguments = next(
            (c for c in children if isinstance(c, Tree) and c.data == "arguments"), None
        )
        nodes = _real(arguments.children) if arguments is not None else []
        if any(isinstance(c, Token) and c.type == "COLONS" for c in children):
            return UNKNOWN  # provider-defined functions
        special = _SPECIAL.get(name)
        if special is not None:
            return special(self, nodes)
        args = [self.value(n) for n in nodes]
        if arguments is not None and any(
            isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments.children
        ):
            last = args.pop() if args else UNKNOWN
            if last is UNKNOWN:
                return UNKNOWN
            if not isinstance(last, list):
                raise EvalError("... expands a list")
            args.extend(last)
        return call(name, args)

    def _try(self, nodes: list[Node]) -> Any:
        for candidate in nodes:
            try:
                return self.value(candidate)
            except EvalError:
                continue
        raise EvalError("no argument of try() could be evaluated")

    def _can(self, nodes: list[Node]) -> Any:
        if len(nodes) != 1:
            raise EvalError("can() takes one argument")
        try:
            value = self.value(nodes[0])
        except EvalError:
            return False
        return UNKNOWN if value is UNKNOWN else True

    def _file(self, nodes: list[Node]) -> Any:
        if len(nodes) != 1:
            raise EvalError("file() takes one argument")
        path = self.value(nodes[0])
        if path is UNKNOWN:
            return UNKNOWN
        return self.scope.read_file(to_string(path))

    def _templatefile(self, nodes: list[Node]) -> Any:
        if len(nodes) != 2:
            raise EvalError("templatefile() takes two arguments")
        path, variables = self.value(nodes[0]), self.value(nodes[1])
        if path is UNKNOWN or variables is UNKNOWN:
            return UNKNOWN
        if not isinstance(variables, dict):
            raise EvalError("templatefile() variables must be a map")
        text = self.scope.read_file(to_string(path))
        inner = Evaluator(self.scope, variables)
        result = inner._template(text)
        self.refs.update(inner.refs)
        return result

    # --- references ---------------------------------------------------------------------

    def _traversal(self, node: Node) -> Any:
        return self._finalize(self._traverse(node))

    def _traverse(self, node: Node) -> Any:  # noqa: PLR0911 - one return per traversal step
        data = node.data
        children = node.children
        if data == "expr_term" and len(children) == 1 and isinstance(children[0], Tree):
            child = children[0]
            if child.data == "identifier":
                return self._root(_name(child))
            return self._traverse(child)
        target, step = (children[0], children[1]) if len(children) == 2 else (None, None)
        if not isinstance(target, Tree) or not isinstance(step, Tree):
            return self.value(node)
        if data == "get_attr_expr_term":
            return self._get_attr(self._traverse(target), _name(step.children[1]))
        if data == "index_expr_term":
            return self._index(self._traverse(target), self._index_key(step))
        if data in ("attr_splat_expr_term", "full_splat_expr_term"):
            return self._splat(self._traverse(target), _real(step.children))
        return self.value(node)

    def _root(self, name: str) -> Any:
        if name in self.names:
            return self.names[name]
        if name in _NAMESPACES:
            return _Namespace(name)
        return _ResourceType(name)

    def _finalize(self, value: Any) -> Any:
        if isinstance(value, _ResourceRef):
            self._record(value)
            return UNKNOWN
        if isinstance(value, _NOT_VALUES):
            return UNKNOWN
        return value

    def _record(self, ref: _ResourceRef) -> None:
        self.refs.add((self.scope.address, ref.base, ref.key))

    def _resolved(self, resolved: Resolved) -> Any:
        value, refs = resolved
        self.refs.update(refs)
        return value

    def _get_attr(self, target: Any, name: str) -> Any:
        if target is UNKNOWN:
            return UNKNOWN
        if isinstance(target, dict):
            if name in target:
                return target[name]
            raise EvalError(f"no attribute {name!r}")
        if isinstance(target, _Namespace):
            return self._namespace_attr(target.kind, name)
        if isinstance(target, _ResourceType):
            return _ResourceRef(f"{target.name}.{name}", NO_KEY)
        if isinstance(target, _ResourceRef):
            self._record(target)
            return UNKNOWN
        if isinstance(target, _ModuleRef):
            return self._resolved(self.scope.module_output(target.name, target.key, name))
        raise EvalError(f"cannot read attribute {name!r} of a value that is not an object")

    def _namespace_attr(self, kind: str, name: str) -> Any:
        if kind == "var":
            return self._resolved(self.scope.variable(name))
        if kind == "local":
            return self._resolved(self.scope.local(name))
        if kind == "module":
            return _ModuleRef(name, NO_KEY)
        if kind == "data":
            return _ResourceType(f"data.{name}")
        return UNKNOWN  # self.*: known only at apply time

    def _index_key(self, node: Any) -> Any:
        if isinstance(node, Tree) and node.data == "short_index":
            return int(str(node.children[-1]))
        inner = _real(node.children) if isinstance(node, Tree) else []
        return self.value(inner[0]) if inner else UNKNOWN

    def _index(self, target: Any, key: Any) -> Any:  # noqa: PLR0911 - one per target form
        if target is UNKNOWN:
            return UNKNOWN
        if isinstance(target, _ResourceRef):
            if key is UNKNOWN or target.key is not NO_KEY:
                self._record(target)
                return UNKNOWN
            return _ResourceRef(target.base, _instance_key(key))
        if isinstance(target, _ModuleRef):
            if key is UNKNOWN or target.key is not NO_KEY:
                return UNKNOWN
            return _ModuleRef(target.name, _instance_key(key))
        if key is UNKNOWN:
            return UNKNOWN
        if isinstance(target, list):
            position = number(key)
            if isinstance(position, int) and 0 <= position < len(target):
                return target[position]
            raise EvalError(f"index {key!r} out of range")
        if isinstance(target, dict):
            name = to_string(key)
            if name in target:
                return target[name]
            raise EvalError(f"no key {name!r}")
        raise EvalError("cannot index this value")

    def _splat(self, target: Any, steps: list[Node]) -> Any:
        if isinstance(target, _ResourceRef):
            self._record(target)
            return UNKNOWN
        if target is UNKNOWN or isinstance(target, _NOT_VALUES):
            return UNKNOWN
        if target is None:
            return []
        result = []
        for item in target if isinstance(target, list) else [target]:
            value = item
            for step in steps:
                if step.data == "get_attr":
                    value = self._get_attr(value, _name(step.children[1]))
                else:
                    value = self._index(value, self._index_key(step))
            result.append(self._finalize(value))
        return result

    # --- for expressions ----------------------------------------------------------------

    def _for_parts(self, node: Node) -> tuple[list[str], Any, list[Node], Node | None]:
        parts = _real(node.children)
        intro, condition = parts[0], None
        if parts[-1].data == "for_cond":
            condition = _real(parts[-1].children)[0]
            parts = parts[:-1]
        names: list[str] = []
        collection: Any = UNKNOWN
        seen_in = False
        for child in intro.children:
            if isinstance(child, Token):
                seen_in = seen_in or child.type == "IN"
            elif child.data == "new_line_or_comment":
                continue
            elif not seen_in and child.data == "identifier":
                names.append(_name(child))
            elif seen_in:
                collection = self.value(child)
                break
        return names, collection, parts[1:], condition

    def _for_items(self, names: list[str], collection: Any) -> list[dict[str, Any]]:
        if isinstance(collection, list):
            pairs: list[tuple[Any, Any]] = list(enumerate(collection))
        elif isinstance(collection, dict):
            pairs = sorted(collection.items())
        else:
            raise EvalError("a for expression needs a list, set or map")
        if len(names) == 1:
            return [{names[0]: value} for _, value in pairs]
        return [{names[0]: key, names[1]: value} for key, value in pairs]

    def _keep(self, condition: Node | None) -> Any:
        if condition is None:
            return True
        kept = self.value(condition)
        if kept is UNKNOWN:
            return UNKNOWN
        if not isinstance(kept, bool):
            raise EvalError("a for condition must be a bool")
        return kept

    def _for_tuple(self, node: Node) -> Any:
        names, collection, (value_node, *_), condition = self._for_parts(node)
        if collection is UNKNOWN:
            return UNKNOWN
        result = []
        for bound in self._for_items(names, collection):
            with self.bound(bound):
                keep = self._keep(condition)
                if keep is UNKNOWN:
                    return UNKNOWN
                if keep:
                    result.append(self.value(value_node))
        return result

    def _for_object(self, node: Node) -> Any:
        names, collection, (key_node, value_node, *_), condition = self._for_parts(node)
        if collection is UNKNOWN:
            return UNKNOWN
        grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
        result: dict[str, Any] = {}
        for bound in self._for_items(names, collection):
            with self.bound(bound):
                keep = self._keep(condition)
                if keep is UNKNOWN:
                    return UNKNOWN
                if not keep:
                    continue
                key = self.value(key_node)
                if key is UNKNOWN:
                    return UNKNOWN
                name = to_string(key)
                value = self.value(value_node)
                if grouping:
                    result.setdefault(name, []).append(value)
                elif name in result:
                    raise EvalError(f"duplicate key {name!r} in a for expression")
                else:
                    result[name] = value
        return result


@dataclass(frozen=True, slots=True)
class _Piece:
    """An interpolated value inside a template (kept apart from literal text)."""

    value: Any


def _joined(pieces: list[Any]) -> Any:
    """A template's value: a lone interpolation keeps its type, otherwise a string."""
    if len(pieces) == 1 and isinstance(pieces[0], _Piece):
        return pieces[0].value
    texts: list[str] = []
    for piece in pieces:
        if isinstance(piece, _Piece):
            if has_unknown(piece.value):
                return UNKNOWN
            texts.append(to_string(piece.value))
        else:
            texts.append(piece)
    return "".join(texts)


def _logical(symbol: str, left: Any, right: Any) -> Any:
    decisive = symbol == "||"  # true decides ||, false decides &&
    if left is decisive or right is decisive:
        return decisive
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if not isinstance(left, bool) or not isinstance(right, bool):
        raise EvalError(f"{symbol} needs bools")
    return not decisive


def _instance_key(key: Any) -> InstanceKey:
    if isinstance(key, bool):
        raise EvalError("an instance key cannot be a bool")
    if isinstance(key, int | float):
        value = normal_number(key)
        if isinstance(value, int):
            return value
        raise EvalError("an instance index must be whole")
    if isinstance(key, str):
        return key
    raise EvalError("an instance key must be a number or a string")


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": lambda a, b: normal_number(a - b * int(a / b)),
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}

_HANDLERS: dict[str, Callable[[Evaluator, Node], Any]] = {
    "expr_term": Evaluator._expr_term,
    "int_lit": Evaluator._int,
    "float_lit": Evaluator._float,
    "literal_value": Evaluator._literal,
    "string": Evaluator._string,
    "heredoc_template": Evaluator._heredoc,
    "heredoc_template_trim": Evaluator._heredoc,
    "tuple": Evaluator._tuple,
    "object": Evaluator._object,
    "conditional": Evaluator._conditional,
    "binary_op": Evaluator._binary,
    "unary_op": Evaluator._unary,
    "function_call": Evaluator._function,
    "get_attr_expr_term": Evaluator._traversal,
    "index_expr_term": Evaluator._traversal,
    "attr_splat_expr_term": Evaluator._traversal,
    "full_splat_expr_term": Evaluator._traversal,
    "for_tuple_expr": Evaluator._for_tuple,
    "for_object_expr": Evaluator._for_object,
}

_SPECIAL: dict[str, Callable[[Evaluator, list[Node]], Any]] = {
    "try": Evaluator._try,
    "can": Evaluator._can,
    "file": Evaluator._file,
    "templatefile": Evaluator._templatefile,
}
