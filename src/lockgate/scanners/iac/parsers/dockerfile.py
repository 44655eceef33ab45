"""Dockerfiles (also ``Containerfile`` and ``*.dockerfile``): one resource per file.

Parsed the way BuildKit reads them: parser directives (``# syntax=``, ``# escape=``) at the
top, line continuations with the escape character (comment and empty lines inside a
continuation skipped), heredocs (``RUN <<EOF`` … ``EOF``, ``<<-`` stripping leading tabs)
for ``RUN``, ``COPY`` and ``ADD``, leading ``--flags``, JSON exec form versus shell form.
An unknown instruction, an instruction other than ``ARG`` before the first ``FROM``, a file
without ``FROM``, a malformed ``FROM`` or an unterminated heredoc is a located error, as
``docker build`` would refuse the file too.

The resource (type ``Dockerfile``, address = the file's path) is::

    {"stages": [stage, ...], "instructions": [instruction, ...], "final_stage": stage}

A stage is ``{"index", "name", "base", "image", "tag", "digest", "platform",
"base_is_stage", "line", "instructions"}``: ``base`` is the ``FROM`` reference after
substituting the global ``ARG`` defaults (``FROM python:${PY}`` with ``ARG PY=3.12``),
split into ``image`` (registry and repository), ``tag`` and ``digest`` (``None`` when
absent); ``base_is_stage`` is true when ``FROM`` names an earlier stage (then ``tag`` and
``digest`` are ``None``); ``name`` is the ``AS`` name (lower-cased, as BuildKit does) or
``None``. A stage's instructions start with its ``FROM``.

An instruction is ``{"instruction", "value", "line", "end_line", "stage", "flags", "args",
"json", "heredocs"}``: ``instruction`` upper-cased; ``value`` the text after the flags,
continuation lines joined, followed by any heredoc bodies as written; ``stage`` the stage
index (``-1`` for the global ``ARG`` lines before the first ``FROM``); ``flags`` the leading
``--name=value`` words as written; ``json`` whether the exec (JSON) form was used;
``heredocs`` a list of ``{"name", "content"}``. ``args`` depends on the instruction:

* ``RUN``, ``CMD``, ``ENTRYPOINT``, ``SHELL``: the JSON list in exec form, else a
  one-element list with the shell command;
* ``ENV``, ``ARG``, ``LABEL``: ``[{"key", "value"}, ...]`` with quotes removed (``ARG``
  without a default has ``"value": None``);
* ``HEALTHCHECK``: ``["NONE"]`` or ``["CMD", ...command args as for CMD]``;
* ``ONBUILD``: one map, the trigger instruction parsed the same way (without line/stage);
* ``USER``, ``WORKDIR``, ``MAINTAINER``, ``STOPSIGNAL``: the whole value, one element;
* every other instruction: its whitespace-separated words (JSON list for the exec form).

Values that cannot be known statically (a ``FROM`` using an ``ARG`` without a default or a
BuildKit platform argument) are left as written and their paths (``stages.0.base``,
``stages.0.platform``) listed in :attr:`Resource.unknown`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.iac.resources import MAX_DOCUMENT_BYTES, ParseResult, Resource
from lockgate.scanners.iac.suppress import for_range, scan_lines

KIND = "dockerfile"
TYPE = "Dockerfile"

INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
_COMMAND_INSTRUCTIONS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL"})
_JSON_LIST_INSTRUCTIONS = frozenset({"ADD", "COPY", "VOLUME"})
_WHOLE_VALUE_INSTRUCTIONS = frozenset({"USER", "WORKDIR", "MAINTAINER", "STOPSIGNAL"})
_NOT_ONBUILD = frozenset({"ONBUILD", "FROM", "MAINTAINER"})
#: BuildKit's automatic platform arguments: their values depend on the build machine.
_PLATFORM_ARGS = frozenset(
    {
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
    }
)

_DIRECTIVE = re.compile(r"^#[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC_WORD = re.compile(r"^\d*<<(-?)(.+)$")
_HEREDOC_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_STAGE_NAME = re.compile(r"^[a-z][a-z0-9_.-]*$")
_VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class DockerfileError(ValueError):
    """A Dockerfile that BuildKit would refuse, with the 1-based line where it went wrong."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class _Logical:
    """One instruction as read from the file, before interpretation."""

    keyword: str
    rest: str
    line: int
    end_line: int
    heredocs: list[dict[str, str]] = field(default_factory=list)
    bodies: str = ""  # the heredoc bodies and terminators as written, after the first line


def parse(root: Path, paths: Sequence[str]) -> ParseResult:
    """One ``Dockerfile`` resource per readable, well-formed file; located errors otherwise."""
    resources: list[Resource] = []
    errors: list[ControlError] = []
    skipped: list[SkippedItem] = []
    base = root.resolve()
    for path in paths:
        text = read_source(base, path, skipped, errors)
        if text is None:
            continue
        try:
            resources.append(parse_text(text, path))
        except DockerfileError as exc:
            errors.append(
                ControlError(
                    kind=ErrorKind.INPUT,
                    message=f"invalid Dockerfile: {exc.message}",
                    fatal=False,
                    path=path,
                    line=exc.line,
                )
            )
    return ParseResult(resources=tuple(resources), errors=tuple(errors), skipped=tuple(skipped))


def read_source(
    root: Path, path: str, skipped: list[SkippedItem], errors: list[ControlError]
) -> str | None:
    """The UTF-8 text of ``root/path``; None (with a skip or an error recorded) otherwise.

    ``root`` must already be resolved. Paths escaping the root (``..``, symlinks) and files
    over :data:`MAX_DOCUMENT_BYTES` are skipped; unreadable or non-UTF-8 files are errors.
    """
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root):
        skipped.append(
            SkippedItem(path=path, reason=SkipReason.SYMLINK_OUTSIDE, detail="outside the root")
        )
        return None
    try:
        if candidate.exists() and not candidate.is_file():
            skipped.append(SkippedItem(path=path, reason=SkipReason.SPECIAL_FILE))
            return None
        with candidate.open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        errors.append(
            ControlError(
                kind=ErrorKind.INPUT,
                message=f"cannot read: {exc.strerror or exc}",
                fatal=False,
                path=path,
            )
        )
        return None
    if len(data) > MAX_DOCUMENT_BYTES:
        skipped.append(
            SkippedItem(
                path=path,
                reason=SkipReason.TOO_LARGE,
                detail=f"over the {MAX_DOCUMENT_BYTES} byte limit",
            )
        )
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.append(
            ControlError(
                kind=ErrorKind.INPUT,
                message="not UTF-8 text",
                fatal=False,
                path=path,
                line=line,
            )
        )
        return None


def parse_text(text: str, path: str) -> Resource:
    """The ``Dockerfile`` resource of one file's text; DockerfileError if malformed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    escape, first = _directives(lines)
    logical = _logical_lines(lines, first, escape)
    data, unknown = _interpret(logical, escape)
    end_line = max(len(lines), 1)
    markers = scan_lines(lines)
    return Resource(
        kind=KIND,
        type=TYPE,
        address=path,
        path=path,
        start_line=1,
        end_line=end_line,
        data=data,
        unknown=frozenset(unknown),
        suppressions=for_range(markers, lines, 1, end_line),
    )


def _directives(lines: Sequence[str]) -> tuple[str, int]:
    """The escape character and the index of the first line after the parser directives."""
    seen: set[str] = set()
    escape = "\\"
    for index, line in enumerate(lines):
        match = _DIRECTIVE.match(line)
        if match is None:
            return escape, index
        key = match.group(1).lower()
        if key not in _KNOWN_DIRECTIVES:
            return escape, index
        if key in seen:
            raise DockerfileError(f"only one {key} parser directive can be used", index + 1)
        seen.add(key)
        if key == "escape":
            value = match.group(2)
            if value not in ("\\", "`"):
                raise DockerfileError(f"invalid escape token {value!r}: use \\ or `", index + 1)
            escape = value
    return escape, len(lines)


def _is_comment(line: str) -> bool:
    return line.lstrip(" \t").startswith("#")


def _strip_continuation(line: str, escape: str) -> tuple[str, bool]:
    """The line without a trailing escape character, and whether the line continues."""
    trimmed = line.rstrip(" \t")
    if trimmed.endswith(escape):
        return trimmed[: -len(escape)], True
    return line, False


def _logical_lines(lines: Sequence[str], first: int, escape: str) -> list[_Logical]:
    """Instructions with continuation lines joined and heredoc bodies read."""
    result: list[_Logical] = []
    count = len(lines)
    index = first
    while index < count:
        raw = lines[index].lstrip(" \t")
        index += 1
        if not raw.strip() or raw.startswith("#"):
            continue
        start = index  # 1-based line number of this instruction
        text, continues = _strip_continuation(raw, escape)
        parts = [text]
        while continues and index < count:
            raw = lines[index]
            index += 1
            if _is_comment(raw) or not raw.strip():
                continue
            text, continues = _strip_continuation(raw, escape)
            parts.append(text)
        joined = "".join(parts).strip()
        if not joined:
            continue
        keyword, _, rest = _split_first_word(joined)
        item = _Logical(keyword=keyword.upper(), rest=rest, line=start, end_line=index)
        if item.keyword in _HEREDOC_INSTRUCTIONS and "<<" in rest and not _json_list(rest):
            for name, strip_tabs in _heredoc_names(_flags_and_rest(rest)[1], escape):
                body: list[str] = []
                while True:
                    if index >= count:
                        raise DockerfileError(f"unterminated heredoc {name!r}", start)
                    raw = lines[index]
                    index += 1
                    candidate = raw.lstrip("\t") if strip_tabs else raw
                    if candidate == name:
                        break
                    body.append(candidate)
                content = "".join(f"{line}\n" for line in body)
                item.heredocs.append({"name": name, "content": content})
                item.bodies = f"{item.bodies}\n{content}{name}"
            item.end_line = index
        result.append(item)
    return result


def _split_first_word(text: str) -> tuple[str, str, str]:
    parts = text.split(None, 1)
    if len(parts) < 2:
        return (parts[0] if parts else ""), "", ""
    return parts[0], " ", parts[1]


def _heredoc_names(text: str, escape: str) -> list[tuple[str, bool]]:
    """The heredoc terminators a command line opens (``<<EOF``, ``<<-"EOF"``), in order."""
    found: list[tuple[str, bool]] = []
    for word in _shell_words(text, escape):
        match = _HEREDOC_WORD.match(word)
        if match is None:
            continue
        name = _unquote(match.group(2), escape)
        if _HEREDOC_NAME.match(name):
            found.append((name, match.group(1) == "-"))
    return found


def _shell_words(text: str, escape: str) -> list[str]:
    """Words split on unquoted whitespace, quotes and escapes kept as written."""
    words: list[str] = []
    current: list[str] = []
    quote = ""
    in_word = False
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if quote:
            current.append(char)
            if char == escape and quote == '"' and index + 1 < length:
                current.append(text[index + 1])
                index += 1
            elif char == quote:
                quote = ""
        elif char in " \t\n":
            if in_word:
                words.append("".join(current))
                current = []
                in_word = False
        else:
            in_word = True
            current.append(char)
            if char == escape and index + 1 < length:
                current.append(text[index + 1])
                index += 1
            elif char in "'\"":
                quote = char
        index += 1
    if in_word:
        words.append("".join(current))
    return words


def _unquote(word: str, escape: str) -> str:
    """A shell word with its quotes removed and escapes applied (no variable expansion)."""
    if "'" not in word and '"' not in word and escape not in word:
        return word
    out: list[str] = []
    quote = ""
    index = 0
    length = len(word)
    while index < length:
        char = word[index]
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                out.append(char)
        elif quote == '"':
            if char == '"':
                quote = ""
            elif char == escape and index + 1 < length and word[index + 1] in f'"${escape}':
                out.append(word[index + 1])
                index += 1
            else:
                out.append(char)
        elif char in "'\"":
            quote = char
        elif char == escape and index + 1 < length:
            out.append(word[index + 1])
            index += 1
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _flags_and_rest(rest: str) -> tuple[list[str], str]:
    """Leading ``--name[=value]`` flags (as written) and the text after them."""
    flags: list[str] = []
    remaining = rest.lstrip()
    while remaining.startswith("--"):
        word, _, after = _split_first_word(remaining)
        if word == "--":
            remaining = after.lstrip()
            break
        flags.append(word)
        remaining = after.lstrip()
    return flags, remaining


def _json_list(text: str) -> list[str] | None:
    """The exec form's list of strings, or None for the shell form."""
    stripped = text.strip()
    if not stripped.startswith("["):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _key_values(keyword: str, rest: str, escape: str, line: int) -> list[dict[str, Any]]:
    """``ENV``/``LABEL`` pairs (``k=v ...`` or the legacy ``k v``) or ``ARG`` names."""
    words = _shell_words(rest, escape)
    if not words:
        raise DockerfileError(f"{keyword} requires at least one argument", line)
    pairs: list[dict[str, Any]] = []
    if keyword == "ARG":
        for word in words:
            key, equals, value = word.partition("=")
            pairs.append({"key": key, "value": _unquote(value, escape) if equals else None})
        return pairs
    if "=" not in words[0]:
        key, _, value = rest.strip().partition(" ")
        if not value.strip():
            key, _, value = rest.strip().partition("\t")
        if not value.strip():
            raise DockerfileError(f"{keyword} must have two arguments", line)
        return [{"key": key, "value": _unquote(value.strip(), escape)}]
    for word in words:
        key, equals, value = word.partition("=")
        if not equals or not key:
            raise DockerfileError(
                f"syntax error - can't find = in {word!r}; must be of the form name=value",
                line,
            )
        pairs.append({"key": _unquote(key, escape), "value": _unquote(value, escape)})
    return pairs


def _arguments(keyword: str, value: str, escape: str, line: int) -> tuple[list[Any], bool]:
    """``args`` of an instruction (its text after the flags) and whether it is in JSON form."""
    if keyword in _COMMAND_INSTRUCTIONS:
        return _command_args(keyword, value, line)
    if keyword in ("ENV", "ARG", "LABEL"):
        return _key_values(keyword, value, escape, line), False
    if keyword == "HEALTHCHECK":
        return _healthcheck_args(value, line)
    if keyword == "ONBUILD":
        return [_onbuild_trigger(value, escape, line)], False
    if keyword in _WHOLE_VALUE_INSTRUCTIONS:
        return ([value] if value else []), False
    exec_form = _json_list(value) if keyword in _JSON_LIST_INSTRUCTIONS else None
    return (value.split(), False) if exec_form is None else (list(exec_form), True)


def _command_args(keyword: str, value: str, line: int) -> tuple[list[Any], bool]:
    exec_form = _json_list(value)
    if exec_form is not None:
        return list(exec_form), True
    if keyword == "SHELL":
        raise DockerfileError("SHELL requires the arguments to be in JSON form", line)
    return [value], False


def _healthcheck_args(value: str, line: int) -> tuple[list[Any], bool]:
    words = value.split(None, 1)
    if not words or words[0].upper() not in ("NONE", "CMD"):
        raise DockerfileError("HEALTHCHECK takes NONE or CMD <command>", line)
    if words[0].upper() == "NONE":
        return ["NONE"], False
    command, exec_form = _command_args("CMD", words[1] if len(words) > 1 else "", line)
    return ["CMD", *command], exec_form


def _onbuild_trigger(value: str, escape: str, line: int) -> dict[str, Any]:
    trigger, _, trigger_rest = _split_first_word(value)
    trigger = trigger.upper()
    if trigger in _NOT_ONBUILD:
        raise DockerfileError(f"{trigger} isn't allowed as an ONBUILD trigger", line)
    if trigger not in INSTRUCTIONS:
        raise DockerfileError(f"unknown instruction: {trigger or '(none)'}", line)
    flags, trigger_value = _flags_and_rest(trigger_rest)
    args, exec_form = _arguments(trigger, trigger_value, escape, line)
    return {
        "instruction": trigger,
        "value": trigger_value,
        "flags": flags,
        "args": args,
        "json": exec_form,
    }


def _interpret(logical: Sequence[_Logical], escape: str) -> tuple[dict[str, Any], set[str]]:
    stages: list[dict[str, Any]] = []
    instructions: list[dict[str, Any]] = []
    global_args: dict[str, str | None] = {}
    unknown: set[str] = set()
    for item in logical:
        keyword = item.keyword
        if keyword not in INSTRUCTIONS:
            raise DockerfileError(f"unknown instruction: {keyword}", item.line)
        flags, value = _flags_and_rest(item.rest)
        if not value:
            raise DockerfileError(f"{keyword} requires at least one argument", item.line)
        if keyword in _COMMAND_INSTRUCTIONS:
            value += item.bodies  # the heredoc is the script RUN runs
        args, exec_form = _arguments(keyword, value, escape, item.line)
        value += "" if keyword in _COMMAND_INSTRUCTIONS else item.bodies
        if not stages and keyword not in ("ARG", "FROM"):
            raise DockerfileError(f"{keyword} before the first FROM (no build stage)", item.line)
        instruction: dict[str, Any] = {
            "instruction": keyword,
            "value": value,
            "line": item.line,
            "end_line": item.end_line,
            "stage": len(stages) - 1,
            "flags": flags,
            "args": args,
            "json": exec_form,
            "heredocs": item.heredocs,
        }
        if keyword == "FROM":
            stage = _stage(instruction, global_args=global_args, earlier=stages, unknown=unknown)
            instruction["stage"] = stage["index"]
            stage["instructions"].append(instruction)
            stages.append(stage)
        elif not stages:
            for pair in args:
                default = pair["value"]
                if default is not None:
                    default, known = _substitute(default, global_args)
                    if not known:
                        default = None
                global_args[pair["key"]] = default
        else:
            stages[-1]["instructions"].append(instruction)
        instructions.append(instruction)
    if not stages:
        raise DockerfileError("no FROM instruction: not a buildable Dockerfile", None)
    data = {"stages": stages, "instructions": instructions, "final_stage": stages[-1]}
    return data, unknown


def _stage(
    instruction: dict[str, Any],
    *,
    global_args: dict[str, str | None],
    earlier: Sequence[dict[str, Any]],
    unknown: set[str],
) -> dict[str, Any]:
    """The stage a ``FROM`` instruction opens, its base resolved against the global ARGs."""
    index, line = len(earlier), instruction["line"]
    words = instruction["value"].split()
    if len(words) not in (1, 3) or (len(words) == 3 and words[1].lower() != "as"):
        raise DockerfileError("FROM requires either one or three arguments", line)
    name: str | None = None
    if len(words) == 3:
        name = words[2].lower()
        if not _STAGE_NAME.match(name):
            raise DockerfileError(f"invalid stage name {words[2]!r}", line)
    base, known = _substitute(words[0], global_args)
    if not known:
        unknown.update(f"stages.{index}.{key}" for key in ("base", "image", "tag", "digest"))
    platform: str | None = None
    for flag in instruction["flags"]:
        if flag.startswith("--platform="):
            platform, platform_known = _substitute(flag.partition("=")[2], global_args)
            if not platform_known:
                unknown.add(f"stages.{index}.platform")
    is_stage = any(stage["name"] == base.lower() for stage in earlier)
    image, tag, digest = (base, None, None) if is_stage else split_image(base)
    return {
        "index": index,
        "name": name,
        "base": base,
        "image": image,
        "tag": tag,
        "digest": digest,
        "platform": platform,
        "base_is_stage": is_stage,
        "line": line,
        "instructions": [],
    }


def split_image(reference: str) -> tuple[str, str | None, str | None]:
    """``registry/repo:tag@digest`` as (image with registry, tag or None, digest or None)."""
    rest, _, digest = reference.partition("@")
    colon = rest.rfind(":")
    if colon > rest.rfind("/"):
        return rest[:colon], rest[colon + 1 :] or None, digest or None
    return rest, None, digest or None


def _substitute(text: str, values: dict[str, str | None]) -> tuple[str, bool]:
    """``$VAR``/``${VAR}``/``${VAR:-word}``/``${VAR:+word}`` from ``values``.

    Returns the text unchanged and False when a variable's value is not statically known
    (declared without a default, undeclared, or a BuildKit platform argument); with
    ``:-``/``:+`` such a variable counts as unset, as it is in a build without
    ``--build-arg``.
    """
    if "$" not in text:
        return text, True
    known = True

    def replace(match: re.Match[str]) -> str:
        nonlocal known
        name = match.group("braced") or match.group("bare")
        op = match.group("op")
        value = values.get(name)
        if name in _PLATFORM_ARGS or (op is None and value is None):
            known = False
            return match.group(0)
        if op is None:
            return value or ""
        word, word_known = _substitute(match.group("word") or "", values)
        if not word_known:
            known = False
            return match.group(0)
        if value is not None and (value != "" or not op.startswith(":")):
            return word if op.endswith("+") else value
        return word if op.endswith("-") else ""

    result = _VARIABLE.sub(replace, text)
    return (result, True) if known else (text, False)
