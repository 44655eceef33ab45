"""Where each requested output goes: ``--format NAME[=PATH]`` parsing, rendering, writing."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from lockgate import __version__
from lockgate.engine.registry import ReporterRegistry
from lockgate.errors import InputError, UsageError
from lockgate.model import Decision, ScanReport
from lockgate.reporters.interface import RenderOptions

MACHINE_FORMATS = frozenset({"json", "sarif", "junit"})


@dataclass(frozen=True, kw_only=True)
class OutputSpec:
    """One requested output: a reporter name and a file, or stdout when ``path`` is None."""

    name: str
    path: Path | None = None


def parse_formats(values: list[str], registry: ReporterRegistry) -> list[OutputSpec]:
    """Parse ``NAME[=PATH]`` values; at most one output may go to stdout."""
    specs: list[OutputSpec] = []
    for value in values:
        name, sep, path = value.partition("=")
        name = name.strip().lower()
        if sep and not path:
            raise UsageError(f"--format {value}: missing file name after '='")
        registry.get(name)  # unknown names fail here, with a hint
        specs.append(OutputSpec(name=name, path=Path(path) if sep else None))
    on_stdout = [s.name for s in specs if s.path is None]
    if len(on_stdout) > 1:
        raise UsageError(
            f"formats {', '.join(on_stdout)} would all write to standard output",
            hint="give all but one a file: --format sarif=out.sarif",
        )
    return specs


def use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def write_outputs(
    specs: list[OutputSpec],
    registry: ReporterRegistry,
    report: ScanReport,
    decision: Decision | None,
    *,
    color: bool,
    verbose: bool,
) -> None:
    """Render every requested output; files are written atomically."""
    for spec in specs:
        reporter = registry.get(spec.name)
        width = 120
        if spec.path is None and sys.stdout.isatty():
            width = max(80, os.get_terminal_size().columns)
        options = RenderOptions(
            color=color and spec.path is None,
            width=width,
            verbose=verbose,
            tool_version=__version__,
        )
        text = reporter.render(report, decision, options)
        if spec.path is None:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            sys.stdout.flush()
            continue
        try:
            _write(spec.path, text)
        except OSError as exc:
            raise InputError(
                f"cannot write {spec.name} output: {exc.strerror}", path=str(spec.path)
            ) from None


def _write(path: Path, text: str) -> None:
    """Write a regular file atomically; write devices and pipes (``/dev/stdout``,
    ``/dev/null``, a FIFO) in place — replacing them would destroy them."""
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8") as handle:
            handle.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_text(text: str, path: Path | None) -> None:
    """One document to stdout (``None``) or, atomically, to a file."""
    if path is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    try:
        _write(path, text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=str(path)) from None
