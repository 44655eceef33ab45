"""Running an analysis engine as a subprocess: found beside lockgate's own interpreter,
no shell, a private HOME so no user setting or token leaks in, a deadline, and
cancellation (the engine's whole process group is killed when the control is stopped)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lockgate.scanners.interface import Cancelled

ARG_BUDGET = 96 * 1024
"""Bytes of target paths per command line: well under Linux's ARG_MAX (and Windows' 32 K
once the rest of the command is added)."""
_POLL = 0.05
STDERR_TAIL_LINES = 15
STDERR_TAIL_CHARS = 2000


def find_executable(name: str) -> Path | None:
    """``name`` beside the running interpreter (lockgate's own environment) first, then PATH."""
    for directory in (Path(sys.executable).parent, Path(sys.prefix) / "bin"):
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    return Path(found) if found else None


def engine_environment(home: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment engines run with: the caller's, minus every ``SEMGREP_*`` variable
    (tokens, registry settings), with HOME and the XDG directories pointed at ``home``."""
    env = {
        k: v
        for k, v in (os.environ if base is None else base).items()
        if not k.upper().startswith("SEMGREP_") and k not in ("PYTHONSTARTUP", "PYTHONINSPECT")
    }
    env.update(
        HOME=str(home),
        USERPROFILE=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        SEMGREP_SEND_METRICS="off",
        SEMGREP_ENABLE_VERSION_CHECK="0",
        NO_COLOR="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


@dataclass(frozen=True, kw_only=True)
class Completed:
    """How an engine process ended."""

    argv: tuple[str, ...]
    returncode: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool = False

    def stderr_tail(self) -> str:
        """The last lines of stderr, bounded (for error details)."""
        text = self.stderr.decode("utf-8", "replace").strip()
        tail = "\n".join(text.splitlines()[-STDERR_TAIL_LINES:])
        if len(tail) > STDERR_TAIL_CHARS:
            tail = "…" + tail[-STDERR_TAIL_CHARS:]
        return tail


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except ProcessLookupError:  # pragma: no cover - it ended just now
        pass
    proc.wait()


def run_engine(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    cancel: threading.Event,
) -> Completed:
    """Run ``argv`` to completion, killing it (and its children) on timeout or cancel.

    Output goes to temporary files, so large JSON reports never fill a pipe. Raises
    :class:`Cancelled` when ``cancel`` is set, ``OSError`` when it cannot be started.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        timed_out = False
        try:
            while True:
                try:
                    proc.wait(timeout=_POLL)
                    break
                except subprocess.TimeoutExpired:
                    if cancel.is_set():
                        _kill(proc)
                        raise Cancelled from None
                    if time.monotonic() >= deadline:
                        _kill(proc)
                        timed_out = True
                        break
        except BaseException:
            _kill(proc)
            raise
        out.seek(0)
        err.seek(0)
        return Completed(
            argv=tuple(argv),
            returncode=None if timed_out else proc.returncode,
            stdout=out.read(),
            stderr=err.read(),
            timed_out=timed_out,
        )


def path_argument(path: str) -> str:
    """A relative target path that can never be read as an option."""
    return f"./{path}" if path.startswith("-") else path


def chunks(paths: Sequence[str], budget: int = ARG_BUDGET) -> Iterator[list[str]]:
    """Paths in groups whose command-line length stays within ``budget`` bytes."""
    chunk: list[str] = []
    length = 0
    for path in paths:
        size = len(os.fsencode(path)) + 1
        if chunk and length + size > budget:
            yield chunk
            chunk, length = [], 0
        chunk.append(path)
        length += size
    if chunk:
        yield chunk


def balanced_groups(sizes: Mapping[str, int], groups: int) -> list[list[str]]:
    """Split paths into at most ``groups`` lists of similar total size (largest first)."""
    count = max(1, min(groups, len(sizes)))
    buckets: list[tuple[int, list[str]]] = [(0, []) for _ in range(count)]
    for path in sorted(sizes, key=lambda p: (-sizes[p], p)):
        index = min(range(count), key=lambda i: buckets[i][0])
        total, members = buckets[index]
        members.append(path)
        buckets[index] = (total + sizes[path], members)
    return [sorted(members) for _, members in buckets if members]


def private_home(cache_dir: Path | None) -> tuple[Path, tempfile.TemporaryDirectory[str] | None]:
    """A HOME for the engines: under lockgate's cache when there is one, else temporary."""
    if cache_dir is not None:
        home = cache_dir / "sast" / "engine-home"
        try:
            home.mkdir(parents=True, exist_ok=True)
            return home, None
        except OSError:
            pass
    holder = tempfile.TemporaryDirectory(prefix="lockgate-sast-")
    return Path(holder.name), holder
