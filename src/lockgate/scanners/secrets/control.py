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
from lockgate.scanners.secrets.file_scan import FileResult, FileSettings
from lockgate.scanners.secrets.matcher import SecretMatch, shannon_entropy
from lockgate.scanners.secrets.parallel import (
    Parallelism,
    Team,
    default_jobs,
    worth_sharing_history,
)
from lockgate.scanners.secrets.redact import redact_line
from lockgate.scanners.secrets.rules import RuleError, RuleSet, builtin_rules, load_rules
from lockgate.scanners.secrets.scanner import SecretScanner
from lockgate.scanners.secrets.tree_scan import scan_tree, worth_sharing_tree

if TYPE_CHECKING:
    from lockgate.sources.history import GitHistory

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
        tree_bytes = sum(f.size for f in context.files)
        try:
            prefilter = build_prefilter(
                rule_set,
                engine=engine,
                cache_dir=context.cache_dir,
                input_size=None if options.get("history") else tree_bytes,
            )
        except ImportError:
            raise ControlFailure(
                "engine = 'hyperscan' was asked for but hyperscan is not installed",
                kind=ErrorKind.TOOL,
            ) from None
        scanner = SecretScanner(rules=rule_set.rules, prefilter=prefilter)
        parallelism = _parallelism(options, rule_set, engine, context.cache_dir)
        run = _Run(
            control=self,
            context=context,
            scanner=scanner,
            files=FileSettings(
                root=os.fspath(workspace.root).rstrip("/"),
                decode=bool(options.get("decode", False)),
                archives=bool(options.get("archives", True)),
                max_archive_member_size=int(
                    options.get("max_archive_member_size", 10 * 1024 * 1024)
                ),
                max_archive_size=int(options.get("max_archive_size", 100 * 1024 * 1024)),
            ),
        )
        history = (
            run.history(all_refs=bool(options.get("all_refs", False)))
            if options.get("history")
            else None
        )
        # Workers, when the tree or the history is worth sharing, start at once: they load
        # the rules while this process scans its own share.
        share_tree = workspace.changed_lines is None and worth_sharing_tree(tree_bytes)
        share_history = history is not None and worth_sharing_history(history.repo)
        team = Team.lease(parallelism if share_tree or share_history else None)
        try:
            tree_team = team if share_tree else Team(None)
            for result in scan_tree(
                context.files,
                scanner,
                run.files,
                tree_team,
                changed=workspace.changed_lines,
                cancel=context.cancel,
                check=context.check_cancelled,
            ):
                run.take(result)
            if history is not None:
                run.scan_history(history, team if share_history else Team(None))
        finally:
            team.release()
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
) -> Parallelism:

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
    files: FileSettings
    collected: _Collected = field(default_factory=_Collected)
    skipped: list[SkippedItem] = field(default_factory=list)
    errors: list[ControlError] = field(default_factory=list)
    files_scanned: int = 0

    # -- files -----------------------------------------------------------------------
    def take(self, result: FileResult) -> None:
        """Record what one file gave."""
        self.skipped += result.skipped
        self.errors += result.errors
        self.files_scanned += result.scanned
        for path, matches in result.found:
            self._add(matches, path)

    # -- history ---------------------------------------------------------------------
    def history(self, *, all_refs: bool) -> GitHistory | None:
        """The history to scan; ``None`` (an error recorded) outside a git repository."""
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
        return GitHistory(
            repo,
            all_refs=all_refs,
            max_blob_size=workspace.max_file_size,
            cancel=self.context.cancel,
        )

    def scan_history(self, history: GitHistory, team: Team) -> None:
        from lockgate.scanners.secrets.history_scan import HistoryScan, ScannedBlob
        from lockgate.sources.interface import HistoryError

        skipped_blobs = 0
        for item in HistoryScan(history, self.scanner, team).events():
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


def _with_properties(finding: Finding, props: dict[str, str]) -> Finding:
    return dataclasses.replace(finding, properties=pairs(props))
