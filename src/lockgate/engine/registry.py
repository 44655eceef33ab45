"""Registries of controls and reporters, loaded lazily from entry points.

A registry is an object passed in, never a module global: tests build their own. Plugins
are validated when loaded (bandit's lesson); duplicate ids are an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lockgate.engine.plugins import EntryPointLike, entry_points
from lockgate.errors import EXIT_INTERNAL, LockgateError, UsageError
from lockgate.model import FindingKind, Stage
from lockgate.scanners.interface import Control

if TYPE_CHECKING:
    from lockgate.reporters.interface import Reporter

CONTROL_GROUP = "lockgate.controls"
REPORTER_GROUP = "lockgate.reporters"
_CONTROL_ID = re.compile(r"^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$")


class PluginError(LockgateError):
    """A plugin is broken: it fails to load, misdeclares itself, or reuses an id."""

    exit_code = EXIT_INTERNAL


def _instantiate(obj: Any) -> Any:
    """Entry points may name a class, a factory function or a ready instance."""
    if isinstance(obj, type):
        return obj()
    if hasattr(obj, "scan") or hasattr(obj, "render"):
        return obj
    return obj() if callable(obj) else obj


def _returning(value: Any) -> Callable[[], Any]:
    """A loader for an object that is already loaded."""
    return lambda: value


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A close match among ``choices`` for a hint, or None."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def validate_control(control: Any, origin: str) -> Control:
    """Check that a loaded object declares everything a control must declare."""
    problems: list[str] = []
    cid = getattr(control, "id", None)
    if not isinstance(cid, str) or not _CONTROL_ID.match(cid):
        problems.append(f"id {cid!r} must be lower-case kebab-case")
    if not isinstance(getattr(control, "version", None), str) or not control.version:
        problems.append("version must be a non-empty string")
    if not isinstance(getattr(control, "stage", None), Stage):
        problems.append("stage must be a lockgate.model.Stage")
    if not isinstance(getattr(control, "kind", None), FindingKind):
        problems.append("kind must be a lockgate.model.FindingKind")
    for method in ("applies_to", "scan", "rules"):
        if not callable(getattr(control, method, None)):
            problems.append(f"{method}() is missing")
    if not isinstance(getattr(control, "needs_files", None), bool):
        problems.append("needs_files must be a bool")
    if problems:
        raise PluginError(
            f"control from {origin} is invalid: " + "; ".join(problems),
            hint="see docs/plugins.md for the control interface",
        )
    return control  # type: ignore[no-any-return]


BUILTIN_STAGES: dict[str, Stage] = {
    "lockgate.scanners.secrets.control:SecretsControl": Stage.CODE,
    "lockgate.scanners.sast.control:SastControl": Stage.CODE,
    "lockgate.scanners.sca.control:ScaControl": Stage.BUILD,
    "lockgate.scanners.licenses.control:LicenseControl": Stage.BUILD,
    "lockgate.scanners.iac.control:IacControl": Stage.DEPLOY,
}
"""The stage of each of lockgate's own controls, by entry-point value, so that a run of one
stage (a pre-commit hook: code) imports only that stage's controls. The test-suite checks
the table against the controls themselves; a plugin's stage is learnt by loading it."""


@dataclass(frozen=True)
class _Pending:
    """A control not loaded yet: where it comes from, and what is known without loading."""

    origin: str
    load: Callable[[], Any]
    name: str | None = None
    stage: Stage | None = None


class ControlRegistry:
    """The controls available to a run, by id, in pipeline order.

    Controls load on first need: a stage's controls when that stage runs, one control when it
    is asked for by id, all of them when listed. lockgate's own controls are known by stage
    and id without importing them (:data:`BUILTIN_STAGES`); plugins load whenever their
    stage or id might be the one wanted.
    """

    def __init__(
        self, controls: Iterable[Control] = (), *, entry_points: Iterable[EntryPointLike] = ()
    ) -> None:
        self._pending: list[_Pending] = [
            _Pending(
                origin=f"entry point {ep.name} = {ep.value}",
                load=ep.load,
                name=ep.name if ep.value in BUILTIN_STAGES else None,
                stage=BUILTIN_STAGES.get(ep.value),
            )
            for ep in entry_points
        ]
        self._pending += [
            _Pending(origin=f"{type(c).__module__}.{type(c).__qualname__}", load=_returning(c))
            for c in controls
        ]
        self._loaded: dict[str, Control] = {}
        self._origins: dict[str, str] = {}

    @classmethod
    def from_entry_points(cls, group: str = CONTROL_GROUP) -> ControlRegistry:
        """Every control installed in the ``lockgate.controls`` entry-point group."""
        return cls(entry_points=entry_points(group=group))

    def _load_where(self, wanted: Callable[[_Pending], bool]) -> None:
        keep: list[_Pending] = []
        for item in self._pending:
            if wanted(item):
                self._add(item)
            else:
                keep.append(item)
        self._pending = keep

    def _add(self, item: _Pending) -> None:
        try:
            obj = _instantiate(item.load())
        except Exception as exc:
            raise PluginError(
                f"cannot load control from {item.origin}: {type(exc).__name__}: {exc}"
            ) from exc
        control = validate_control(obj, item.origin)
        if control.id in self._loaded:
            raise PluginError(
                f"duplicate control id {control.id!r}: {self._origins[control.id]} and "
                f"{item.origin}"
            )
        self._loaded[control.id] = control
        self._origins[control.id] = item.origin

    def _sorted(self) -> list[Control]:
        return sorted(self._loaded.values(), key=lambda c: (c.stage.order, c.id))

    def all(self) -> tuple[Control, ...]:
        """Every control, sorted by stage order then id."""
        self._load_where(lambda _: True)
        return tuple(self._sorted())

    def ids(self) -> tuple[str, ...]:
        """Every control id, in pipeline order (loads only controls of unknown id)."""
        self._load_where(lambda item: item.name is None or item.name in self._loaded)
        known = {c.id: c.stage for c in self._loaded.values()}
        known.update({i.name: i.stage for i in self._pending if i.name and i.stage})
        return tuple(sorted(known, key=lambda cid: (known[cid].order, cid)))

    def get(self, control_id: str) -> Control:
        """The control with this id; a UsageError with a did-you-mean hint otherwise."""
        if control_id not in self._loaded:
            self._load_where(lambda item: item.name in (None, control_id))
        if control_id not in self._loaded:
            close = did_you_mean(control_id, self.ids())
            raise UsageError(
                f"unknown control {control_id!r}",
                hint=f"did you mean {close!r}?"
                if close
                else "run 'lockgate controls' to list them",
            )
        return self._loaded[control_id]

    def for_stage(self, stage: Stage) -> tuple[Control, ...]:
        """The controls of one stage, sorted by id (loads that stage's controls only)."""
        self._load_where(lambda item: item.stage in (None, stage))
        return tuple(c for c in self._sorted() if c.stage is stage)


class ReporterRegistry:
    """Output formats by name, loaded lazily from the ``lockgate.reporters`` group."""

    def __init__(
        self,
        reporters: dict[str, Reporter] | None = None,
        *,
        entry_points: Iterable[EntryPointLike] = (),
    ) -> None:
        self._given = dict(reporters or {})
        self._entry_points = {ep.name: ep for ep in entry_points}
        dupes = set(self._given) & set(self._entry_points)
        if dupes:
            raise PluginError(f"duplicate reporter name(s): {', '.join(sorted(dupes))}")
        self._cache: dict[str, Reporter] = {}

    @classmethod
    def from_entry_points(cls, group: str = REPORTER_GROUP) -> ReporterRegistry:
        return cls(entry_points=entry_points(group=group))

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(set(self._given) | set(self._entry_points)))

    def get(self, name: str) -> Reporter:
        """The reporter called ``name``; a UsageError naming the choices otherwise."""
        if name in self._cache:
            return self._cache[name]
        if name in self._given:
            reporter = self._given[name]
        elif name in self._entry_points:
            ep = self._entry_points[name]
            try:
                reporter = _instantiate(ep.load())
            except Exception as exc:
                raise PluginError(f"cannot load reporter {name!r} ({ep.value}): {exc}") from exc
            if not callable(getattr(reporter, "render", None)):
                raise PluginError(f"reporter {name!r} ({ep.value}) has no render() method")
        else:
            close = did_you_mean(name, self.names())
            raise UsageError(
                f"unknown output format {name!r}",
                hint=f"did you mean {close!r}?"
                if close
                else f"choose from {', '.join(self.names())}",
            )
        self._cache[name] = reporter
        return reporter
