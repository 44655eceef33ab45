"""Semgrep as lockgate's SAST engine: one offline run over exactly the files in scope with
the applicable rule files, and its JSON turned into matches and located per-file errors.

Offline and private: ``--metrics=off``, no version check, no registry configs, no login,
OSS engine only, HOME pointed at lockgate's own directory. Bounded: a timeout per rule and
file, a memory limit, a number of jobs, and a deadline for the whole run. Nothing is
silenced: semgrep's per-file errors (syntax errors, timeouts) become errors in the report,
files it did not scan are reported as skipped, and a crash or unreadable output is an
engine failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lockgate.model import ControlError, ErrorKind, SkippedItem, SkipReason
from lockgate.scanners.sast._findings import SEMGREP, Match
from lockgate.scanners.sast._process import (
    Completed,
    chunks,
    find_executable,
    path_argument,
    run_engine,
)
from lockgate.scanners.sast._results import (
    EngineFailure,
    EngineRun,
    bounded,
    json_report,
    relative,
)
from lockgate.scanners.sast._rulepack import (
    LANGUAGE_EXTENSIONS,
    confidence_of,
    cwe_ids,
    severity_of,
    strings,
    title_from_message,
)

OK_EXIT_CODES = frozenset({0, 1})
"""0: no findings; 1: findings (only with ``--error``). Anything else is a failure."""
RULE_NAMESPACE = "lockgate."


@dataclass(frozen=True, kw_only=True)
class SemgrepSettings:
    """Limits of one semgrep run."""

    jobs: int = 1
    timeout_per_file: int = 10
    """Seconds per rule and file (semgrep's ``--timeout``); 0 disables it."""
    timeout_threshold: int = 3
    """Rule timeouts on one file after which semgrep gives up on that file."""
    max_memory_mb: int = 4096
    max_target_bytes: int = 10 * 1024 * 1024
    timeout: float = 600.0
    """Seconds for the whole run (all chunks); the process group is killed after that."""
    exclude_rules: tuple[str, ...] = ()


def rule_id_of(check_id: str) -> str:
    """Semgrep's result id mapped back to the rule's own id: when semgrep prefixes ids with
    the path of a configuration directory, the id is the part from ``lockgate.<language>.``
    on (the path itself may contain ``lockgate.``)."""
    starts = [0] if check_id.startswith(RULE_NAMESPACE) else []
    index = check_id.find("." + RULE_NAMESPACE)
    while index >= 0:
        starts.append(index + 1)
        index = check_id.find("." + RULE_NAMESPACE, index + 1)
    for start in starts:
        parts = check_id[start:].split(".")
        if len(parts) >= 3 and parts[1] in LANGUAGE_EXTENSIONS:
            return check_id[start:]
    return check_id[starts[-1] :] if starts else check_id


class SemgrepRunner:
    """Runs the ``semgrep`` executable (beside lockgate's interpreter, else on PATH)."""

    name = SEMGREP

    def __init__(self, executable: Path | None = None) -> None:
        self._executable = executable

    def executable(self) -> Path | None:
        return self._executable or find_executable("semgrep")

    def command(
        self,
        executable: Path,
        *,
        configs: Sequence[Path],
        paths: Sequence[str],
        settings: SemgrepSettings,
    ) -> list[str]:
        """The argument vector for one chunk of target paths (relative to the cwd)."""
        argv = [
            str(executable),
            "scan",
            "--json",
            "--quiet",
            "--metrics=off",
            "--disable-version-check",
            "--oss-only",
            "--no-git-ignore",
            "--no-rewrite-rule-ids",
            "--disable-nosem",  # inline nosemgrep comments become visible suppressions
            f"--timeout={settings.timeout_per_file}",
            f"--timeout-threshold={settings.timeout_threshold}",
            f"--max-memory={settings.max_memory_mb}",
            f"--jobs={max(1, settings.jobs)}",
            f"--max-target-bytes={settings.max_target_bytes}",
        ]
        for config in configs:
            argv.append(f"--config={config}")
        for rule in settings.exclude_rules:
            argv.append(f"--exclude-rule={rule}")
        argv.append("--")
        argv.extend(path_argument(p) for p in paths)
        return argv

    def run(
        self,
        *,
        root: Path,
        paths: Sequence[str],
        configs: Sequence[Path],
        settings: SemgrepSettings,
        env: Mapping[str, str],
        cancel: threading.Event,
        user_rules: Sequence[Path] = (),
    ) -> EngineRun:
        """Scan ``paths`` (relative to ``root``) with ``configs``; never raises for engine
        trouble (that is an :class:`EngineRun` failure), only :class:`Cancelled`."""
        if not paths or not configs:
            return EngineRun(engine=SEMGREP)
        executable = self.executable()
        if executable is None:
            return EngineRun(
                engine=SEMGREP,
                failure=EngineFailure(
                    message="semgrep not found: it is a dependency of lockgate; reinstall "
                    "lockgate (pip install lockgate) or put semgrep on PATH"
                ),
            )
        deadline = time.monotonic() + settings.timeout
        parts: list[EngineRun] = []
        for chunk in chunks(paths):
            argv = self.command(executable, configs=configs, paths=chunk, settings=settings)
            remaining = max(1.0, deadline - time.monotonic())
            try:
                done = run_engine(argv, cwd=root, env=env, timeout=remaining, cancel=cancel)
            except OSError as exc:
                return EngineRun(
                    engine=SEMGREP,
                    failure=EngineFailure(
                        message=f"cannot run {executable}: {exc.strerror or exc}"
                    ),
                )
            part = parse_output(
                done, requested=chunk, user_rules=user_rules, timeout=settings.timeout
            )
            if part.failed:
                return part
            parts.append(part)
        return _combine(parts)


def _combine(parts: Sequence[EngineRun]) -> EngineRun:
    return EngineRun(
        engine=SEMGREP,
        matches=tuple(m for p in parts for m in p.matches),
        errors=tuple(e for p in parts for e in p.errors),
        skipped=tuple(s for p in parts for s in p.skipped),
        scanned=frozenset().union(*(p.scanned for p in parts)),
        version=next((p.version for p in parts if p.version), None),
    )


def parse_output(
    done: Completed,
    *,
    requested: Sequence[str],
    user_rules: Sequence[Path] = (),
    timeout: float = 0.0,
) -> EngineRun:
    """Semgrep's JSON report (and exit code) as an :class:`EngineRun`."""
    document = json_report(done, SEMGREP, timeout)
    if isinstance(document, EngineFailure):
        return EngineRun(engine=SEMGREP, failure=document)
    code = done.returncode
    wanted = {relative(p) for p in requested}
    scanned = frozenset(
        relative(p)
        for p in _list(_dict(document.get("paths")).get("scanned"))
        if isinstance(p, str)
    )
    file_errors: list[ControlError] = []
    other_errors: list[str] = []
    severe = False
    for raw in _list(document.get("errors")):
        if not isinstance(raw, dict):
            continue
        error = _file_error(raw, wanted)
        if error is not None:
            file_errors.append(error)
        else:
            other_errors.append(_error_text(raw))
            severe = severe or str(raw.get("level", "error")).lower() == "error"
    # semgrep may exit 0 after its core was killed (out of memory): nothing scanned plus an
    # error-level message is a failure whatever the exit code says.
    if not scanned and (code not in OK_EXIT_CODES or severe):
        text = "; ".join(other_errors) or "no error message"
        kind = (
            ErrorKind.INPUT
            if _mentions(text, raw_errors=document.get("errors"), paths=user_rules)
            else ErrorKind.TOOL
        )
        what = "could not load the rules" if other_errors else "failed"
        return EngineRun(
            engine=SEMGREP,
            failure=EngineFailure(
                message=bounded(f"semgrep {what} (exit code {code}): {text}", 1000),
                kind=kind,
                detail=done.stderr_tail(),
            ),
        )
    errors = list(file_errors)
    errors.extend(
        ControlError(kind=ErrorKind.TOOL, fatal=False, message=bounded(f"semgrep: {text}"))
        for text in dict.fromkeys(other_errors)
    )
    if code not in OK_EXIT_CODES:
        errors.append(
            ControlError(
                kind=ErrorKind.TOOL,
                fatal=False,
                message=f"semgrep exited with code {code}; its results so far are kept",
                detail=done.stderr_tail(),
            )
        )
    matches = [m for m in (_match(r) for r in _list(document.get("results"))) if m is not None]
    errored = {e.path for e in file_errors if e.path}
    skipped = [
        SkippedItem(
            path=path,
            reason=SkipReason.UNSUPPORTED,
            detail="semgrep did not scan this file (no rule applies to its language, or "
            "semgrep skipped it)",
        )
        for path in sorted(wanted - scanned - errored)
    ]
    version = document.get("version")
    return EngineRun(
        engine=SEMGREP,
        matches=tuple(matches),
        errors=tuple(errors),
        skipped=tuple(skipped),
        scanned=scanned,
        version=version if isinstance(version, str) else None,
    )


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _type_name(raw: Mapping[str, Any]) -> str:
    kind = raw.get("type")
    if isinstance(kind, list) and kind and isinstance(kind[0], str):
        return kind[0]
    return kind if isinstance(kind, str) else "error"


def _error_text(raw: Mapping[str, Any]) -> str:
    message = str(raw.get("message") or raw.get("short_msg") or "")
    long_message = str(raw.get("long_msg") or "")
    if long_message and long_message != message:
        message = f"{message} ({bounded(long_message, 160)})" if message else long_message
    name = _type_name(raw)
    spans = [s for s in _list(raw.get("spans")) if isinstance(s, dict)]
    where = ""
    if spans and isinstance(spans[0].get("file"), str):
        line = _int(_dict(spans[0].get("start")).get("line"))
        where = f" at {spans[0]['file']}" + (f":{line}" if line else "")
    text = f"{name}{where}: {message}" if message else f"{name}{where}"
    return bounded(text)


def _error_location(raw: Mapping[str, Any]) -> tuple[str | None, int | None]:
    path = raw.get("path")
    line: int | None = None
    spans = [s for s in _list(raw.get("spans")) if isinstance(s, dict)]
    kind = raw.get("type")
    if isinstance(kind, list) and len(kind) > 1 and isinstance(kind[1], list):
        spans += [s for s in kind[1] if isinstance(s, dict)]
    for span in spans:
        if not isinstance(path, str):
            candidate = span.get("file") or span.get("path")
            path = candidate if isinstance(candidate, str) else None
        line = line or _int(_dict(span.get("start")).get("line"))
    return (path if isinstance(path, str) else None), line


def _file_error(raw: Mapping[str, Any], wanted: set[str]) -> ControlError | None:
    """A per-file error (syntax error, partial parse, timeout, memory) of a scanned file."""
    path, line = _error_location(raw)
    if path is None or relative(path) not in wanted:
        return None
    path = relative(path)
    name = _type_name(raw)
    message = str(raw.get("message") or raw.get("short_msg") or name)
    rule = raw.get("rule_id")
    if name == "Timeout":
        text = "semgrep timed out on this file" + (f" running rule {rule}" if rule else "")
    elif name == "OutOfMemory" or "memory" in name.lower():
        text = "semgrep ran out of memory on this file" + (f" running rule {rule}" if rule else "")
    elif name == "PartialParsing":
        text = "semgrep could parse this file only in part; code after the syntax error may be "
        text += f"unscanned: {message}"
    elif "Syntax" in name or "Lexical" in name or "Parse" in name:
        text = f"semgrep could not parse this file: {message}"
    else:
        text = f"semgrep {name}: {message}"
    return ControlError(
        kind=ErrorKind.INPUT, fatal=False, path=path, line=line, message=bounded(text)
    )


def _mentions(text: str, *, raw_errors: object, paths: Sequence[Path]) -> bool:
    """Whether the errors are about the user's own rule files (a configuration problem)."""
    if not paths:
        return False
    files = [text]
    for raw in _list(raw_errors):
        if isinstance(raw, dict):
            files.extend(
                str(s.get("file", "")) for s in _list(raw.get("spans")) if isinstance(s, dict)
            )
    names = [str(p) for p in paths] + [p.name for p in paths]
    return any(name and name in item for item in files for name in names)


def _match(raw: object) -> Match | None:
    if not isinstance(raw, dict):
        return None
    check_id, path = raw.get("check_id"), raw.get("path")
    start, end = _dict(raw.get("start")), _dict(raw.get("end"))
    start_line = _int(start.get("line"))
    if not isinstance(check_id, str) or not isinstance(path, str) or not start_line:
        return None
    extra = _dict(raw.get("extra"))
    metadata = _dict(extra.get("metadata"))
    message = " ".join(str(extra.get("message") or "").split())
    rule = rule_id_of(check_id)
    title = str(metadata.get("title") or "") or title_from_message(message) or rule
    properties = {
        "owasp": "; ".join(strings(metadata.get("owasp"))),
        "likelihood": str(metadata.get("likelihood") or ""),
        "impact": str(metadata.get("impact") or ""),
        "category": str(metadata.get("category") or ""),
    }
    return Match(
        engine=SEMGREP,
        engine_rule=rule,
        rule_id=f"sast/{rule}",
        title=title,
        message=message,
        severity=severity_of(extra.get("severity"), metadata),
        confidence=confidence_of(metadata),
        path=relative(path),
        start_line=start_line,
        end_line=max(_int(end.get("line")) or start_line, start_line),
        start_col=_int(start.get("col")),
        end_col=_int(end.get("col")),
        start_offset=_int(start.get("offset")),
        end_offset=_int(end.get("offset")),
        cwe=cwe_ids(metadata.get("cwe")),
        remediation=" ".join(str(metadata.get("remediation") or "").split()),
        references=strings(metadata.get("references")),
        properties={k: v for k, v in properties.items() if v},
    )
