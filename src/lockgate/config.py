"""Configuration: ``lockgate.toml`` or ``[tool.lockgate]`` in ``pyproject.toml``, then
``LOCKGATE_*`` environment variables, then command-line flags (each overriding the last).

The schema below is the single source for validation, for the documented ``lockgate.toml``
that ``lockgate init`` writes, and for the environment variable names. Unknown keys and bad
values are errors naming the file, the line and the key, with a did-you-mean hint.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lockgate.errors import ConfigError
from lockgate.model import FindingKind, Severity, Stage
from lockgate.policy.thresholds import (
    CONTROL_ERROR_MODES,
    INPUT_ERROR_MODES,
    LEVELS,
    GatePolicy,
    ThresholdOverride,
    Thresholds,
)
from lockgate.tomlsource import did_you_mean, find_line, toml_error_position

CONFIG_FILE = "lockgate.toml"
PYPROJECT = "pyproject.toml"
_NEVER = ("none", "never", "off")


@dataclass(frozen=True, kw_only=True)
class Option:
    """One scalar or list setting: where it lives, its type, default and documentation."""

    section: str
    name: str
    kind: str  # int, float, bool, str, list, stages, severity, choice, path
    default: Any
    help: str
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"

    @property
    def env(self) -> str:
        return f"LOCKGATE_{self.section}_{self.name}".upper()


OPTIONS: tuple[Option, ...] = (
    Option(
        section="scan",
        name="stages",
        kind="stages",
        default=[s.value for s in Stage],
        help="Stages to run, in pipeline order.",
    ),
    Option(
        section="scan",
        name="only",
        kind="list",
        default=[],
        help="Run only these controls (ids from 'lockgate controls').",
    ),
    Option(section="scan", name="skip", kind="list", default=[], help="Never run these controls."),
    Option(
        section="scan",
        name="exclude",
        kind="list",
        default=[],
        help="Extra ignore patterns (.gitignore syntax) on top of .gitignore and .lockgateignore.",
    ),
    Option(
        section="scan",
        name="gitignore",
        kind="bool",
        default=True,
        help="Honour .gitignore files when listing a plain directory.",
    ),
    Option(
        section="scan",
        name="max_file_size",
        kind="int",
        default=10 * 1024 * 1024,
        help="Files larger than this many bytes are skipped and reported as skipped.",
    ),
    Option(
        section="scan",
        name="workers",
        kind="int",
        default=4,
        help="Controls of a stage that may run at the same time.",
    ),
    Option(
        section="scan",
        name="timeout",
        kind="float",
        default=600.0,
        help="Seconds a control may run before it is stopped and reported as timed out.",
    ),
    Option(
        section="scan",
        name="fail_fast",
        kind="bool",
        default=False,
        help="Stop after the first stage whose gate fails.",
    ),
    Option(
        section="gate",
        name="protected_branches",
        kind="list",
        default=["main", "master", "release/*"],
        help="Branch name patterns (fnmatch) on which HIGH findings block.",
    ),
    Option(
        section="gate",
        name="block",
        kind="severity",
        default="CRITICAL",
        help="New findings at or above this severity block on every branch ('none' to disable).",
    ),
    Option(
        section="gate",
        name="block_protected",
        kind="severity",
        default="HIGH",
        help="New findings at or above this severity block on protected branches.",
    ),
    Option(
        section="gate",
        name="warn",
        kind="severity",
        default="HIGH",
        help="New findings at or above this severity warn; lower ones are tracked.",
    ),
    Option(
        section="gate",
        name="new_only",
        kind="bool",
        default=True,
        help="Only findings absent from the baseline block; existing ones are reported.",
    ),
    Option(
        section="gate",
        name="control_errors",
        kind="choice",
        default="fail-protected",
        choices=CONTROL_ERROR_MODES,
        help="A control that crashes or times out: fail on protected branches and warn "
        "elsewhere (fail-protected), fail everywhere (fail), or warn (warn).",
    ),
    Option(
        section="gate",
        name="input_errors",
        kind="choice",
        default="warn",
        choices=INPUT_ERROR_MODES,
        help="A file a control could not read or parse: warn, fail-protected, fail or ignore.",
    ),
    Option(
        section="gate",
        name="transitive_block",
        kind="bool",
        default=False,
        help="Vulnerabilities in transitive dependencies also block on every branch "
        "(by default they block only on protected branches).",
    ),
    Option(
        section="exceptions",
        name="file",
        kind="path",
        default=".lockgate/exceptions.toml",
        help="The reviewed exceptions file (relative to the repository root).",
    ),
    Option(
        section="policy",
        name="dir",
        kind="path",
        default=".lockgate/policy",
        help="Directory of custom Rego policy modules (conftest conventions).",
    ),
    Option(
        section="policy",
        name="namespaces",
        kind="list",
        default=["main"],
        help="Rego packages to evaluate ('*' for every package found).",
    ),
    Option(
        section="output",
        name="formats",
        kind="list",
        default=["table"],
        help="Output formats, NAME or NAME=PATH (table, json, sarif, markdown, junit).",
    ),
)
OPTION_BY_KEY = {o.key: o for o in OPTIONS}
SECTIONS = ("scan", "gate", "exceptions", "policy", "output", "controls")
DEFAULT_OVERRIDES: dict[str, dict[str, str]] = {"kinds.secret": {"block": "LOW"}}
"""Built-in refinements: any committed credential blocks (ARCHITECTURE.md §1, code stage)."""
CONTROL_COMMON_KEYS = {"enabled": "bool", "timeout": "float"}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The effective configuration of a run."""

    values: Mapping[str, Any]
    gate: GatePolicy
    controls: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    source: Path | None = None
    root: Path = Path()
    origins: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def digest(self) -> str:
        """Digest of the effective configuration (recorded in every report)."""
        material = {
            "values": {k: _jsonable(v) for k, v in sorted(self.values.items())},
            "controls": {k: dict(v) for k, v in sorted(self.controls.items())},
            "gate": repr(self.gate),
        }
        return hashlib.sha256(
            json.dumps(material, sort_keys=True, default=str).encode()
        ).hexdigest()

    def path(self, key: str) -> Path:
        """A path setting resolved against the repository root."""
        value = Path(str(self.values[key]))
        return value if value.is_absolute() else self.root / value


def _jsonable(value: Any) -> Any:
    return (
        value if isinstance(value, (str, int, float, bool, list)) or value is None else str(value)
    )


class _Where:
    """Locates keys in the configuration text for error messages."""

    def __init__(self, path: Path | None, text: str, prefix: tuple[str, ...]) -> None:
        self.path = path
        self.text = text
        self.prefix = prefix

    def error(
        self, message: str, table: tuple[str, ...], key: str | None, hint: str | None = None
    ) -> ConfigError:
        line = None
        if self.path is not None:
            line = find_line(self.text, table, key, prefix=self.prefix)
        full = ".".join((*table, key) if key else table)
        return ConfigError(
            f"{message} (key '{full}')",
            path=str(self.path) if self.path else None,
            line=line,
            hint=hint,
        )


Fail = Callable[[str, str | None], ConfigError]
"""Builds the located error for a bad value: ``fail(message, hint)``."""
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _to_bool(_option: Option, value: Any, fail: Fail) -> bool:
    if isinstance(value, str) and value.lower() in (*_TRUE, *_FALSE):
        return value.lower() in _TRUE
    if not isinstance(value, bool):
        raise fail(f"expected true or false, got {value!r}", None)
    return value


def _to_int(_option: Option, value: Any, fail: Fail) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise fail(f"expected a positive integer, got {value!r}", None)
    return value


def _to_float(_option: Option, value: Any, fail: Fail) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise fail(f"expected a number of seconds, got {value!r}", None) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise fail(f"expected a positive number, got {value!r}", None)
    return float(value)


def _to_str(_option: Option, value: Any, fail: Fail) -> str:
    if not isinstance(value, str) or not value:
        raise fail(f"expected a non-empty string, got {value!r}", None)
    return value


def _to_list(_option: Option, value: Any, fail: Fail) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(f"expected a list of strings, got {value!r}", None)
    return list(value)


def _to_stages(option: Option, value: Any, fail: Fail) -> list[str]:
    stages = []
    for item in _to_list(option, value, fail):
        try:
            stages.append(Stage.parse(item).value)
        except ValueError:
            close = did_you_mean(item, Stage.choices())
            raise fail(
                f"unknown stage {item!r}",
                f"did you mean {close!r}?" if close else f"stages are {', '.join(Stage.choices())}",
            ) from None
    return stages


def _to_choice(option: Option, value: Any, fail: Fail) -> str:
    if value not in option.choices:
        close = did_you_mean(str(value), option.choices)
        raise fail(
            f"{value!r} is not one of {', '.join(option.choices)}",
            f"did you mean {close!r}?" if close else None,
        )
    return str(value)


def _to_severity(_option: Option, value: Any, fail: Fail) -> str:
    return _severity(value, fail)


_CONVERTERS: dict[str, Callable[[Option, Any, Fail], Any]] = {
    "bool": _to_bool,
    "int": _to_int,
    "float": _to_float,
    "str": _to_str,
    "path": _to_str,
    "list": _to_list,
    "stages": _to_stages,
    "severity": _to_severity,
    "choice": _to_choice,
}


def _convert(option: Option, value: Any, fail: Fail) -> Any:
    """Validate and normalise one value for ``option``; raise via ``fail`` otherwise."""
    return _CONVERTERS[option.kind](option, value, fail)


def _severity(value: Any, fail: Fail) -> str:
    if not isinstance(value, str):
        raise fail(f"expected a severity name, got {value!r}", None)
    if value.lower() in _NEVER:
        return "none"
    try:
        return Severity.parse(value).value
    except ValueError:
        choices = [*Severity.choices(), "none"]
        close = did_you_mean(value.upper(), choices)
        raise fail(
            f"{value!r} is not a severity ({', '.join(choices)})",
            f"did you mean {close!r}?" if close else None,
        ) from None


def _sev(value: str) -> Severity | None:
    return None if value == "none" else Severity.parse(value)


def find_config(start: Path) -> tuple[Path | None, Path]:
    """The configuration file for ``start`` and the repository root it applies to.

    Walks up from ``start`` to the git root (or the filesystem root) looking for
    ``lockgate.toml`` or a ``pyproject.toml`` with a ``[tool.lockgate]`` table.
    """
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate, directory
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and b"[tool.lockgate" in pyproject.read_bytes():
            return pyproject, directory
        if (directory / ".git").exists():
            return None, directory
    return None, here


def load_settings(
    start: Path,
    *,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Defaults, then the file, then ``LOCKGATE_*`` variables, then flags; all validated."""
    env = os.environ if env is None else env
    flags = flags or {}
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError("configuration file not found", path=str(config_file))
        path: Path | None = config_file
        root = config_file.resolve().parent
    else:
        path, root = find_config(start)
    values: dict[str, Any] = {o.key: o.default for o in OPTIONS}
    origins = dict.fromkeys(values, "default")
    overrides_raw: dict[str, dict[str, str]] = {k: dict(v) for k, v in DEFAULT_OVERRIDES.items()}
    controls: dict[str, dict[str, Any]] = {}
    if path is not None:
        data, where = _read(path)
        _apply_file(
            data, where, values=values, origins=origins, overrides=overrides_raw, controls=controls
        )
    for option in OPTIONS:
        if option.env in env:

            def fail(msg: str, hint: str | None, option: Option = option) -> ConfigError:
                return ConfigError(f"environment variable {option.env}: {msg}", hint=hint)

            values[option.key] = _convert(option, env[option.env], fail)
            origins[option.key] = f"env {option.env}"
    for key, value in flags.items():
        if value is None:
            continue
        option = OPTION_BY_KEY[key]

        def flag_fail(msg: str, hint: str | None, option: Option = option) -> ConfigError:
            return ConfigError(f"--{option.name.replace('_', '-')}: {msg}", hint=hint)

        values[key] = _convert(option, value, flag_fail)
        origins[key] = "flag"
    gate = GatePolicy(
        protected_branches=tuple(values["gate.protected_branches"]),
        thresholds=Thresholds(
            block=_sev(values["gate.block"]),
            block_protected=_sev(values["gate.block_protected"]),
            warn=_sev(values["gate.warn"]),
        ),
        overrides=tuple(
            _override(scope, levels) for scope, levels in sorted(overrides_raw.items())
        ),
        new_only=values["gate.new_only"],
        control_errors=values["gate.control_errors"],
        input_errors=values["gate.input_errors"],
        transitive_block=values["gate.transitive_block"],
    )
    return Settings(
        values=values, gate=gate, controls=controls, source=path, root=root, origins=origins
    )


def _read(path: Path) -> tuple[dict[str, Any], _Where]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration: {exc}", path=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = toml_error_position(exc)
        raise ConfigError(f"invalid TOML: {message}", path=str(path), line=line) from None
    if path.name == PYPROJECT:
        data = data.get("tool", {}).get("lockgate", {})
        return data, _Where(path, text, ("tool", "lockgate"))
    return data, _Where(path, text, ())


def _unknown(where: _Where, table: tuple[str, ...], key: str, choices: list[str]) -> ConfigError:
    close = did_you_mean(key, choices)
    hint = f"did you mean '{close}'?" if close else f"known keys: {', '.join(sorted(choices))}"
    return where.error("unknown key", table, key, hint)


def _apply_file(
    data: dict[str, Any],
    where: _Where,
    *,
    values: dict[str, Any],
    origins: dict[str, str],
    overrides: dict[str, dict[str, str]],
    controls: dict[str, dict[str, Any]],
) -> None:
    for section, body in data.items():
        if section not in SECTIONS:
            raise _unknown(where, (), section, list(SECTIONS))
        if not isinstance(body, dict):
            raise where.error("expected a table", (), section)
        if section == "controls":
            _apply_controls(body, where, controls)
            continue
        known = [o.name for o in OPTIONS if o.section == section]
        if section == "gate":
            known += ["stages", "kinds"]
        for key, value in body.items():
            if section == "gate" and key in ("stages", "kinds"):
                _apply_gate_scopes(key, value, where, overrides)
                continue
            if key not in known:
                raise _unknown(where, (section,), key, known)
            option = OPTION_BY_KEY[f"{section}.{key}"]

            def fail(
                msg: str, hint: str | None, section: str = section, key: str = key
            ) -> ConfigError:
                return where.error(msg, (section,), key, hint)

            values[option.key] = _convert(option, value, fail)
            origins[option.key] = str(where.path)


def _apply_levels(
    table: tuple[str, ...], body: Any, where: _Where, allow_kinds: bool
) -> tuple[dict[str, str], dict[str, Any]]:
    if not isinstance(body, dict):
        raise where.error("expected a table of thresholds", table[:-1], table[-1])
    levels: dict[str, str] = {}
    kinds: dict[str, Any] = {}
    choices = [*LEVELS, *(["kinds"] if allow_kinds else [])]
    for key, value in body.items():
        if allow_kinds and key == "kinds":
            if not isinstance(value, dict):
                raise where.error("expected a table of kinds", table, key)
            kinds = value
            continue
        if key not in LEVELS:
            raise _unknown(where, table, key, choices)

        def fail(msg: str, hint: str | None, key: str = key) -> ConfigError:
            return where.error(msg, table, key, hint)

        levels[key] = _severity(value, fail)
    return levels, kinds


def _apply_gate_scopes(
    scope: str, body: Any, where: _Where, overrides: dict[str, dict[str, str]]
) -> None:
    if not isinstance(body, dict):
        raise where.error("expected a table", ("gate",), scope)
    names = Stage.choices() if scope == "stages" else FindingKind.choices()
    for name, table_body in body.items():
        if name not in names:
            close = did_you_mean(name, names)
            raise where.error(
                f"unknown {scope[:-1]} {name!r}",
                ("gate", scope),
                name,
                f"did you mean '{close}'?" if close else f"choose from {', '.join(names)}",
            )
        levels, kinds = _apply_levels(
            ("gate", scope, name), table_body, where, allow_kinds=scope == "stages"
        )
        overrides.setdefault(f"{scope}.{name}", {}).update(levels)
        for kind, kind_body in kinds.items():
            if kind not in FindingKind.choices():
                close = did_you_mean(kind, FindingKind.choices())
                raise where.error(
                    f"unknown kind {kind!r}",
                    ("gate", scope, name, "kinds"),
                    kind,
                    f"did you mean '{close}'?" if close else None,
                )
            kind_levels, _ = _apply_levels(
                ("gate", scope, name, "kinds", kind), kind_body, where, allow_kinds=False
            )
            overrides.setdefault(f"stages.{name}.kinds.{kind}", {}).update(kind_levels)


def _override(scope: str, levels: Mapping[str, str]) -> ThresholdOverride:
    parts = scope.split(".")
    stage = kind = None
    if parts[0] == "stages":
        stage = Stage.parse(parts[1])
        if len(parts) == 4:
            kind = FindingKind.parse(parts[3])
    else:
        kind = FindingKind.parse(parts[1])
    return ThresholdOverride(
        stage=stage, kind=kind, levels=tuple(sorted((k, _sev(v)) for k, v in levels.items()))
    )


def _apply_controls(
    body: dict[str, Any], where: _Where, controls: dict[str, dict[str, Any]]
) -> None:
    for control_id, table in body.items():
        if not isinstance(table, dict):
            raise where.error("expected a table of control options", ("controls",), control_id)
        options = dict(table)
        for key, kind in CONTROL_COMMON_KEYS.items():
            if key in options:
                option = Option(section="controls", name=key, kind=kind, default=None, help="")

                def fail(
                    msg: str, hint: str | None, key: str = key, control_id: str = control_id
                ) -> ConfigError:
                    return where.error(msg, ("controls", control_id), key, hint)

                options[key] = _convert(option, options[key], fail)
        controls[control_id] = options


def check_control_options(settings: Settings, known: Mapping[str, frozenset[str] | None]) -> None:
    """Reject ``[controls.X]`` tables for unknown controls and unknown keys of known ones.

    ``known`` maps each installed control id to its accepted option names (None: any).
    """
    where = _Where(
        settings.source,
        settings.source.read_text(encoding="utf-8") if settings.source else "",
        ("tool", "lockgate") if settings.source and settings.source.name == PYPROJECT else (),
    )
    for control_id, options in settings.controls.items():
        if control_id not in known:
            raise _unknown(where, ("controls",), control_id, list(known))
        accepted = known[control_id]
        if accepted is None:
            continue
        allowed = set(accepted) | set(CONTROL_COMMON_KEYS)
        for key in options:
            if key not in allowed:
                raise _unknown(where, ("controls", control_id), key, sorted(allowed))


def render_default_toml(settings: Settings | None = None) -> str:
    """A commented ``lockgate.toml`` documenting every key with its default value."""
    lines = [
        "# lockgate configuration. Every key is optional; the values shown are the defaults.",
        "# Each key can also be set with LOCKGATE_<SECTION>_<KEY> or a command-line flag.",
        "# Docs: docs/configuration.md",
        "",
    ]
    values = settings.values if settings else {o.key: o.default for o in OPTIONS}
    for section in ("scan", "gate", "exceptions", "policy", "output"):
        lines.append(f"[{section}]")
        for option in (o for o in OPTIONS if o.section == section):
            lines.append(f"# {option.help}")
            lines.append(f"# env: {option.env}")
            lines.append(f"{option.name} = {_toml_value(values[option.key])}")
        if section == "gate":
            lines += [
                "",
                "# Refine thresholds per finding kind, per stage, or per kind within a stage.",
                "# Any committed credential blocks on every branch:",
                "[gate.kinds.secret]",
                'block = "LOW"',
                "",
                "# Example: block HIGH vulnerabilities everywhere in the build stage.",
                "# [gate.stages.build]",
                '# block = "HIGH"',
                "# [gate.stages.build.kinds.license]",
                '# block = "MEDIUM"',
            ]
        lines.append("")
    lines += [
        "# Per-control options: enabled, timeout (seconds), and the control's own keys.",
        "# [controls.secrets]",
        "# timeout = 120",
        "",
    ]
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    return json.dumps(str(value))
