"""Custom policy in Rego, evaluated in-process with ``regopy`` (rego-cpp), conftest style.

Rules named ``deny``/``deny_*``/``violation``/``violation_*`` fail the gate, ``warn``/``warn_*``
warn, and ``exception`` waives failures by rule-name suffix (https://conftest.dev/exceptions/).
Messages are strings or objects with ``msg``; the other fields travel along as details.
The policy sees the compact gate document, never raw files (ARCHITECTURE.md §7).

``regopy`` is imported inside the functions that need it, keeping start-up fast.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lockgate.errors import ConfigError
from lockgate.tomlsource import did_you_mean

OutcomeVerdict = Literal["fail", "warn", "waived"]

ALL_NAMESPACES = "*"
_FAIL_RULE = re.compile(r"^(?:deny|violation)(?:_(\w+))?$")
_WARN_RULE = re.compile(r"^warn(?:_\w+)?$")
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)", re.MULTILINE)
_RULE_HEAD = re.compile(
    r"^(?:default\s+)?([A-Za-z_]\w*)\s*(?:contains\b|if\b|:=|=|\[|\{)", re.MULTILINE
)
_V0_SET_HEAD = re.compile(r"^((?:deny|violation|warn|exception)(?:_\w+)?)\s*\[", re.MULTILINE)
_ERROR_AT = re.compile(rb"\(error (\d+):")
_ERROR_MSG = re.compile(rb"\(errormsg (\d+):")


@dataclass(frozen=True, kw_only=True, slots=True)
class PolicyOutcome:
    """One result of a conftest-style rule: failed, warned, or failed but waived."""

    verdict: OutcomeVerdict
    rule: str
    namespace: str
    message: str
    file: str = ""
    """The module defining the rule, relative to the policy directory (best effort)."""
    details: tuple[tuple[str, str], ...] = ()
    """Fields of an object message other than ``msg``; non-strings as JSON text."""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Module:
    name: str
    source: str
    package: str
    rules: frozenset[str]


class RegoPolicy:
    """The ``*.rego`` modules of a policy directory and the namespaces to evaluate."""

    def __init__(
        self, *, directory: Path, modules: Sequence[_Module], namespaces: Sequence[str], digest: str
    ) -> None:
        self.directory = directory
        self.namespaces = tuple(namespaces)
        self.digest = digest
        """SHA-256 over every module's relative name and content: names the policy in decisions."""
        self._modules = tuple(modules)

    @property
    def files(self) -> tuple[Path, ...]:
        """The module files, sorted."""
        return tuple(self.directory / m.name for m in self._modules)

    @classmethod
    def load(cls, directory: Path, *, namespaces: Sequence[str] = ("main",)) -> RegoPolicy | None:
        """Read and check every ``*.rego`` below ``directory`` (``*_test.rego`` aside).

        ``None`` when there is none. ``namespaces=("*",)`` evaluates every package found.
        Syntax errors, unsupported constructs and unknown namespaces raise ConfigError.
        """
        paths = sorted(
            p
            for p in directory.rglob("*.rego")
            if p.is_file() and not p.name.endswith("_test.rego")
        )
        if not paths:
            return None
        modules = [_read_module(directory, path) for path in paths]
        _check_syntax(directory, modules)
        packages = sorted({m.package for m in modules})
        if ALL_NAMESPACES in namespaces:
            selected = packages
        else:
            selected = list(dict.fromkeys(namespaces))
            for namespace in selected:
                if namespace not in packages:
                    close = did_you_mean(namespace, packages)
                    raise ConfigError(
                        f"no Rego module declares package {namespace} "
                        f"(found: {', '.join(packages)})",
                        path=str(directory),
                        hint=f"did you mean '{close}'?"
                        if close
                        else f"set the policy namespaces to the packages to evaluate, "
                        f'or to ["{ALL_NAMESPACES}"] for all of them',
                    )
        digest = hashlib.sha256()
        for module in modules:
            for part in (module.name, module.source):
                digest.update(part.encode("utf-8"))
                digest.update(b"\0")
        return cls(
            directory=directory, modules=modules, namespaces=selected, digest=digest.hexdigest()
        )

    def evaluate(self, document: Mapping[str, object]) -> tuple[PolicyOutcome, ...]:
        """Every deny/violation/warn result for ``document``, exceptions applied, sorted."""
        return next(iter(self.evaluate_many([document])))

    def evaluate_many(
        self, documents: Iterable[Mapping[str, object]]
    ) -> Iterator[tuple[PolicyOutcome, ...]]:
        """:meth:`evaluate` for each document in turn, with one interpreter (the modules
        are compiled once; conftest evaluates each parsed file the same way)."""
        from regopy import Interpreter, LogLevel

        interpreter = Interpreter()
        interpreter.log_level = LogLevel.NONE  # errors come back to us; nothing on stdout
        interpreter.strict_built_in_errors = True  # a failing builtin is an error, not "no"
        for module in self._modules:
            _add_module(interpreter, self.directory, module)
        for document in documents:
            interpreter.set_input_term(json.dumps(document, sort_keys=True, default=str))
            outcomes: list[PolicyOutcome] = []
            for namespace in self.namespaces:
                values = self._query(interpreter, namespace)
                outcomes.extend(self._outcomes(namespace, values))
            yield tuple(
                sorted(
                    outcomes, key=lambda o: (o.namespace, o.rule, o.verdict, o.message, o.details)
                )
            )

    def _query(self, interpreter: Any, namespace: str) -> dict[str, Any]:
        query = f"x = data.{namespace}"
        try:
            output = interpreter.query(query)
        except ValueError:  # regopy fails to parse some error outputs (unknown functions)
            detail = _raw_query_error(interpreter, query) or "the engine reported an error"
            raise self._runtime_error(namespace, detail) from None
        except Exception as exc:  # regopy.RegoError, imported lazily
            raise self._runtime_error(namespace, _first_message(str(exc))) from None
        if not output.ok():
            messages = [
                _first_message(output.node().at(i).json()) for i in range(len(output.node()))
            ]
            raise self._runtime_error(namespace, "; ".join(dict.fromkeys(messages)))
        try:
            node = output.binding("x")
        except ValueError:  # undefined: the package defines nothing for this input
            return {}
        value = json.loads(node.json())
        return value if isinstance(value, dict) else {}

    def _runtime_error(self, namespace: str, detail: str) -> ConfigError:
        files = ", ".join(m.name for m in self._modules if m.package == namespace)
        return ConfigError(
            f"Rego policy package {namespace} ({files}) failed: {detail}",
            path=str(self.directory),
            hint="fix the policy; a failing policy never lets a change pass",
        )

    def _outcomes(self, namespace: str, values: Mapping[str, Any]) -> list[PolicyOutcome]:
        waived = _exception_suffixes(
            self._where(namespace, "exception"), namespace, values.get("exception")
        )
        out: list[PolicyOutcome] = []
        for rule in sorted(values):
            failing = _FAIL_RULE.match(rule)
            if failing is None and not _WARN_RULE.match(rule):
                continue
            verdict: OutcomeVerdict = "warn"
            if failing is not None:
                verdict = "waived" if (failing.group(1) or "") in waived else "fail"
            file = self._file_of(namespace, rule)
            where = self._where(namespace, rule)
            for message, details in _messages(where, namespace, rule, values[rule]):
                out.append(
                    PolicyOutcome(
                        verdict=verdict,
                        rule=rule,
                        namespace=namespace,
                        message=message,
                        file=file,
                        details=details,
                    )
                )
        return out

    def _where(self, namespace: str, rule: str) -> str:
        """The file (or else the directory) to name in an error about ``rule``."""
        file = self._file_of(namespace, rule)
        return str(self.directory / file) if file else str(self.directory)

    def _file_of(self, namespace: str, rule: str) -> str:
        in_package = [m for m in self._modules if m.package == namespace]
        for module in in_package:
            if rule in module.rules:
                return module.name
        return in_package[0].name if len(in_package) == 1 else ""


def _read_module(directory: Path, path: Path) -> _Module:
    name = path.relative_to(directory).as_posix()
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read Rego module: {exc}", path=str(path)) from None
    package = _PACKAGE.search(_strip_comments(source))
    if package is None:
        raise ConfigError(
            "Rego module has no package declaration",
            path=str(path),
            line=1,
            hint="start the module with e.g. 'package main'",
        )
    v0 = _V0_SET_HEAD.search(source)
    if v0 is not None:
        raise ConfigError(
            f"'{v0.group(1)}[…]' is Rego v0 partial-set syntax, which lockgate's in-process "
            "engine reads as a Rego v1 object",
            path=str(path),
            line=source.count("\n", 0, v0.start()) + 1,
            hint=f"write '{v0.group(1)} contains msg if {{ … }}' (Rego v1)",
        )
    rules = frozenset(m.group(1) for m in _RULE_HEAD.finditer(source))
    return _Module(name=name, source=source, package=package.group(1), rules=rules)


def _strip_comments(source: str) -> str:
    return re.sub(r"#[^\n]*", "", source)


def _check_syntax(directory: Path, modules: Sequence[_Module]) -> None:
    from regopy import Interpreter, LogLevel

    interpreter = Interpreter()
    interpreter.log_level = LogLevel.NONE
    for module in modules:
        _add_module(interpreter, directory, module)


def _add_module(interpreter: Any, directory: Path, module: _Module) -> None:
    try:
        interpreter.add_module(module.name, module.source)
    except Exception as exc:  # regopy.RegoError, imported lazily
        text = str(exc).encode("utf-8")
        line = _error_line(text, module.source)
        raise ConfigError(
            f"invalid Rego: {_first_message(str(exc))}",
            path=str(directory / module.name),
            line=line,
            hint="lockgate evaluates Rego v1 (the 'contains' and 'if' keywords) with rego-cpp",
        ) from None


def _length_prefixed(text: bytes, match: re.Match[bytes]) -> str:
    """The ``N:value`` string rego-cpp prints in its error trees (N is a byte count)."""
    size = int(match.group(1))
    return text[match.end() : match.end() + size].decode("utf-8", "replace")


def _first_message(error: str) -> str:
    """The first ``errormsg`` of a rego-cpp error tree, or the text itself."""
    text = error.encode("utf-8")
    found = _ERROR_MSG.search(text)
    return _length_prefixed(text, found) if found else error.strip()


def _error_line(text: bytes, source: str) -> int | None:
    """The 1-based line of the first error's byte offset (``(error 8:a.rego|43|2``)."""
    found = _ERROR_AT.search(text)
    if found is None:
        return None
    end = found.end() + int(found.group(1))
    where = re.match(rb"\|(\d+)\|", text[end:])
    if where is None:
        return None
    return source.encode("utf-8")[: int(where.group(1))].count(b"\n") + 1


def _raw_query_error(interpreter: Any, query: str) -> str | None:
    """The error text regopy could not parse; uses its ctypes layer, so best effort only."""
    try:
        from regopy import rego_shared

        impl = rego_shared.rego_query(interpreter._impl, query)
        try:
            return _first_message(rego_shared.rego_output_string(impl))
        finally:
            rego_shared.rego_free_output(impl)
    except Exception:  # a diagnostic nicety must not mask the real error
        return None


def _exception_suffixes(where: str, namespace: str, value: Any) -> frozenset[str]:
    """Rule-name suffixes waived by ``exception``: a set of arrays of strings."""
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise _shape_error(
            where,
            namespace,
            "exception",
            value,
            'exception contains rules if { …; rules := ["name"] }',
        )
    out: set[str] = set()
    for item in value:
        names = item if isinstance(item, list) else [item]
        if not all(isinstance(name, str) for name in names):
            raise _shape_error(
                where,
                namespace,
                "exception",
                value,
                'exception contains rules if { …; rules := ["name"] }',
            )
        out.update(names)
    return frozenset(out)


def _messages(
    where: str, namespace: str, rule: str, value: Any
) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    if value is True:  # ``deny if …``: a failure without a message
        return [(rule, ())]
    if value is False or value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for item in items:
        if isinstance(item, str):
            out.append((item, ()))
        elif isinstance(item, dict) and isinstance(item.get("msg"), str):
            details = tuple(
                sorted(
                    (str(k), v if isinstance(v, str) else json.dumps(v, sort_keys=True))
                    for k, v in item.items()
                    if k != "msg"
                )
            )
            out.append((item["msg"], details))
        else:
            raise _shape_error(
                where,
                namespace,
                rule,
                item,
                f'{rule} contains msg if {{ …; msg := "…" }} or '
                f'{rule} contains {{"msg": "…", …}} if {{ … }}',
            )
    return out


def _shape_error(where: str, namespace: str, rule: str, value: Any, example: str) -> ConfigError:
    shown = json.dumps(value, sort_keys=True)
    if len(shown) > 120:
        shown = shown[:117] + "..."
    return ConfigError(
        f"rule {namespace}.{rule} produced {shown}, which is not a message",
        path=where,
        hint=f"write it as {example}",
    )
