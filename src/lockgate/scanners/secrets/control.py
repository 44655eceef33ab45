"""The secrets control (code stage): provider tokens, key material and generic credentials
in the working tree, staged changes, diff ranges, archives and the full git history."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lockgate.model import (
    ControlError,
    ErrorKind,
    Finding,
    FindingKind,
    Location,
    RuleInfo,
    SkippedItem,
    SkipReason,
    Stage,
    pairs,
)
from lockgate.model.fingerprint import secret_fingerprint, secret_value_hash
from lockgate.scanners.interface import BaseControl, ControlFailure, ControlOutput, ScanContext
from lockgate.scanners.secrets.engines import build_prefilter
from lockgate.scanners.secrets.matcher import SecretMatch, shannon_entropy
from lockgate.scanners.secrets.redact import redact_line
from lockgate.scanners.secrets.rules import RuleError, RuleSet, builtin_rules, load_rules
from lockgate.scanners.secrets.scanner import OVERLAP, WINDOW, SecretScanner
from lockgate.sources.content import archive_format, is_binary
from lockgate.sources.interface import FileInfo

if TYPE_CHECKING:
    from lockgate.scanners.secrets.history_scan import HistoryScan, Parallelism

ALLOW_MARKER = re.compile(r"lockgate:allow\b[:\s]*(?P<reason>[^\n*#]*?)\s*(?:\*/|-->|$)")
_OPTIONS = frozenset(
    {
        "history",
        "all_refs",
        "decode",
        "archives",
        "engine",
        "disable",
        "extra_rules",
        "max_archive_member_size",
        "max_archive_size",
        "jobs",
    }
)
_MAX_HISTORY_SKIPS_LISTED = 100


@dataclass
class _Collected:
    """Findings keyed by fingerprint (one per secret value, rule family and path)."""

    findings: dict[str, Finding] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)


class SecretsControl(BaseControl):
    """Finds committed credentials with data-driven rules and a hyperscan prefilter."""

    id = "secrets"
    version = "1.0.0"
    stage = Stage.CODE
    kind = FindingKind.SECRET
    title = "Secrets: credentials and keys in files, changes and git history"
    needs_files = False
    option_names = _OPTIONS

    def __init__(self, rule_set: RuleSet | None = None) -> None:
        self._base_rules = rule_set
        """Rules to use instead of the built-in ones (tests, embedding); loaded lazily."""

    def base_rules(self, cache_dir: Path | None = None) -> RuleSet:
        if self._base_rules is not None:
            return self._base_rules
        if cache_dir is None:
            return builtin_rules()
        return builtin_rules(cache_dir, validate=False)

    def rules(self) -> Sequence[RuleInfo]:
        return tuple(r.info() for r in self.base_rules().rules)

    # -- configuration ---------------------------------------------------------------
    def _rule_set(self, options: Mapping[str, Any], root: Path, cache_dir: Path | None) -> RuleSet:
        base = self.base_rules(cache_dir)
        rules = list(base.rules)
        digest = base.digest
        extra = options.get("extra_rules", [])
        if extra:
            try:
                user = load_rules(root / p for p in extra)
            except (RuleError, OSError) as exc:
                raise ControlFailure(f"custom secret rules: {exc}", kind=ErrorKind.INPUT) from None
            taken = {r.id for r in rules}
            clash = sorted(r.id for r in user.rules if r.id in taken)
            if clash:
                raise ControlFailure(
                    f"custom secret rules redefine built-in ids: {', '.join(clash)}",
                    kind=ErrorKind.INPUT,
                )
            rules += user.rules
            digest = f"{digest}+{user.digest}"
        disabled = set(options.get("disable", []))
        if disabled:
            rules = [r for r in rules if r.id not in disabled and r.rule_id not in disabled]
            digest = f"{digest}-{','.join(sorted(disabled))}"
        return RuleSet(rules=tuple(rules), digest=digest)

    # -- scanning --------------------------------------------------------------------
    def scan(self, context: ScanContext) -> ControlOutput:
        options = context.options
        workspace = context.workspace
        engine = str(options.get("engine", "auto"))
        if engine not in ("auto", "hyperscan", "re"):
            raise ControlFailure(
                f"[controls.secrets] engine must be auto, hyperscan or re, not {engine!r}",
                kind=ErrorKind.INPUT,
            )
        if not context.files and not options.get("history"):
            return ControlOutput()
        rule_set = self._rule_set(
            options, workspace.display_root or workspace.root, context.cache_dir
        )
        size = None if options.get("history") else sum(f.size for f in context.files)
        try:
            prefilter = build_prefilter(
                rule_set, engine=engine, cache_dir=context.cache_dir, input_size=size
            )
        except ImportError:
            raise ControlFailure(
                "engine = 'hyperscan' was asked for but hyperscan is not installed",
                kind=ErrorKind.TOOL,
            ) from None
        scanner = SecretScanner(rules=rule_set.rules, prefilter=prefilter)
        run = _Run(
            control=self,
            context=context,
            scanner=scanner,
            parallelism=_parallelism(options, rule_set, engine, context.cache_dir),
            decode=bool(options.get("decode", False)),
            archive_sizes=(
                int(options.get("max_archive_member_size", 10 * 1024 * 1024)),
                int(options.get("max_archive_size", 100 * 1024 * 1024)),
            ),
        )
        archives = bool(options.get("archives", True))
        # Prepared first: worker processes for the history start while the tree is scanned.
        history = run.prepare_history(all_refs=bool(options.get("all_refs", False)))
        try:
            for info in context.files:
                context.check_cancelled()
                run.scan_file(info, archives=archives)
            if history is not None:
                run.scan_history(history)
        finally:
            if history is not None:
                history.close()
        return ControlOutput(
            findings=run.findings(),
            skipped=run.skipped,
            errors=run.errors,
            files_scanned=run.files_scanned,
            data_versions=pairs(
                {
                    "secret-rules": rule_set.digest[:16],
                    "secret-engine": prefilter.name,
                    "secret-rule-count": len(rule_set.rules),
                }
            ),
        )


def _parallelism(
    options: Mapping[str, Any], rule_set: RuleSet, engine: str, cache_dir: Path | None
) -> Parallelism | None:
    if not options.get("history"):
        return None
    from lockgate.scanners.secrets.history_scan import Parallelism, default_jobs

    jobs = options.get("jobs", "auto")
    if jobs == "auto":
        jobs = default_jobs()
    elif isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ControlFailure(
            f'[controls.secrets] jobs must be "auto" or a whole number of at least 1, not {jobs!r}',
            kind=ErrorKind.INPUT,
        )
    return Parallelism(rule_set=rule_set, engine=engine, cache_dir=cache_dir, jobs=jobs)


@dataclass
class _Run:
    """Per-run state of the secrets control (never stored on the control itself)."""

    control: SecretsControl
    context: ScanContext
    scanner: SecretScanner
    parallelism: Parallelism | None
    """How a history scan may use worker processes (``None``: no history scan)."""
    decode: bool
    archive_sizes: tuple[int, int]
    """Largest archive member and archive to read (the archive module loads on first use)."""
    collected: _Collected = field(default_factory=_Collected)
    skipped: list[SkippedItem] = field(default_factory=list)
    errors: list[ControlError] = field(default_factory=list)
    files_scanned: int = 0
    root: str = field(init=False)
    """The workspace root as a string, for joining paths cheaply."""

    def __post_init__(self) -> None:
        self.root = os.fspath(self.context.workspace.root).rstrip("/")

    # -- files -----------------------------------------------------------------------
    def scan_file(self, info: FileInfo, *, archives: bool) -> None:
        workspace = self.context.workspace
        path = f"{self.root}/{info.path}"  # workspace.path_of, without pathlib's cost
        try:
            data, complete = _read_start(path, info.size, WINDOW + OVERLAP)
            fmt = info.archive or archive_format(data)
            if fmt is not None:
                if archives:
                    self._scan_archive(info, fmt)
                else:
                    self.skipped.append(
                        SkippedItem(
                            path=info.path,
                            reason=SkipReason.NOT_APPLICABLE,
                            detail=f"{fmt} archive; archive scanning is off",
                        )
                    )
                return
            if is_binary(data):
                self.skipped.append(
                    SkippedItem(path=info.path, reason=SkipReason.BINARY, detail="binary content")
                )
                return
            if complete:
                matches = self.scanner.scan_buffer(data, info.path)
            else:  # larger than one window: stream it in bounded memory
                with open(path, "rb") as stream:
                    matches = list(self.scanner.scan_stream(stream, info.path))
        except OSError as exc:
            self.errors.append(
                ControlError(
                    kind=ErrorKind.INPUT,
                    fatal=False,
                    path=info.path,
                    message=f"cannot read file: {exc.strerror}",
                )
            )
            return
        self.files_scanned += 1
        if self.decode and info.size <= 4 * 1024 * 1024:
            from lockgate.scanners.secrets.decoding import decoded_matches

            content = data if complete else Path(path).read_bytes()
            matches += decoded_matches(self.scanner, content, info.path, matches)
        if not matches:
            return
        changed = workspace.changed_lines
        if changed is not None:
            lines = changed.get(info.path, frozenset())
            matches = [m for m in matches if any(n in lines for n in range(m.line, m.end_line + 1))]
        self._add(matches, info.path)

    def _scan_archive(self, info: FileInfo, fmt: str) -> None:
        from lockgate.scanners.secrets.archives import ArchiveLimits, members

        member_size, total_size = self.archive_sizes
        limits = ArchiveLimits(max_member_size=member_size, max_total_size=total_size)
        if info.size > limits.max_total_size:
            self.skipped.append(
                SkippedItem(
                    path=info.path,
                    reason=SkipReason.TOO_LARGE,
                    detail=f"archive of {info.size} bytes exceeds max_archive_size",
                )
            )
            return
        data = self.context.workspace.read_bytes(info.path)
        try:
            items = list(members(data, fmt, limits))
        except ValueError as exc:
            self.errors.append(
                ControlError(kind=ErrorKind.INPUT, fatal=False, path=info.path, message=str(exc))
            )
            return
        self.files_scanned += 1
        for member in items:
            inner = f"{info.path}!/{member.name}"
            if member.content is None:
                self.skipped.append(
                    SkippedItem(path=inner, reason=SkipReason.LIMIT, detail=member.skipped or "")
                )
                continue
            if is_binary(member.content):
                continue
            self._add(self.scanner.scan_buffer(member.content, inner), inner)

    # -- history ---------------------------------------------------------------------
    def prepare_history(self, *, all_refs: bool) -> HistoryScan | None:
        """The history scan, when the options ask for one (``parallelism`` is set then) and
        there is a repository."""
        if self.parallelism is None:
            return None
        from lockgate.scanners.secrets.history_scan import HistoryScan
        from lockgate.sources.git import GitRepo
        from lockgate.sources.history import GitHistory

        workspace = self.context.workspace
        repo = GitRepo.discover(workspace.repository) if workspace.repository else None
        if repo is None:
            self.errors.append(
                ControlError(
                    kind=ErrorKind.INPUT,
                    fatal=False,
                    message="history = true needs a git repository; the history was not scanned",
                )
            )
            return None
        history = GitHistory(
            repo,
            all_refs=all_refs,
            max_blob_size=workspace.max_file_size,
            cancel=self.context.cancel,
        )
        return HistoryScan(history, self.scanner, self.parallelism)

    def scan_history(self, history: HistoryScan) -> None:
        from lockgate.scanners.secrets.history_scan import ScannedBlob
        from lockgate.sources.interface import HistoryError

        skipped_blobs = 0
        for item in history.events():
            self.context.check_cancelled()
            if isinstance(item, HistoryError):
                self.errors.append(
                    ControlError(
                        kind=ErrorKind.INPUT,
                        fatal=False,
                        path=item.path,
                        message=item.message,
                        detail=item.oid or "",
                    )
                )
                continue
            if not isinstance(item, ScannedBlob):
                skipped_blobs += 1
                if skipped_blobs <= _MAX_HISTORY_SKIPS_LISTED:
                    self.skipped.append(
                        SkippedItem(
                            path=f"{item.path}@{item.commit.sha[:12]}",
                            reason=item.reason,
                            detail=item.detail,
                        )
                    )
                continue
            commit = item.commit
            self._add(
                item.matches,
                item.path,
                commit=commit.sha,
                extra=pairs(
                    commit=commit.sha,
                    author=commit.author_name,
                    author_email=commit.author_email,
                    committed_at=commit.authored_at.isoformat(),
                    introduced_in=commit.summary[:80],
                ),
            )
        self.context.check_cancelled()
        if skipped_blobs > _MAX_HISTORY_SKIPS_LISTED:
            self.skipped.append(
                SkippedItem(
                    path="(git history)",
                    reason=SkipReason.LIMIT,
                    detail=f"{skipped_blobs - _MAX_HISTORY_SKIPS_LISTED} more blobs skipped",
                )
            )

    # -- findings --------------------------------------------------------------------
    def _add(
        self,
        matches: Iterable[SecretMatch],
        path: str,
        *,
        commit: str | None = None,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        matches = list(matches)
        by_line: dict[int, list[str]] = {}
        for m in matches:
            by_line.setdefault(m.line, []).append(m.literal or m.value)
        for m in matches:
            self._add_one(m, path, by_line[m.line], commit=commit, extra=extra)

    def _add_one(
        self,
        m: SecretMatch,
        path: str,
        line_values: list[str],
        *,
        commit: str | None,
        extra: tuple[tuple[str, str], ...],
    ) -> None:
        rule = m.rule
        value_hash = secret_value_hash(m.value, self.context.secret_hash_key)
        fingerprint = secret_fingerprint(rule_family=rule.family, value_hash=value_hash, path=path)
        collected = self.collected
        known = collected.findings.get(fingerprint)
        if known is not None:
            if commit is None:
                collected.lines.setdefault(fingerprint, []).append(m.line)
            elif known.location is not None and known.location.commit is None:
                # A secret of the working tree, now attributed to the commit that
                # introduced it (history is walked oldest first).
                props = dict(known.properties)
                if "commit" not in props:
                    props.update(extra)
                    collected.findings[fingerprint] = _with_properties(known, props)
            return
        allow = ALLOW_MARKER.search(m.line_text)
        properties = dict(extra)
        properties["value_hash"] = value_hash
        properties["entropy"] = f"{shannon_entropy(m.value):.2f}"
        if m.encoding:
            properties["encoding"] = m.encoding
        if allow is not None:
            properties["suppressed"] = "inline lockgate:allow" + (
                f" ({allow.group('reason').strip()})" if allow.group("reason").strip() else ""
            )
        collected.findings[fingerprint] = Finding(
            kind=FindingKind.SECRET,
            rule_id=rule.rule_id,
            title=rule.title,
            severity=rule.severity,
            confidence=rule.confidence,
            fingerprint=fingerprint,
            control_id=self.control.id,
            control_version=self.control.version,
            stage=self.control.stage,
            location=Location(
                path=path,
                start_line=m.line,
                start_column=m.column,
                end_line=m.end_line,
                end_column=m.end_column,
                commit=commit,
                snippet=redact_line(m.line_text, line_values),
            ),
            description=rule.description,
            remediation=rule.remediation,
            cwe=(rule.cwe,),
            references=rule.references,
            properties=pairs(properties),
        )

    def findings(self) -> list[Finding]:
        out = []
        for fingerprint, finding in self.collected.findings.items():
            more = self.collected.lines.get(fingerprint)
            if not more:
                out.append(finding)
                continue
            props = dict(finding.properties)
            props["also_at_lines"] = ",".join(str(n) for n in sorted(set(more)))
            out.append(_with_properties(finding, props))
        return out


def _read_start(path: str, size: int, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` bytes from the start of the file at ``path`` and whether that is all
    of it, in as few system calls as the listed ``size`` allows."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        want = min(max(size, 0) + 1, limit)  # one byte more than listed notices growth
        data = os.read(fd, want)
        if len(data) == want - 1 == size:  # exactly as listed: that is the end
            return data, True
        while len(data) < limit:
            more = os.read(fd, min(limit - len(data), max(len(data), 64 * 1024)))
            if not more:
                return data, True
            data += more
        return data, False
    finally:
        os.close(fd)


def _with_properties(finding: Finding, props: dict[str, str]) -> Finding:
    return dataclasses.replace(finding, properties=pairs(props))
