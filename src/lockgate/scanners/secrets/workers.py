"""Worker processes that read and scan shards of a git history beside the main process.

A history scan is bound by one Python thread: hyperscan calls back into Python for every
match, so scanning threads queue on the GIL. With more than one core, the blobs of other
shards (by path, see :func:`lockgate.sources.history.shard_of`) go to worker processes, each
reading them with its own ``git cat-file --batch`` and scanning them with the same rules.

A worker is ``python -m lockgate.scanners.secrets.workers FD``: the same interpreter and the
same lockgate package as the parent, talking over one end of a socket pair. It is started
on first need, keeps the rule set it was last given (the compiled databases come from the
parent's cache directory) and is reused by later scans of the process; it ends when its
socket closes, which the kernel does when lockgate ends, however it ends.

Messages (pickled, one direction each; the parent never sends a worker anything but these):

* parent to worker: ``("rules", key, RuleSet, engine, cache_dir)`` when the worker holds
  other rules; ``("scan", repo_root, max_blob_size, timeout)``; ``("blobs", [(index, oid,
  path), ...])`` as the log is parsed; ``("end",)``;
* worker to parent, once per scan: ``("done", results, failure)``. ``results`` holds the
  blobs with something to report: ``(index, oid, size, error)`` for one not read (over the
  size limit, or failed), ``(index, [packed match, ...])`` for one with matches. ``failure``
  is why the worker could not finish (the parent then scans the shard itself).

Matches carry the raw value across the socket, between lockgate's own processes, exactly as
they do in memory; nothing is written anywhere. Workers print nothing.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from lockgate.errors import ToolError
from lockgate.scanners.secrets.matcher import SecretMatch
from lockgate.scanners.secrets.rules import RuleSet, SecretRule
from lockgate.sources.history import ShardBlob

log = logging.getLogger(__name__)

Packed = tuple[Any, ...]
"""A match as it crosses the socket: the rule's position in the rule set, then the fields."""

Outcome = tuple[list[tuple[Any, ...]], str | None]
"""A worker's answer to one scan: its results and, when it could not finish, why."""

_STOP_GRACE = 1.0
"""Seconds a worker is given to end on its own before it is killed."""


# -- the parent's side ---------------------------------------------------------------------


class Worker:
    """One worker process and the parent's end of its socket."""

    def __init__(self, proc: subprocess.Popen[bytes], conn: Connection) -> None:
        self.proc = proc
        self.conn = conn
        self.key: str | None = None
        """Which rules the worker holds (set when they are sent)."""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """End the worker: close its socket (it leaves on end of file), kill if it lingers."""
        with contextlib.suppress(OSError):
            self.conn.close()
        try:
            self.proc.wait(timeout=_STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=_STOP_GRACE)


def start_worker() -> Worker:
    """A new worker process (``OSError`` when it cannot be started)."""
    ours, theirs = socket.socketpair()
    try:
        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        proc = subprocess.Popen(  # this interpreter, a module of this package
            [sys.executable, "-m", __name__, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    return Worker(proc, Connection(ours.detach()))


class WorkerPool:
    """Idle workers of this process, reused by later scans."""

    def __init__(self) -> None:
        self._idle: list[Worker] = []
        self._lock = threading.Lock()

    def lease(self, count: int) -> list[Worker]:
        """Up to ``count`` workers, idle ones first; fewer when no more can be started."""
        with self._lock:
            taken, self._idle = self._idle[:count], self._idle[count:]
        workers = [w for w in taken if w.alive()]
        for dead in (w for w in taken if not w.alive()):
            dead.stop()
        while len(workers) < count:
            try:
                workers.append(start_worker())
            except OSError as exc:
                log.warning("cannot start a secrets worker process: %s", exc)
                break
        return workers

    def release(self, workers: Sequence[Worker], *, healthy: bool) -> None:
        """Take workers back after a scan; a worker in an unknown state is stopped."""
        keep = [w for w in workers if healthy and w.alive()]
        for worker in workers:
            if worker not in keep:
                worker.stop()
        with self._lock:
            self._idle.extend(keep)

    def idle(self) -> list[int]:
        """Process ids of the idle workers."""
        with self._lock:
            return [w.proc.pid for w in self._idle]

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


POOL = WorkerPool()
atexit.register(POOL.close)


class WorkerSink:
    """The blobs of one shard, sent to its worker by a thread of their own (the log parser
    never waits on a worker), and the worker's answer."""

    def __init__(self, worker: Worker, opening: Sequence[tuple[Any, ...]]) -> None:
        self.worker = worker
        self.blobs: list[ShardBlob] = []
        """Every blob handed over, for scanning here should the worker fail."""
        self.broken: str | None = None
        self._queue: queue.SimpleQueue[list[ShardBlob] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._send, args=(list(opening),), name="secrets-worker-feed", daemon=True
        )
        self._thread.start()

    def put(self, blobs: list[ShardBlob]) -> None:
        self.blobs.extend(blobs)
        self._queue.put(blobs)

    def close(self) -> None:
        self._queue.put(None)

    def _send(self, opening: list[tuple[Any, ...]]) -> None:
        conn = self.worker.conn
        try:
            for message in opening:
                conn.send(message)
            while True:
                blobs = self._queue.get()
                if blobs is None:
                    break
                batch = list(blobs)
                ended = False
                with contextlib.suppress(queue.Empty):
                    while len(batch) < 4096:  # what has queued meanwhile goes in one message
                        more = self._queue.get_nowait()
                        if more is None:
                            ended = True
                            break
                        batch += more
                conn.send(("blobs", batch))
                if ended:
                    break
            conn.send(("end",))
        except (OSError, ValueError) as exc:
            self.broken = f"sending to the worker failed: {exc}"
            while self._queue.get() is not None:  # the log parser closes the sink in the end
                pass

    def outcome(self, deadline: float, cancel: threading.Event | None) -> Outcome | None:
        """The worker's results, or ``None`` when it failed, fell silent past ``deadline`` or
        the scan was cancelled (the worker is then in an unknown state)."""
        self._thread.join()
        if self.broken is not None:
            log.info("secrets worker: %s", self.broken)
            return None
        conn = self.worker.conn
        try:
            while not conn.poll(0.1):
                if (cancel is not None and cancel.is_set()) or time.monotonic() > deadline:
                    return None
            message = conn.recv()
        except (EOFError, OSError) as exc:
            log.info("secrets worker ended unexpectedly: %s", exc or "end of file")
            return None
        if not (isinstance(message, tuple) and len(message) == 3 and message[0] == "done"):
            return None
        results, failure = message[1], message[2]
        return list(results), failure


def pack(match: SecretMatch, position: dict[str, int]) -> Packed:
    return (
        position[match.rule.id],
        match.value,
        match.start,
        match.end,
        match.line,
        match.column,
        match.end_line,
        match.end_column,
        match.line_text,
        match.encoding,
        match.literal,
    )


def unpack(packed: Packed, rules: Sequence[SecretRule]) -> SecretMatch:
    rule, value, start, end, line, column, end_line, end_column, line_text, encoding, literal = (
        packed
    )
    return SecretMatch(
        rule=rules[rule],
        value=value,
        start=start,
        end=end,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        line_text=line_text,
        encoding=encoding,
        literal=literal,
    )


# -- the worker's side ---------------------------------------------------------------------


class _Held:
    """The rules a worker holds, ready to scan with."""

    def __init__(self) -> None:
        self.scanner: Any = None
        self.position: dict[str, int] = {}
        self.failure: str | None = "no rules were given"

    def load(self, rule_set: RuleSet, engine: str, cache_dir: str | None) -> None:
        from lockgate.scanners.secrets.engines import build_prefilter
        from lockgate.scanners.secrets.scanner import SecretScanner

        try:
            prefilter = build_prefilter(
                rule_set, engine=engine, cache_dir=Path(cache_dir) if cache_dir else None
            )
        except Exception as exc:  # reported to the parent, which scans instead
            self.scanner, self.failure = None, f"loading the rules failed: {type(exc).__name__}"
            return
        self.scanner = SecretScanner(rules=rule_set.rules, prefilter=prefilter)
        self.position = {rule.id: i for i, rule in enumerate(rule_set.rules)}
        self.failure = None


def serve(conn: Connection) -> None:
    """The worker's loop: take rules and scans until the parent closes the socket."""
    held = _Held()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == "rules":
            held.load(message[2], message[3], message[4])
        elif message[0] == "scan":
            _, root, max_size, timeout = message
            outcome = _scan(conn, held, Path(root), max_size, timeout)
            try:
                conn.send(("done", *outcome))
            except OSError:
                return


def _scan(conn: Connection, held: _Held, root: Path, max_size: int, timeout: float) -> Outcome:
    from lockgate.sources.catfile import OidFeed
    from lockgate.sources.content import is_binary
    from lockgate.sources.git import GitRepo

    feed = OidFeed(closed=False)
    blobs: list[ShardBlob] = []
    gone = threading.Event()
    receiver = threading.Thread(
        target=_receive, args=(conn, feed, blobs, gone), name="blobs", daemon=True
    )
    receiver.start()
    results: list[tuple[Any, ...]] = []
    failure = held.failure
    try:
        if held.scanner is not None:
            scanner, position = held.scanner, held.position
            reads = GitRepo(root).read_blobs(
                feed, max_size=max_size, cancel=gone, timeout=timeout, verify=False
            )
            for read in reads:
                index, _, path = blobs[read.index]
                content = read.content
                if content is None:
                    results.append((index, read.oid, read.size, read.error))
                elif not is_binary(content):
                    matches = scanner.scan_buffer(content, path)
                    if matches:
                        results.append((index, [pack(m, position) for m in matches]))
    except ToolError as exc:
        failure = exc.message
    except Exception as exc:  # the parent scans the shard itself instead
        failure = f"the worker failed: {type(exc).__name__}"
    finally:
        receiver.join()  # the parent always ends a scan with "end" (or closes the socket)
    return results, failure


def _receive(conn: Connection, feed: Any, blobs: list[ShardBlob], gone: threading.Event) -> None:
    try:
        while True:
            message = conn.recv()
            if message[0] == "end":
                break
            blobs.extend(message[1])  # before the ids: a reader looks them up by position
            feed.extend([oid for _, oid, _ in message[1]])
    except (EOFError, OSError):
        gone.set()  # the parent is gone: stop reading
    finally:
        feed.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1 or not args[0].isdigit():
        print("usage: python -m lockgate.scanners.secrets.workers FD", file=sys.stderr)
        return 2
    logging.disable(logging.CRITICAL)  # a worker prints nothing; the parent reports
    serve(Connection(int(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
