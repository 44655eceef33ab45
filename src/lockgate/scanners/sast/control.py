"""The code-stage static analysis control: semgrep with lockgate's own rule pack over every
supported file, bandit over the Python files at the same time, one finding per weakness
and place (cross-tool dedup), diff-aware on staged changes and ``--since`` ranges.

Options (``[controls.sast]``): ``engines`` (default ``["semgrep", "bandit"]``), ``jobs``
(default: CPUs, at most 4), ``timeout_per_file`` (seconds per semgrep rule and file,
default 10), ``max_memory_mb`` (semgrep, default 4096), ``extra_rules`` (your own semgrep
rule files or directories), ``disable`` (rule ids: ``sast/lockgate.python.…`` or
``bandit/B101``), ``bandit_config`` (a bandit configuration file; none is read from the
repository otherwise).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lockgate.model import (
    ControlError,
    ErrorKind,
    Finding,
    FindingKind,
    RuleInfo,
    Severity,
    SkippedItem,
    SkipReason,
    Stage,
    pairs,
)
from lockgate.scanners.cpus import available_cpus
from lockgate.scanners.interface import BaseControl, ControlFailure, ControlOutput, ScanContext
from lockgate.scanners.sast._bandit_tests import TESTS, documentation_url
from lockgate.scanners.sast._code import SourceFiles
from lockgate.scanners.sast._findings import BANDIT, SEMGREP, FindingFactory
from lockgate.scanners.sast._process import engine_environment, private_home
from lockgate.scanners.sast._results import EngineRun
from lockgate.scanners.sast._rulepack import (
    LANGUAGE_EXTENSIONS,
    PACK_DIR,
    is_template,
    language_of,
    merged_pack,
    pack_configs,
    pack_digest,
    pack_rules,
    rule_files,
    rule_ids,
)
from lockgate.scanners.sast.bandit_runner import BanditRunner, BanditSettings
from lockgate.scanners.sast.dedup import dedup
from lockgate.scanners.sast.semgrep_runner import SemgrepRunner, SemgrepSettings
from lockgate.sources.interface import FileInfo, Workspace

_OPTIONS = frozenset(
    {
        "engines",
        "jobs",
        "timeout_per_file",
        "max_memory_mb",
        "extra_rules",
        "disable",
        "bandit_config",
    }
)
ENGINES = (SEMGREP, BANDIT)
DEFAULT_TIMEOUT = 3600.0
"""Backstop deadline for the engines. The control's own time budget (``scan.timeout`` or
``[controls.sast] timeout``) is enforced by cancellation, which kills the engines at once."""
_BANDIT_ID = re.compile(r"^(?:bandit/)?(B\d{3})$", re.IGNORECASE)


class SastControl(BaseControl):
    """Static analysis of Python, JavaScript/TypeScript, Java and Go source."""

    id = "sast"
    version = "1.0.0"
    stage = Stage.CODE
    kind = FindingKind.SAST
    title = "SAST: semgrep with lockgate's rule pack, and bandit for Python"
    needs_files = True
    option_names = _OPTIONS

    def __init__(
        self,
        *,
        rules_dir: Path | None = None,
        semgrep: SemgrepRunner | None = None,
        bandit: BanditRunner | None = None,
    ) -> None:
        self.rules_dir = (rules_dir if rules_dir is not None else PACK_DIR).resolve()
        self.semgrep = semgrep if semgrep is not None else SemgrepRunner()
        self.bandit = bandit if bandit is not None else BanditRunner()

    def applies_to(self, path: str, info: FileInfo) -> bool:  # noqa: ARG002 - protocol
        return language_of(path) is not None

    def rules(self) -> Sequence[RuleInfo]:
        pack = [
            RuleInfo(
                rule_id=f"sast/{rule.id}",
                title=rule.title,
                severity=rule.severity,
                kind=FindingKind.SAST,
                description=rule.message,
                remediation=rule.remediation,
                cwe=rule.cwe,
                references=rule.references,
            )
            for rule in pack_rules(self.rules_dir)
        ]
        bandit = [
            RuleInfo(
                rule_id=f"bandit/{test.id}",
                title=f"{test.title} (bandit {test.name})",
                severity=Severity.UNKNOWN,
                kind=FindingKind.SAST,
                description="Reported by bandit on Python code; bandit rates the severity of "
                "each finding. Where a rule of lockgate's pack reports the same weakness at "
                "the same place, the two become one finding.",
                remediation=test.remediation,
                cwe=tuple(dict.fromkeys((test.cwe, *test.detects))),
                references=(documentation_url(test),),
            )
            for test in TESTS.values()
        ]
        return (*pack, *bandit)

    def scan(self, context: ScanContext) -> ControlOutput:
        workspace = context.workspace
        options = Options.parse(context.options, workspace)
        plan = self._plan(context.files, options)
        runs = self._run_engines(context, options, plan)
        errors: list[ControlError] = []
        skipped: list[SkippedItem] = list(plan.skipped)
        self._judge_failures(runs, plan, errors)
        for run in runs:
            if not run.failed:
                errors.extend(run.errors)
                skipped.extend(run.skipped)
        factory = FindingFactory(
            control_id=self.id,
            control_version=self.version,
            stage=self.stage,
            secret_hash_key=context.secret_hash_key,
        )
        matches = [
            m
            for run in runs
            if not run.failed
            for m in run.matches
            if not options.disabled(m.rule_id, m.engine_rule)
        ]
        findings = dedup(factory.build(matches, SourceFiles(workspace.root)))
        if workspace.changed_lines is not None:
            findings = [_mark_change(f, workspace) for f in findings]
        scanned = frozenset().union(*(r.scanned for r in runs if not r.failed))
        versions: dict[str, str | None] = {r.engine: r.version for r in runs if not r.failed}
        versions["sast-rules"] = plan.pack_digest
        return ControlOutput(
            findings=findings,
            skipped=skipped,
            errors=errors,
            files_scanned=len(scanned),
            data_versions=pairs(versions),
        )

    # -- planning ------------------------------------------------------------------------
    def _plan(self, files: Iterable[FileInfo], options: Options) -> _Plan:
        in_scope = [f for f in files if f.archive is None and language_of(f.path)]
        languages = {language_of(f.path) for f in in_scope} - {None}
        pack = pack_configs(self.rules_dir, (lang for lang in languages if lang))
        covered = {c.name for c in pack if c.is_dir() and c.name in LANGUAGE_EXTENSIONS}
        catch_all = bool(options.extra_rules) or any(
            not (c.is_dir() and c.name in LANGUAGE_EXTENSIONS) for c in pack
        )
        if options.extra_rules:
            self._check_user_rules(options.extra_rules)
        pack_files = rule_files(pack)
        plan = _Plan(
            pack_configs=pack,
            configs=[*pack, *options.extra_rules],
            pack_files=pack_files,
            pack_digest=pack_digest(pack_files) if pack_files else None,
        )
        for info in in_scope:
            language = language_of(info.path)
            use_semgrep = SEMGREP in options.engines and (catch_all or language in covered)
            use_bandit = (
                BANDIT in options.engines and language == "python" and not is_template(info.path)
            )
            if use_semgrep:
                plan.semgrep.append(info.path)
            if use_bandit:
                plan.bandit.append(info.path)
                plan.sizes[info.path] = info.size
            if not use_semgrep and not use_bandit:
                why = (
                    f"no semgrep rule covers {language} files"
                    if SEMGREP in options.engines
                    else f"engines = {list(options.engines)} has no engine for {language}"
                )
                plan.skipped.append(
                    SkippedItem(path=info.path, reason=SkipReason.UNSUPPORTED, detail=why)
                )
        return plan

    def _check_user_rules(self, extra: Sequence[Path]) -> None:
        theirs = rule_ids(extra)
        ours = {rule.id for rule in pack_rules(self.rules_dir)}
        clash = sorted(set(theirs) & ours)
        if clash:
            raise ControlFailure(
                f"extra_rules redefine rule ids of lockgate's pack: {', '.join(clash[:10])}",
                kind=ErrorKind.INPUT,
                detail=f"in {theirs[clash[0]]}; give your rules ids of your own",
            )

    # -- running -------------------------------------------------------------------------
    def _run_engines(self, context: ScanContext, options: Options, plan: _Plan) -> list[EngineRun]:
        root = context.workspace.root
        home, holder = private_home(context.cache_dir)
        try:
            env = engine_environment(home)
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="lockgate-sast") as pool:
                futures: list[Future[EngineRun]] = []
                if plan.semgrep and plan.configs:
                    merged = (
                        merged_pack(plan.pack_files, plan.pack_digest, home / "packs")
                        if plan.pack_digest is not None
                        else None
                    )
                    pack = [merged] if merged is not None else plan.pack_configs
                    futures.append(
                        pool.submit(
                            self.semgrep.run,
                            root=root,
                            paths=plan.semgrep,
                            configs=[*pack, *options.extra_rules],
                            settings=options.semgrep_settings(context.workspace),
                            env=env,
                            cancel=context.cancel,
                            user_rules=options.extra_rules,
                        )
                    )
                if plan.bandit:
                    futures.append(
                        pool.submit(
                            self.bandit.run,
                            root=root,
                            paths=plan.bandit,
                            sizes=plan.sizes,
                            settings=options.bandit_settings(),
                            env=env,
                            cancel=context.cancel,
                        )
                    )
                return [f.result() for f in futures]
        finally:
            if holder is not None:
                holder.cleanup()

    def _judge_failures(
        self, runs: Sequence[EngineRun], plan: _Plan, errors: list[ControlError]
    ) -> None:
        """A failed engine fails the control unless a working engine covered every file it
        was given; then it is a (non-fatal) error naming the engine. Broken user rules are
        a configuration error either way."""
        failed = [r for r in runs if r.failure is not None]
        if not failed:
            return
        for run in failed:
            assert run.failure is not None  # noqa: S101 - narrowed above
            if run.failure.kind is ErrorKind.INPUT:
                raise ControlFailure(
                    run.failure.message, kind=ErrorKind.INPUT, detail=run.failure.detail
                )
        given = {SEMGREP: set(plan.semgrep), BANDIT: set(plan.bandit)}
        working = {r.engine for r in runs if not r.failed}
        covered = set().union(*(given[e] for e in working)) if working else set()
        uncovered = set().union(*(given[r.engine] for r in failed)) - covered
        if uncovered:
            message = "; ".join(r.failure.message for r in failed if r.failure)
            detail = "\n".join(r.failure.detail for r in failed if r.failure and r.failure.detail)
            raise ControlFailure(message, kind=ErrorKind.TOOL, detail=detail)
        for run in failed:
            assert run.failure is not None  # noqa: S101 - narrowed above
            others = ", ".join(sorted(working))
            errors.append(
                ControlError(
                    kind=ErrorKind.TOOL,
                    fatal=False,
                    message=f"{run.engine} failed, so its checks did not run ({others} still "
                    f"scanned the same files): {run.failure.message}",
                    detail=run.failure.detail,
                )
            )


@dataclass
class _Plan:
    pack_configs: list[Path]
    configs: list[Path]
    pack_files: list[Path] = dataclasses.field(default_factory=list)
    pack_digest: str | None = None
    """Of the pack's rule files, read once per scan (evidence and the merged file's name)."""
    semgrep: list[str] = dataclasses.field(default_factory=list)
    bandit: list[str] = dataclasses.field(default_factory=list)
    sizes: dict[str, int] = dataclasses.field(default_factory=dict)
    skipped: list[SkippedItem] = dataclasses.field(default_factory=list)


def default_jobs() -> int:
    """CPUs available to this process (see :mod:`lockgate.scanners.cpus`), at most 4."""
    return min(available_cpus(), 4)


def _bad(key: str, problem: str) -> ControlFailure:
    return ControlFailure(f"[controls.sast] {key}: {problem}", kind=ErrorKind.INPUT)


def _int_option(options: Mapping[str, Any], key: str, default: int, minimum: int) -> int:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise _bad(key, f"expected a whole number, got {value!r}")
    if value < minimum:
        raise _bad(key, f"must be at least {minimum}, got {value!r}")
    return int(value)


def _string_list(options: Mapping[str, Any], key: str, default: Sequence[str]) -> tuple[str, ...]:
    value = options.get(key, list(default))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _bad(key, f"expected a list of strings, got {value!r}")
    return tuple(value)


@dataclass(frozen=True, kw_only=True)
class Options:
    """The control's validated ``[controls.sast]`` options."""

    engines: tuple[str, ...] = ENGINES
    jobs: int = 1
    timeout_per_file: int = 10
    max_memory_mb: int = 4096
    extra_rules: tuple[Path, ...] = ()
    disable: frozenset[str] = frozenset()
    bandit_config: Path | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def parse(cls, options: Mapping[str, Any], workspace: Workspace) -> Options:
        """Validate the options; a bad value is a configuration error naming the key."""
        base = workspace.display_root or workspace.root
        engines = _string_list(options, "engines", ENGINES)
        unknown = sorted(set(engines) - set(ENGINES))
        if unknown:
            raise _bad("engines", f"unknown engine {unknown[0]!r} (choose from semgrep, bandit)")
        if not engines:
            raise _bad("engines", "at least one engine is needed")
        extra = tuple(
            _existing(base, p, "extra_rules") for p in _string_list(options, "extra_rules", ())
        )
        config = options.get("bandit_config")
        if config is not None and not isinstance(config, str):
            raise _bad("bandit_config", f"expected a path, got {config!r}")
        timeout = options.get("timeout", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise _bad("timeout", f"expected a positive number of seconds, got {timeout!r}")
        return cls(
            engines=tuple(dict.fromkeys(engines)),
            jobs=_int_option(options, "jobs", default_jobs(), 1),
            timeout_per_file=_int_option(options, "timeout_per_file", 10, 0),
            max_memory_mb=_int_option(options, "max_memory_mb", 4096, 0),
            extra_rules=extra,
            disable=frozenset(_normal_rule(r) for r in _string_list(options, "disable", ())),
            bandit_config=_existing(base, config, "bandit_config") if config else None,
            timeout=float(timeout),
        )

    def disabled(self, rule_id: str, engine_rule: str) -> bool:
        return _normal_rule(rule_id) in self.disable or _normal_rule(engine_rule) in self.disable

    def semgrep_settings(self, workspace: Workspace) -> SemgrepSettings:
        return SemgrepSettings(
            jobs=self.jobs,
            timeout_per_file=self.timeout_per_file,
            max_memory_mb=self.max_memory_mb,
            max_target_bytes=workspace.max_file_size,
            timeout=self.timeout,
            exclude_rules=tuple(sorted(r for r in self.disable if not _BANDIT_ID.match(r))),
        )

    def bandit_settings(self) -> BanditSettings:
        return BanditSettings(
            jobs=self.jobs,
            timeout=self.timeout,
            skip_tests=tuple(sorted(r for r in self.disable if _BANDIT_ID.match(r))),
            config=self.bandit_config,
        )


def _normal_rule(rule: str) -> str:
    """``sast/lockgate.x`` → ``lockgate.x``; ``bandit/b101`` → ``B101``."""
    rule = rule.strip()
    bandit = _BANDIT_ID.match(rule)
    if bandit:
        return bandit.group(1).upper()
    return rule.removeprefix("sast/")


def _existing(base: Path, value: str, key: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base / path
    if not path.exists():
        raise _bad(key, f"no such file or directory: {path}")
    return path.resolve()


def _mark_change(finding: Finding, workspace: Workspace) -> Finding:
    """Diff-aware scans: whether the finding touches a changed line; one that does not was
    there before the change (``preexisting``)."""
    loc = finding.location
    if loc is None or loc.start_line is None:
        return finding
    end = max(loc.end_line or loc.start_line, loc.start_line)
    touched = any(workspace.is_changed(loc.path, n) for n in range(loc.start_line, end + 1))
    properties = dict(finding.properties)
    properties["on_changed_line"] = "true" if touched else "false"
    if not touched:
        properties["preexisting"] = "true"
    return dataclasses.replace(finding, properties=pairs(properties))
