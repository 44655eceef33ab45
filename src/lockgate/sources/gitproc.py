"""Running git: one place that starts it, with no shell, a timeout, the user's environment
plus a C locale, no terminal prompts and no optional index locks (a scan must never fight
the user's own git for ``index.lock``)."""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
import threading
from collections.abc import Container, Sequence
from contextlib import suppress
from pathlib import Path
from types import ModuleType
from typing import IO, cast

from lockgate.errors import ToolError
from lockgate.sources.interface import SourceError

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

GIT_TIMEOUT = 60.0
"""Seconds any one git command may take before it is killed."""

_GLOBAL_OPTIONS = ("-c", "core.quotepath=off", "--no-pager", "--literal-pathspecs")


def _argv(args: Sequence[str]) -> list[str]:
    return ["git", *_GLOBAL_OPTIONS, *args]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    return env


def _summary(stderr: bytes, limit: int = 400) -> str:
    """The lines of git's stderr that say what went wrong, shortened."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    important = [ln for ln in lines if ln.startswith(("fatal:", "error:"))] or lines
    text = "; ".join(important[-3:]) or "git gave no reason"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure(cwd: Path, args: Sequence[str], code: int, stderr: bytes) -> Exception:
    summary = _summary(stderr)
    if "dubious ownership" in summary:
        return SourceError(
            f"git refuses to work in {cwd}: it is owned by another user",
            path=str(cwd),
            hint=f"if you trust it: git config --global --add safe.directory {cwd}",
        )
    return ToolError(f"git {args[0]} failed (exit {code}): {summary}", path=str(cwd))


def invoke(
    cwd: Path,
    args: Sequence[str],
    *,
    input: bytes | None = None,
    timeout: float = GIT_TIMEOUT,
    ok: Container[int] = (0,),
) -> tuple[int, bytes, bytes]:
    """Run one git command to completion: the only place git is run synchronously."""
    try:
        proc = subprocess.run(
            _argv(args),
            cwd=cwd,
            input=input,
            capture_output=True,
            timeout=timeout,
            env=_environment(),
            check=False,
        )
    except FileNotFoundError as exc:
        if exc.filename not in (None, "git"):
            raise SourceError(f"no such directory: {cwd}", path=str(cwd)) from exc
        raise ToolError("git is not installed or not on PATH", hint="install git") from exc
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"git {args[0]} timed out after {timeout:g} s", path=str(cwd)) from exc
    if proc.returncode not in ok:
        raise failure(cwd, args, proc.returncode, proc.stderr)
    return proc.returncode, proc.stdout, proc.stderr


_PIPE_SIZE = 1 << 20
"""Asked-for pipe capacity (Linux ``F_SETPIPE_SZ``): git can run up to 1 MiB ahead of the
scanner instead of 64 KiB, so decompression and scanning overlap on separate cores."""


def _widen_pipe(pipe: IO[bytes] | None) -> None:
    """Enlarge the pipe's kernel buffer where the platform allows it (best effort)."""
    module = fcntl
    set_size = getattr(module, "F_SETPIPE_SZ", None) if module is not None else None
    if pipe is None or module is None or set_size is None:
        return
    with suppress(OSError):
        module.fcntl(pipe.fileno(), set_size, _PIPE_SIZE)


class GitProcess:
    """A long-running git command streaming its output (``log``, ``cat-file --batch``).

    Its stderr goes to a temporary file so that it can never fill a pipe and stall git; a
    timer kills it at its deadline."""

    def __init__(self, cwd: Path, args: Sequence[str], *, stdin: bool, timeout: float) -> None:
        self.args = tuple(args)
        self.cwd = cwd
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        try:
            self.proc = subprocess.Popen(
                _argv(args),
                cwd=cwd,
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=_environment(),
                bufsize=1 << 20,
            )
        except FileNotFoundError as exc:
            self._stderr.close()
            raise ToolError("git is not installed or not on PATH", hint="install git") from exc
        _widen_pipe(self.proc.stdout)
        self.timed_out = False
        self._timer = threading.Timer(max(timeout, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    @property
    def stdin(self) -> IO[bytes]:
        return _pipe(self.proc.stdin)

    @property
    def stdout(self) -> io.BufferedReader:
        return cast(io.BufferedReader, _pipe(self.proc.stdout))

    def _expire(self) -> None:
        self.timed_out = True
        self.proc.kill()

    def stderr_summary(self) -> str:
        """What git said on stderr so far, shortened; notes a timeout."""
        if self.timed_out:
            return "killed at its time limit"
        self._stderr.seek(0)
        return _summary(self._stderr.read(1 << 16))

    def close(self, *, kill: bool = True) -> int:
        """Stop the process (or wait for it) and release its pipes; its exit code."""
        self._timer.cancel()
        if kill and self.proc.poll() is None:
            self.proc.kill()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                with suppress(OSError):
                    pipe.close()
        code = self.proc.wait()
        self._stderr.close()
        return code


def _pipe(pipe: IO[bytes] | None) -> IO[bytes]:
    if pipe is None:
        raise ValueError("the git process was started without this pipe")
    return pipe
