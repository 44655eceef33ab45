"""The scan use-case: materialise the target, run the pipeline, decide, return the outcome."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lockgate.config import Settings, check_control_options
from lockgate.engine.pipeline import Pipeline, PipelineObserver, PipelineRun, RunOptions
from lockgate.engine.registry import ControlRegistry
from lockgate.errors import InputError, UsageError
from lockgate.model import Decision, ScanReport, Stage
from lockgate.model.codec import DecodeError, report_from_json
from lockgate.model.fingerprint import DEFAULT_SECRET_HASH_KEY
from lockgate.policy.branch import BranchInfo, detect_branch
from lockgate.policy.exceptions import load_exceptions
from lockgate.policy.gate import CustomPolicy, Gate, GateContext
from lockgate.sources.interface import Workspace

SECRET_HASH_KEY_ENV = "LOCKGATE_SECRET_HASH_KEY"  # noqa: S105 - a variable name


@dataclass(frozen=True, kw_only=True)
class ScanRequest:
    """What the user asked for on the command line."""

    path: Path
    staged: bool = False
    since: str | None = None
    branch: str | None = None
    baseline: Path | None = None


@dataclass(frozen=True, kw_only=True)
class ScanOutcome:
    """The facts, the decision, and how the branch was determined."""

    report: ScanReport
    decision: Decision
    branch: BranchInfo
    stopped_after: Stage | None = None
    workspace_root: Path = field(default_factory=Path)


def run_options(settings: Settings, env: Mapping[str, str]) -> RunOptions:
    """The engine options from the effective settings."""
    key = env.get(SECRET_HASH_KEY_ENV)
    return RunOptions(
        stages=tuple(Stage.parse(s) for s in settings["scan.stages"]),
        only=frozenset(settings["scan.only"]),
        skip=frozenset(settings["scan.skip"]),
        workers=settings["scan.workers"],
        timeout=settings["scan.timeout"],
        fail_fast=settings["scan.fail_fast"],
        control_options=settings.controls,
        cache_dir=cache_dir(env),
        secret_hash_key=key.encode() if key else DEFAULT_SECRET_HASH_KEY,
        config_digest=settings.digest,
    )


def cache_dir(env: Mapping[str, str]) -> Path:
    """The user cache directory (XDG): compiled rule databases, advisory data."""
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".cache")
    return Path(base) / "lockgate"


def load_baseline(path: Path) -> tuple[frozenset[str], str]:
    """Fingerprints of a previous native JSON report, and a label naming it."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise InputError("baseline report not found", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read baseline report: {exc.strerror}", path=str(path)) from None
    try:
        report, _ = report_from_json(text)
    except DecodeError as exc:
        raise InputError(
            f"corrupt baseline report: {exc}",
            path=str(path),
            hint="pass a report written by 'lockgate scan --format json=FILE'",
        ) from None
    return frozenset(f.fingerprint for f in report.findings), f"report {path.name}"


def load_custom_policy(settings: Settings) -> CustomPolicy | None:
    """Rego modules of the policy directory, or None when there are none."""
    directory = settings.path("policy.dir")
    if not directory.is_dir():
        return None
    from lockgate.rego import RegoPolicy

    return RegoPolicy.load(directory, namespaces=tuple(settings["policy.namespaces"]))


@contextlib.contextmanager
def open_workspace(request: ScanRequest, settings: Settings) -> Iterator[Workspace]:
    """Materialise the target the request names (staged, diff range, git tree or directory)."""
    from lockgate.sources.filesystem import FilesystemSource
    from lockgate.sources.git import DiffRangeSource, GitRepo, GitWorkingTreeSource, StagedSource

    path = request.path
    if not path.exists():
        raise InputError("path does not exist", path=str(path))
    common = {
        "max_file_size": settings["scan.max_file_size"],
        "extra_ignores": tuple(settings["scan.exclude"]),
    }
    if request.staged and request.since:
        raise UsageError("--staged and --since cannot be combined")
    if request.staged:
        source: object = StagedSource(path, **common)
    elif request.since:
        source = DiffRangeSource(path, since=request.since, **common)
    elif path.is_dir() and GitRepo.discover(path) is not None:
        source = GitWorkingTreeSource(path, **common)
    else:
        source = FilesystemSource(path, use_gitignore=settings["scan.gitignore"], **common)
    with source.open() as workspace:  # type: ignore[attr-defined]
        yield workspace


def gate_context(
    settings: Settings,
    *,
    branch: BranchInfo,
    baseline: frozenset[str] | None,
    baseline_label: str | None,
    repository: str | None,
    full_scan: bool,
) -> GateContext:
    """What the gate needs besides the report: branch, policy, baseline, exceptions, Rego."""
    return GateContext(
        branch=branch.name,
        policy=settings.gate,
        baseline=baseline,
        baseline_label=baseline_label,
        exceptions=load_exceptions(settings.path("exceptions.file")),
        custom=load_custom_policy(settings),
        repository=repository,
        full_scan=full_scan,
    )


class Scanner:
    """Runs scans for one configuration and registry."""

    def __init__(
        self, *, settings: Settings, registry: ControlRegistry, env: Mapping[str, str] | None = None
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.env = os.environ if env is None else env

    def check(self) -> None:
        """Validate ``[controls.X]`` tables against the installed controls (loaded only
        when there are such tables: a pre-commit run imports its own stage's controls)."""
        if not self.settings.controls:
            return
        known = {c.id: getattr(c, "option_names", None) for c in self.registry.all()}
        check_control_options(self.settings, known)

    def scan(self, request: ScanRequest, observer: PipelineObserver | None = None) -> ScanOutcome:
        """Scan the target, gate after each stage, and decide on the whole report."""
        self.check()
        options = run_options(self.settings, self.env)
        pipeline = Pipeline(self.registry)
        pipeline.validate(options)
        with open_workspace(request, self.settings) as workspace:
            target = workspace.target
            branch = detect_branch(self.env, override=request.branch, git_branch=target.branch)
            baseline: frozenset[str] | None = None
            label: str | None = None
            if request.baseline is not None:
                baseline, label = load_baseline(request.baseline)
            elif request.since and target.base_commit and workspace.repository is not None:
                baseline = self._merge_base_fingerprints(workspace, options)
                label = f"merge base {target.base_commit[:12]} of {request.since}"
            gate = Gate(
                gate_context(
                    self.settings,
                    branch=branch,
                    baseline=baseline,
                    baseline_label=label,
                    repository=target.repository,
                    full_scan=not (request.staged or request.since),
                )
            )
            pipeline.gate = gate.decide_stage
            run: PipelineRun = pipeline.run(workspace, options, observer)
            decision = gate.decide(run.report)
            return ScanOutcome(
                report=run.report,
                decision=decision,
                branch=branch,
                stopped_after=run.stopped_after,
                workspace_root=workspace.root,
            )

    def _merge_base_fingerprints(self, workspace: Workspace, options: RunOptions) -> frozenset[str]:
        """Fingerprints the same controls find in the changed files as of the merge base."""
        from lockgate.sources.git import BaselineTreeSource, GitRepo

        base = workspace.target.base_commit
        repo = GitRepo.discover(workspace.repository) if workspace.repository else None
        if repo is None or base is None:  # pragma: no cover - the diff source set both
            return frozenset()
        source = BaselineTreeSource(
            repo,
            commit=base,
            paths=[f.path for f in workspace.files],
            max_file_size=self.settings["scan.max_file_size"],
        )
        with source.open() as merge_base:
            run = Pipeline(self.registry).run(merge_base, options)
        return frozenset(f.fingerprint for f in run.report.findings)


def regate(
    report_path: Path,
    *,
    settings: Settings,
    env: Mapping[str, str],
    branch: str | None,
    baseline: Path | None,
) -> tuple[ScanReport, Decision, BranchInfo]:
    """Decide again on a stored report, for another branch, policy or baseline."""
    try:
        text = report_path.read_bytes()
    except FileNotFoundError:
        raise InputError("report not found", path=str(report_path)) from None
    try:
        report, _ = report_from_json(text)
    except DecodeError as exc:
        raise InputError(f"corrupt report: {exc}", path=str(report_path)) from None
    info = detect_branch(env, override=branch, git_branch=report.target.branch)
    fingerprints, label = load_baseline(baseline) if baseline else (None, None)
    ctx = gate_context(
        settings,
        branch=info,
        baseline=fingerprints,
        baseline_label=label,
        repository=report.target.repository,
        full_scan=report.target.kind not in ("staged", "diff"),
    )
    return report, Gate(ctx).decide(report), info
