"""Bandit for Python, beside semgrep: its JSON turned into matches and located errors.

Bandit reads no configuration from the scanned repository (only a file the control's
``bandit_config`` option names) and applies no exclusions of its own (the workspace
already applied lockgate's ignores; bandit's default excludes would silently drop any
path merely containing ``.git`` or ``CVS``). ``# nosec`` comments are honoured as visible
suppressions, not as silence. Bandit analyses one file at a time in one process, so large
sets of files are split into size-balanced groups run side by side.
"""

from __future__ import annotations

import ast
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lockgate.model import Confidence, ControlError, ErrorKind, Severity
from lockgate.scanners.sast._bandit_tests import describe
from lockgate.scanners.sast._findings import BANDIT, Match
from lockgate.scanners.sast._process import (
    Completed,
    balanced_groups,
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
from lockgate.scanners.sast._rulepack import title_from_message

OK_EXIT_CODES = frozenset({0, 1})
"""0: no issues; 1: issues found. 2 is a usage or configuration error."""
PARALLEL_MIN_BYTES = 512 * 1024
"""Below this much Python, one bandit process is faster than several (start-up costs)."""


@dataclass(frozen=True, kw_only=True)
class BanditSettings:
    """Limits and choices of one bandit run."""

    jobs: int = 1
    timeout: float = 600.0
    skip_tests: tuple[str, ...] = ()
    config: Path | None = None


class BanditRunner:
    """Runs the ``bandit`` executable (beside lockgate's interpreter, else on PATH)."""

    name = BANDIT

    def __init__(self, executable: Path | None = None) -> None:
        self._executable = executable

    def executable(self) -> Path | None:
        return self._executable or find_executable("bandit")

    def command(
        self, executable: Path, *, paths: Sequence[str], settings: BanditSettings
    ) -> list[str]:
        """The argument vector for one group of Python files (relative to the cwd)."""
        argv = [str(executable), "--format", "json", "--quiet", "--ignore-nosec", "--exclude", ""]
        if settings.skip_tests:
            argv += ["--skip", ",".join(settings.skip_tests)]
        if settings.config is not None:
            argv += ["--configfile", str(settings.config)]
        argv.append("--")
        argv.extend(path_argument(p) for p in paths)
        return argv

    def run(
        self,
        *,
        root: Path,
        paths: Sequence[str],
        sizes: Mapping[str, int],
        settings: BanditSettings,
        env: Mapping[str, str],
        cancel: threading.Event,
    ) -> EngineRun:
        """Scan the Python files ``paths`` (relative to ``root``); engine trouble is an
        :class:`EngineRun` failure, cancellation raises :class:`Cancelled`."""
        if not paths:
            return EngineRun(engine=BANDIT)
        executable = self.executable()
        if executable is None:
            return EngineRun(
                engine=BANDIT,
                failure=EngineFailure(
                    message="bandit not found: it is a dependency of lockgate; reinstall "
                    "lockgate (pip install lockgate) or put bandit on PATH"
                ),
            )
        total = sum(sizes.get(p, 0) for p in paths)
        parallel = settings.jobs if total >= PARALLEL_MIN_BYTES else 1
        groups = [
            chunk
            for group in balanced_groups({p: sizes.get(p, 0) for p in paths}, parallel)
            for chunk in chunks(group)
        ]
        deadline = time.monotonic() + settings.timeout

        def one(group: list[str]) -> EngineRun:
            argv = self.command(executable, paths=group, settings=settings)
            remaining = max(1.0, deadline - time.monotonic())
            try:
                done = run_engine(argv, cwd=root, env=env, timeout=remaining, cancel=cancel)
            except OSError as exc:
                return EngineRun(
                    engine=BANDIT,
                    failure=EngineFailure(
                        message=f"cannot run {executable}: {exc.strerror or exc}"
                    ),
                )
            return parse_output(done, root=root, requested=group, timeout=settings.timeout)

        if len(groups) == 1:
            parts = [one(groups[0])]
        else:
            with ThreadPoolExecutor(max_workers=len(groups), thread_name_prefix="bandit") as pool:
                parts = list(pool.map(one, groups))
        failed = next((p for p in parts if p.failed), None)
        if failed is not None:
            return failed
        return EngineRun(
            engine=BANDIT,
            matches=tuple(m for p in parts for m in p.matches),
            errors=tuple(e for p in parts for e in p.errors),
            scanned=frozenset().union(*(p.scanned for p in parts)),
            version=_version(executable),
        )


def _version(executable: Path) -> str | None:
    """Bandit's version when it is the one installed beside lockgate (no extra process)."""
    if executable.parent != Path(sys.executable).parent:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bandit")
    except PackageNotFoundError:  # pragma: no cover - the executable exists
        return None


def parse_output(
    done: Completed, *, root: Path, requested: Sequence[str], timeout: float = 0.0
) -> EngineRun:
    """Bandit's JSON report (and exit code) as an :class:`EngineRun`."""
    document = json_report(done, BANDIT, timeout)
    if isinstance(document, EngineFailure):
        return EngineRun(engine=BANDIT, failure=document)
    code = done.returncode
    errors: list[ControlError] = []
    failed_paths: set[str] = set()
    for raw in _list(document.get("errors")):
        if not isinstance(raw, dict) or not isinstance(raw.get("filename"), str):
            continue
        path = relative(raw["filename"])
        failed_paths.add(path)
        errors.append(_file_error(root, path, str(raw.get("reason") or "unknown error")))
    if code not in OK_EXIT_CODES:
        errors.append(
            ControlError(
                kind=ErrorKind.TOOL,
                fatal=False,
                message=f"bandit exited with code {code}; its results so far are kept",
                detail=done.stderr_tail(),
            )
        )
    metrics = document.get("metrics")
    listed = (
        {relative(k) for k in metrics if k != "_totals"} if isinstance(metrics, dict) else set()
    )
    wanted = {relative(p) for p in requested}
    scanned = frozenset((listed & wanted or wanted) - failed_paths)
    matches = [m for m in (_match(r) for r in _list(document.get("results"))) if m is not None]
    return EngineRun(engine=BANDIT, matches=tuple(matches), errors=tuple(errors), scanned=scanned)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def syntax_error(root: Path, path: str) -> tuple[int | None, str]:
    """Where and why this interpreter cannot parse a Python file (bandit says only that it
    could not)."""
    try:
        data = (root / path).read_bytes()
    except OSError as exc:
        return None, f"cannot read it: {exc.strerror or exc}"
    try:
        ast.parse(data, filename=path)
    except SyntaxError as exc:
        return exc.lineno, exc.msg
    except (ValueError, RecursionError, MemoryError) as exc:
        return None, str(exc) or type(exc).__name__
    return None, ""


def _file_error(root: Path, path: str, reason: str) -> ControlError:
    line: int | None = None
    if "syntax error" in reason.lower():
        line, why = syntax_error(root, path)
        grammar = f"Python {sys.version_info.major}.{sys.version_info.minor}"
        text = f"bandit could not parse this file with the {grammar} grammar"
        if why:
            text += f": {why}"
            if line:
                text += f" (line {line})"
    else:
        text = f"bandit could not scan this file: {reason}"
    return ControlError(
        kind=ErrorKind.INPUT, fatal=False, path=path, line=line, message=bounded(text)
    )


def _level(value: object, parse: type[Severity] | type[Confidence], default: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse.parse(value)
        except ValueError:
            pass
    return default


def _match(raw: object) -> Match | None:
    if not isinstance(raw, dict):
        return None
    test_id, filename = raw.get("test_id"), raw.get("filename")
    line = _int(raw.get("line_number"))
    if not isinstance(test_id, str) or not isinstance(filename, str) or not line:
        return None
    info = describe(test_id)
    lines = [n for n in (_int(v) for v in _list(raw.get("line_range"))) if n]
    cwe_raw = raw.get("issue_cwe")
    cwe_number = _int(cwe_raw.get("id")) if isinstance(cwe_raw, dict) else None
    cwe = (f"CWE-{cwe_number}",) if cwe_number else ((info.cwe,) if info else ())
    message = " ".join(str(raw.get("issue_text") or "").split())
    more_info = raw.get("more_info")
    references = tuple(
        r
        for r in (
            more_info if isinstance(more_info, str) else None,
            f"https://cwe.mitre.org/data/definitions/{cwe_number}.html" if cwe_number else None,
        )
        if r
    )
    remediation = info.remediation if info and info.remediation else ""
    if more_info and isinstance(more_info, str):
        remediation = (remediation + " " if remediation else "") + f"Bandit's guide: {more_info}"
    col = _int(raw.get("col_offset"))
    start_col = col + 1 if col is not None else None
    end_line = max([line, *lines])
    end_col = _int(raw.get("end_col_offset"))
    end_column = end_col + 1 if end_col is not None else None
    if end_line == line and start_col and end_column and end_column <= start_col:
        end_column = None
    test_name = str(raw.get("test_name") or "")
    if info is not None and test_name in ("", "blacklist"):
        test_name = info.name  # bandit names every blacklist test "blacklist"
    properties = {"bandit_test": test_name} if test_name else {}
    return Match(
        engine=BANDIT,
        engine_rule=test_id.upper(),
        rule_id=f"bandit/{test_id.upper()}",
        title=title_from_message(message) or (info.title if info else test_id),
        message=message,
        severity=_level(raw.get("issue_severity"), Severity, Severity.UNKNOWN),
        confidence=_level(raw.get("issue_confidence"), Confidence, Confidence.MEDIUM),
        path=relative(filename),
        start_line=line,
        end_line=end_line,
        start_col=start_col,
        end_col=end_column,
        cwe=cwe,
        remediation=remediation,
        references=references,
        properties=properties,
        test_name=test_name,
    )
