"""CloudFormation templates, YAML or JSON (JSON when the text starts with ``{``), and SAM.

One resource per entry of ``Resources``: type = its ``Type``, address = its logical id,
lines = its entry in the template. Its data is the entry as written (``Type``,
``Properties``, ``Condition``, ``DependsOn``, …) with:

* YAML short-form tags in their long form: ``!Ref X`` -> ``{"Ref": "X"}``,
  ``!Condition C`` -> ``{"Condition": "C"}``, ``!GetAtt Logs.Arn`` ->
  ``{"Fn::GetAtt": ["Logs", "Arn"]}``, and every other ``!Name v`` -> ``{"Fn::Name": v}``
  (``!Sub``, ``!Join``, ``!If``, ``!Select``, ``!Split``, ``!FindInMap``, ``!Base64``,
  ``!Cidr``, ``!ImportValue``, ``!GetAZs``, ``!Equals``, ``!And``, ``!Or``, ``!Not``,
  ``!Transform``…);
* ``{"Ref": P}`` to a parameter with a ``Default`` replaced by that default (a list for
  ``CommaDelimitedList`` and ``List<…>`` parameters; ``AWS::SSM::Parameter::Value<…>``
  parameters count as having no default, since their default names the SSM parameter); in an
  ``Fn::Sub`` such parameters (and literals from its own variable map) are substituted,
  and when no other ``${…}`` remains the ``Fn::Sub`` becomes the resulting string. A
  ``Ref`` or ``Sub`` using a parameter without a default keeps it as written and its dotted
  path (``Properties.BucketName``) is listed in :attr:`Resource.unknown`. Pseudo
  parameters (``AWS::Region``…) and references to resources stay as written.

``related`` maps each resource type to the resources whose ``Properties`` point at this one
through ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub`` (an ``AWS::S3::BucketPolicy`` with
``Bucket: !Ref Logs`` is in ``related["AWS::S3::BucketPolicy"]`` of ``Logs``). SAM
resources (``Transform: AWS::Serverless-2016-10-31``) are kept as written, not expanded;
``Globals`` are not merged. A template without ``Resources`` is skipped; an
``Fn::ForEach`` loop in ``Resources`` is skipped with the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.iac.parsers._yaml import YamlError, load_documents
from lockgate.scanners.iac.parsers.compose import entry_spans
from lockgate.scanners.iac.parsers.dockerfile import read_source
from lockgate.scanners.iac.resources import MAX_DEPTH, ParseResult, Resource
from lockgate.scanners.iac.suppress import for_range, scan_lines

KIND = "cloudformation"
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_JSON_TOKEN = re.compile(r'"(?P<string>[^"\\]*(?:\\.[^"\\]*)*)"(?P<colon>\s*:)?|[{}\[\]]')


class TemplateError(ValueError):
    """A template CloudFormation would refuse, at a 1-based line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class _Template:
    """One template read to plain data, with the line span of each resource entry."""

    path: str
    data: dict[str, Any]
    lines: list[str]
    spans: dict[str, tuple[int, int]]
    errors: list[ControlError] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)


def parse(root: Path, paths: Sequence[str]) -> ParseResult:
    """One resource per entry of ``Resources`` of every readable template."""
    resources: list[Resource] = []
    errors: list[ControlError] = []
    skipped: list[SkippedItem] = []
    base = root.resolve()
    for path in paths:
        text = read_source(base, path, skipped, errors)
        if text is None:
            continue
        try:
            template = _read(text, path)
        except YamlError as exc:
            errors.append(exc.to_control_error(path))
            continue
        except TemplateError as exc:
            errors.append(_error(exc.message, path, exc.line))
            continue
        if template is None:
            skipped.append(
                SkippedItem(path=path, reason=SkipReason.NOT_APPLICABLE, detail="no Resources")
            )
            continue
        resources.extend(_resources(template))
        errors.extend(template.errors)
        skipped.extend(template.skipped)
    return ParseResult(resources=tuple(resources), errors=tuple(errors), skipped=tuple(skipped))


def _read(text: str, path: str) -> _Template | None:
    """The template's data and resource spans; None when it has no ``Resources``."""
    lines = text.splitlines()
    if text.lstrip("\ufeff \t\r\n")[:1] == "{":
        data = _json(text)
        spans = json_resource_spans(text)
    else:
        documents = [d for d in load_documents(text, path, tag_handler=long_form) if d.data]
        if len(documents) > 1:
            raise TemplateError("a template holds one YAML document", documents[1].start_line)
        data = documents[0].data if documents else None
        spans = {}
        if isinstance(data, dict) and isinstance(data.get("Resources"), dict):
            spans = entry_spans(documents[0], ("Resources",), list(data["Resources"]), lines)
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TemplateError("a template must be a mapping", 1)
    resources = data.get("Resources")
    if not resources:
        return None
    if not isinstance(resources, dict):
        raise TemplateError("'Resources' must be a mapping", None)
    return _Template(path=path, data=data, lines=lines, spans=spans)


def long_form(tag: str, value: Any) -> Any:
    """The long (JSON) form of a YAML short-form intrinsic function tag."""
    if not tag.startswith("!"):
        return value
    name = tag[1:]
    if name in ("Ref", "Condition"):
        return {name: value}
    if name == "GetAtt" and isinstance(value, str):
        logical_id, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [logical_id, attribute]}
    return {f"Fn::{name}": value}


def _json(text: str) -> Any:
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise TemplateError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise TemplateError("JSON nested too deeply", None) from None
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels", None)
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return data


def json_resource_spans(text: str) -> dict[str, tuple[int, int]]:
    """First and last line of each entry of the top-level ``Resources`` object of JSON text."""
    spans: dict[str, tuple[int, int]] = {}
    depth = 0
    line = 1
    last = 0
    opening_resources = False
    in_resources = False
    current: str | None = None
    for match in _JSON_TOKEN.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        symbol = match.group(0)
        if match.group("colon") is not None:
            key = _json_key(match.group("string"))
            if depth == 1 and key == "Resources":
                opening_resources = True
            elif in_resources and depth == 2:  # an entry of Resources
                current = key
                spans[key] = (line, line)
            continue
        if symbol in ("{", "["):
            depth += 1
            in_resources = in_resources or (opening_resources and symbol == "{")
        elif symbol in ("}", "]"):
            depth -= 1
            if in_resources and depth == 2 and current is not None:
                spans[current] = (spans[current][0], line)
            elif in_resources and depth == 1:
                break
        opening_resources = False
    return spans


def _json_key(raw: str) -> str:
    if "\\" not in raw:
        return raw
    try:
        return str(json.loads(f'"{raw}"'))
    except ValueError:
        return raw


@dataclass
class _Parameters:
    """Template parameters: the value a ``Ref`` takes by default, or unknown."""

    defaults: dict[str, Any]
    without_default: frozenset[str]

    @classmethod
    def of(cls, template: dict[str, Any]) -> _Parameters:
        declared = template.get("Parameters")
        if not isinstance(declared, dict):
            return cls({}, frozenset())
        defaults = {}
        for name, spec in declared.items():
            if not isinstance(spec, dict) or "Default" not in spec:
                continue
            kind = str(spec.get("Type", ""))
            default = spec["Default"]
            if kind.startswith("AWS::SSM::Parameter::Value<"):
                continue  # the default names an SSM parameter; its value is resolved at deploy
            if isinstance(default, str) and (
                kind == "CommaDelimitedList" or kind.startswith("List<")
            ):
                default = [item.strip() for item in default.split(",")]
            defaults[name] = default
        return cls(defaults, frozenset(declared) - defaults.keys())


def _resources(template: _Template) -> list[Resource]:
    parameters = _Parameters.of(template.data)
    entries: dict[str, tuple[dict[str, Any], set[str]]] = {}
    for logical_id, entry in template.data["Resources"].items():
        start = template.spans.get(logical_id, (None, None))[0]
        if logical_id.startswith("Fn::ForEach::"):
            template.skipped.append(
                SkippedItem(
                    path=template.path,
                    reason=SkipReason.UNSUPPORTED,
                    detail=f"{logical_id}: Fn::ForEach (AWS::LanguageExtensions) is not expanded",
                )
            )
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("Type"), str):
            message = f"resource {logical_id!r} must be a mapping with a string 'Type'"
            template.errors.append(_error(message, template.path, start))
            continue
        unknown: set[str] = set()
        entries[logical_id] = (_substitute(entry, "", parameters, unknown), unknown)
    related = _related(entries)
    markers = scan_lines(template.lines)
    result = []
    for logical_id, (data, unknown) in entries.items():
        start, end = template.spans.get(logical_id, (1, max(len(template.lines), 1)))
        result.append(
            Resource(
                kind=KIND,
                type=data["Type"],
                address=logical_id,
                path=template.path,
                start_line=start,
                end_line=end,
                data=data,
                related=related.get(logical_id, {}),
                unknown=frozenset(unknown),
                suppressions=for_range(markers, template.lines, start, end),
            )
        )
    return result


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def _substitute(value: Any, path: str, parameters: _Parameters, unknown: set[str]) -> Any:
    """``value`` with parameter defaults in place of ``Ref``/``Fn::Sub`` where known."""
    if isinstance(value, list):
        return [
            _substitute(item, _join(path, index), parameters, unknown)
            for index, item in enumerate(value)
        ]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref" and isinstance(argument, str):
            if argument in parameters.defaults:
                return parameters.defaults[argument]
            if argument in parameters.without_default:
                unknown.add(path)
            return value
        if function == "Fn::Sub":
            return _sub(argument, path, parameters, unknown)
    return {
        key: _substitute(item, _join(path, key), parameters, unknown) for key, item in value.items()
    }


def _sub(argument: Any, path: str, parameters: _Parameters, unknown: set[str]) -> Any:
    """An ``Fn::Sub`` as a plain string when every variable is statically known."""
    if isinstance(argument, str):
        template, variables = argument, {}
    elif (
        isinstance(argument, list)
        and len(argument) == 2
        and isinstance(argument[0], str)
        and isinstance(argument[1], dict)
    ):
        template = argument[0]
        variables = _substitute(argument[1], _join(path, "Fn::Sub.1"), parameters, unknown)
    else:
        return {"Fn::Sub": argument}
    values: dict[str, str] = {}
    names = {n for n in _SUB_VARIABLE.findall(template) if not n.startswith("!")}
    for name in names:
        known = variables.get(name, parameters.defaults.get(name))
        if isinstance(known, (str, int, float)) and not isinstance(known, bool):
            values[name] = str(known)
        elif name in parameters.without_default and name not in variables:
            unknown.add(path)
    complete = not names - values.keys()

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}" if complete else match.group(0)
        return values.get(name, match.group(0))

    text = _SUB_VARIABLE.sub(replace, template)
    if complete:
        return text
    return {"Fn::Sub": text if isinstance(argument, str) else [text, variables]}


def _related(
    entries: dict[str, tuple[dict[str, Any], set[str]]],
) -> dict[str, dict[str, list[Any]]]:
    """For each logical id, the resources (by type) whose properties reference it."""
    related: dict[str, dict[str, list[Any]]] = {}
    for logical_id, (data, _) in entries.items():
        targets = _references(data.get("Properties"), set())
        for target in sorted(targets):
            if target != logical_id and target in entries:
                related.setdefault(target, {}).setdefault(data["Type"], []).append(data)
    return related


def _references(value: Any, found: set[str]) -> set[str]:
    """Logical ids named by ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub`` inside ``value``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        for function, argument in item.items():
            if function == "Ref" and isinstance(argument, str):
                found.add(argument)
            elif function == "Fn::GetAtt":
                if isinstance(argument, list) and argument and isinstance(argument[0], str):
                    found.add(argument[0])
                elif isinstance(argument, str):
                    found.add(argument.partition(".")[0])
            elif function == "Fn::Sub":
                template = argument[0] if isinstance(argument, list) and argument else argument
                own = argument[1] if isinstance(argument, list) and len(argument) > 1 else {}
                if isinstance(template, str):
                    for name in _SUB_VARIABLE.findall(template):
                        if not name.startswith("!") and name not in own:
                            found.add(name.partition(".")[0])
                stack.append(own)
                continue
            stack.append(argument)
    return found


def _error(message: str, path: str, line: int | None) -> ControlError:
    return ControlError(
        kind=ErrorKind.INPUT,
        message=f"invalid CloudFormation template: {message}",
        fatal=False,
        path=path,
        line=line,
    )
