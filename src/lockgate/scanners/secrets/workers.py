"""Worker processes that read and scan a share of a tree or of a git history beside the
main process (see :mod:`lockgate.scanners.secrets.parallel` for when and why).

A scan is bound by one Python thread: hyperscan calls back into Python for every match, so
scanning threads queue on the GIL. With more than one core, worker processes take their
share of the files of a tree, or of the blobs of a history (each reading them with its own
``git cat-file --batch``), and scan them with the same rules and the same code.

A worker runs this module's :func:`main` in the same interpreter, with the same lockgate
package, and talks over one end of a socket pair (``python -P -c …``: the directory being
scanned is never on its import path; ``python -m`` works too, by hand). It is started
on first need, keeps the rule set it was last given (the compiled databases come from the
parent's cache directory) and is reused by later scans of the process; it ends when its
socket closes, which the kernel does when lockgate ends, however it ends.

Messages (pickled):

* parent to worker: ``("rules", key, RuleSet, engine, cache_dir)`` when the worker holds
  other rules; then a job: ``("scan", repo_root, max_blob_size, timeout)`` (blobs of a
  history walk) or ``("files", FileSettings)`` (files of a tree);
* worker to parent: ``("more",)`` when little of what it was given is left, which the parent
  answers with ``("work", [...])`` — ``(index, oid, path)`` blobs or ``(index, FileInfo)``
  files — or with ``("end",)`` when there will be no more (see
  :mod:`lockgate.scanners.secrets.dispatch`);
* worker to parent, once per job, last: ``("done", results, failure)``. For blobs,
  ``results`` holds those with something to report: ``(index, oid, size, error)`` for one
  not read (over the size limit, or failed), ``(index, [packed match, ...])`` for one with
  matches; for files, the :class:`FileResult` of each file with something to report
  (:func:`pack_file`), then ``(-1, count, ...)`` for the others. ``failure`` is
  why the worker could not finish (the parent then does everything it gave that worker).

Matches carry the raw value across the socket, between lockgate's own processes, exactly as
they do in memory; nothing is written anywhere. Workers print nothing.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from lockgate.errors import ToolError
from lockgate.scanners.secrets.dispatch import Progress
from lockgate.scanners.secrets.file_scan import FileResult, FileSettings, scan_file
from lockgate.scanners.secrets.matcher import SecretMatch
from lockgate.scanners.secrets.rules import RuleSet, SecretRule
from lockgate.sources.history import WalkBlob

log = logging.getLogger(__name__)

Packed = tuple[Any, ...]
"""A match as it crosses the socket: the rule's position in the rule set, then the fields."""

Outcome = tuple[list[tuple[Any, ...]], str | None]
"""A worker's answer to one scan: its results and, when it could not finish, why."""

_STOP_GRACE = 1.0
"""Seconds a worker is given to end on its own before it is killed."""

IDLE_GRACE = 5.0
"""Seconds a worker that was handed nothing may take to answer once all work is out."""


# -- the parent's side ---------------------------------------------------------------------


class Worker:
    """One worker process and the parent's end of its socket."""

    def __init__(self, proc: subprocess.Popen[bytes], conn: Connection) -> None:
        self.proc = proc
        self.conn = conn
        self.key: str | None = None
        """Which rules the worker holds (set when they are sent)."""
        self._sending: threading.Thread | None = None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send_rules(self, key: str, rule_set: RuleSet, engine: str, cache_dir: Path) -> None:
        """Give the worker these rules, unless it holds them: sent from a thread of its own
        (the message blocks until the worker reads it), which :meth:`ready` waits for."""
        if self.key == key:
            return
        self.ready()
        self.key = key
        message = ("rules", key, rule_set, engine, str(cache_dir))
        self._sending = threading.Thread(
            target=self._send, args=(message,), name="secrets-worker-rules", daemon=True
        )
        self._sending.start()

    def _send(self, message: tuple[Any, ...]) -> None:
        with contextlib.suppress(OSError, ValueError, TypeError):  # the job will notice
            self.conn.send(message)

    def ready(self) -> None:
        """Wait until what :meth:`send_rules` sends has gone."""
        if self._sending is not None:
            self._sending.join()
            self._sending = None

    def stop(self) -> None:
        """End the worker (see :func:`stop_all`)."""
        stop_all([self])

    def hang_up(self) -> None:
        """Shut the socket down and close it: the worker reads end of file and leaves. The
        shutdown acts on the socket itself, so a thread of ours blocked reading it wakes too
        (closing the descriptor alone would leave both waiting)."""
        with contextlib.suppress(OSError, ValueError, TypeError):
            handle = socket.socket(fileno=os.dup(self.conn.fileno()))
            with contextlib.suppress(OSError):
                handle.shutdown(socket.SHUT_RDWR)
            handle.close()
        with contextlib.suppress(OSError):
            self.conn.close()

    def reap(self) -> None:
        """Wait for the worker to end; kill it if it lingers."""
        try:
            self.proc.wait(timeout=_STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=_STOP_GRACE)


_BOOT = (
    "import sys; sys.path.append(sys.argv[1]); "
    "from lockgate.scanners.secrets.workers import main; sys.exit(main(sys.argv[2:]))"
)
"""A worker's first line: ``-P`` keeps the working directory (the repository being scanned,
which may hold a ``zlib.py`` or a ``lockgate/`` of its own) off ``sys.path``; the package
directory is only appended, for a lockgate that is not installed, never put ahead of the
standard library."""


def start_worker() -> Worker:
    """A new worker process (``OSError`` when it cannot be started)."""
    ours, theirs = socket.socketpair()
    try:
        package_root = str(Path(__file__).resolve().parents[3])
        proc = subprocess.Popen(  # this interpreter, a module of this package, no shell
            [sys.executable, "-P", "-c", _BOOT, package_root, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    return Worker(proc, Connection(ours.detach()))


def stop_all(workers: Sequence[Worker]) -> None:
    """End workers: each is told first (its socket shut down, which also wakes a thread of
    ours blocked reading it), then each is waited for, and killed if it lingers."""
    for worker in workers:
        worker.hang_up()
    for worker in workers:
        worker.reap()


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
        stop_all([w for w in taken if not w.alive()])
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
        stop_all([w for w in workers if w not in keep])
        with self._lock:
            self._idle.extend(keep)

    def idle(self) -> list[int]:
        """Process ids of the idle workers."""
        with self._lock:
            return [w.proc.pid for w in self._idle]

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        stop_all(idle)


POOL = WorkerPool()
atexit.register(POOL.close)


class Supply(Protocol):
    """Where a job's work comes from: a :class:`~lockgate.scanners.secrets.dispatch.Dispatcher`
    (blobs of a walk) or a :class:`~lockgate.scanners.secrets.dispatch.ChunkQueue` (files)."""

    @property
    def given(self) -> Sequence[Sequence[Any]]:
        """What each reader was handed."""

    def take(self, reader: int, timeout: float | None = None) -> list[Any] | None: ...

    def drained(self) -> bool:
        """Whether everything has been handed out."""

    def retire(self, reader: int) -> list[Any]: ...


class WorkerServer:
    """Serves one worker during one job, in a thread of its own: sends the job, answers the
    worker's requests for more from ``supply``, and keeps its final answer."""

    def __init__(
        self,
        worker: Worker,
        reader: int,
        supply: Supply,
        job: tuple[Any, ...],
        cancel: threading.Event | None,
    ) -> None:
        self.worker = worker
        self.reader = reader
        self.outcome: Outcome | None = None
        """The worker's results and failure, once it answered."""
        self._supply = supply
        self._cancel = cancel
        self._thread = threading.Thread(
            target=self._serve, args=(job,), name="secrets-worker", daemon=True
        )
        self._thread.start()

    def _serve(self, job: tuple[Any, ...]) -> None:
        conn = self.worker.conn
        try:
            self.worker.ready()
            conn.send(job)
            while True:
                message = conn.recv()
                if message[0] == "more":
                    work = self._work()
                    conn.send(("end",) if work is None else ("work", work))
                elif message[0] == "done":
                    self.outcome = (list(message[1]), message[2])
                    return
        except (EOFError, OSError, ValueError, TypeError) as exc:
            # TypeError: the connection was closed under a blocked call (a stopped worker).
            log.info("secrets worker ended unexpectedly: %s", exc or "end of file")
        except _Cancelled:
            pass  # the worker is stopped: it may be waiting for an answer
        finally:
            if self.outcome is None or self.outcome[1] is not None:
                self._supply.retire(self.reader)

    def _work(self) -> list[Any] | None:
        while True:
            if self._cancel is not None and self._cancel.is_set():
                raise _Cancelled
            work = self._supply.take(self.reader, timeout=0.1)
            if work != []:
                return work

    def wait(self, deadline: float) -> Outcome | None:
        """The worker's answer; ``None`` when it failed, fell silent past ``deadline`` or the
        scan was cancelled (the worker is then in an unknown state: stop it). A worker that
        was handed nothing when all work is out has :data:`IDLE_GRACE` seconds to answer
        (it may never have started: nothing waits on it longer)."""
        idle_until: float | None = None
        while self._thread.is_alive():
            self._thread.join(0.1)
            now = time.monotonic()
            if (self._cancel is not None and self._cancel.is_set()) or now > deadline:
                return None
            supply = self._supply
            if idle_until is None and not supply.given[self.reader] and supply.drained():
                idle_until = now + IDLE_GRACE
            if idle_until is not None and now > idle_until:
                log.info("secrets worker %s never asked for work", self.worker.proc.pid)
                return None
        return self.outcome


class _Cancelled(Exception):
    """The scan was cancelled while a worker waited for blobs."""


_MATCH_FIELDS = tuple(f.name for f in dataclasses.fields(SecretMatch) if f.name != "rule")


def pack(match: SecretMatch, position: dict[str, int]) -> Packed:
    return (position[match.rule.id], *(getattr(match, name) for name in _MATCH_FIELDS))


def unpack(packed: Packed, rules: Sequence[SecretRule]) -> SecretMatch:
    return SecretMatch(rule=rules[packed[0]], **dict(zip(_MATCH_FIELDS, packed[1:], strict=True)))


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
        elif message[0] in ("scan", "files"):
            if message[0] == "scan":
                _, root, max_size, timeout = message
                outcome = _scan(conn, held, Path(root), max_size, timeout)
            else:
                outcome = _scan_files(conn, held, message[1])
            try:
                conn.send(("done", *outcome))
            except OSError:
                return


def _scan(conn: Connection, held: _Held, root: Path, max_size: int, timeout: float) -> Outcome:
    from lockgate.sources.catfile import OidFeed
    from lockgate.sources.content import is_binary
    from lockgate.sources.git import GitRepo

    feed = OidFeed(closed=False)
    blobs: list[WalkBlob] = []
    progress = Progress()
    stop, gone = threading.Event(), threading.Event()
    problems: list[str] = []
    fetcher = threading.Thread(
        target=_fetch,
        args=(conn, (feed, blobs, progress), (stop, gone), problems),
        name="blobs",
        daemon=True,
    )
    results: list[tuple[Any, ...]] = []
    failure = held.failure
    try:
        if held.scanner is not None:
            fetcher.start()
            scanner, position = held.scanner, held.position
            reads = GitRepo(root).read_blobs(
                feed, max_size=max_size, cancel=gone, timeout=timeout, verify=False
            )
            for read in reads:
                progress.did()
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
    except Exception as exc:  # the parent reads everything it gave this worker instead
        failure = f"the worker failed: {type(exc).__name__}"
    finally:
        stop.set()
        progress.hungry.set()  # wakes the fetcher to notice
        if fetcher.is_alive():
            fetcher.join()  # it asks no more; an answer on its way is read first
    return results, failure or (problems[0] if problems else None)


def _fetch(
    conn: Connection,
    into: tuple[Any, list[WalkBlob], Progress],
    events: tuple[threading.Event, threading.Event],
    problems: list[str],
) -> None:
    """Thread body: ask the parent for blobs whenever few are left to read. Anything that
    goes wrong stops the reading and is reported (the parent then reads this share)."""
    feed, blobs, progress = into
    stop, gone = events
    try:
        while not stop.is_set():
            if not progress.hungry.wait(0.1) or stop.is_set():
                continue
            conn.send(("more",))
            message = conn.recv()
            if message[0] != "work":
                break
            blobs.extend(message[1])  # before the ids: a reader looks them up by position
            feed.extend([oid for _, oid, _ in message[1]])
            progress.gave(len(message[1]))
    except (EOFError, OSError):
        gone.set()  # the parent is gone: stop reading
    except Exception as exc:  # an answer that cannot be read: this share is not done
        problems.append(f"receiving blobs failed: {type(exc).__name__}")
        gone.set()
    finally:
        feed.close()


def _scan_files(conn: Connection, held: _Held, settings: FileSettings) -> Outcome:
    """A files job: ask for files, scan each, until there are no more."""
    results: list[tuple[Any, ...]] = []
    if held.scanner is None:
        return results, held.failure
    scanner, position = held.scanner, held.position
    quiet = 0  # files scanned with nothing to report: counted, not sent one by one
    while True:
        conn.send(("more",))
        message = conn.recv()
        if message[0] != "work":
            results.append((-1, quiet, [], [], []))
            return results, None
        try:
            for index, info in message[1]:
                result = scan_file(scanner, info, settings)
                if result:
                    results.append(pack_file(index, result, position))
                else:
                    quiet += result.scanned
        except Exception as exc:  # the parent scans what it gave this worker instead
            return results, f"the worker failed: {type(exc).__name__}"


def pack_file(index: int, result: FileResult, position: dict[str, int]) -> tuple[Any, ...]:
    """A file's result as it crosses the socket."""
    found = [(path, [pack(m, position) for m in matches]) for path, matches in result.found]
    return (index, result.scanned, found, result.skipped, result.errors)


def unpack_file(packed: tuple[Any, ...], rules: Sequence[SecretRule]) -> tuple[int, FileResult]:
    index, scanned, found, skipped, errors = packed
    return index, FileResult(
        found=[(path, [unpack(p, rules) for p in matches]) for path, matches in found],
        skipped=list(skipped),
        errors=list(errors),
        scanned=scanned,
    )


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
