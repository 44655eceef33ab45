"""The reviewed exceptions file, ``.lockgate/exceptions.toml``: loading and matching.

Each ``[[exception]]`` waives the findings that match *all* of its matchers (fingerprint, rule
glob, path glob, purl, advisory id), carries a reason and an owner, and may expire. Loading is
strict: a typo must not silently turn a suppression into a no-op, or worse into a wildcard.
An expired exception stops suppressing; one that matches nothing is stale (ARCHITECTURE.md §6).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lockgate.errors import ConfigError
from lockgate.model import ExceptionEntry, Finding
from lockgate.model.globs import glob_match
from lockgate.tomlsource import did_you_mean, find_line, toml_error_position

TABLE = "exception"
MATCHERS = ("fingerprint", "rule", "path", "purl", "advisory")
_TEXT_KEYS = ("id", *MATCHERS, "reason", "owner", "approver")
KEYS = (*_TEXT_KEYS, "expires")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EXAMPLE = (
    '[[exception]]\nrule = "secrets/generic-*"\npath = "tests/fixtures/**"\n'
    'reason = "test fixture, not a real key"\nowner = "alice@example.com"\nexpires = 2027-01-31'
)


def load_exceptions(path: Path) -> tuple[ExceptionEntry, ...]:
    """Every entry of an exceptions file, validated; no file means no exceptions."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the exceptions file: {exc}", path=str(path)) from None
    return parse_exceptions(text, source=path)


def parse_exceptions(text: str, *, source: Path) -> tuple[ExceptionEntry, ...]:
    """Entries of exceptions-file ``text``; errors name ``source`` and the offending line."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = toml_error_position(exc)
        raise ConfigError(
            f"invalid TOML: {message}",
            path=str(source),
            line=line,
            hint="see https://toml.io for the syntax",
        ) from None
    loader = _Loader(text, source)
    return loader.load(document)


class _Loader:
    """Validates a parsed exceptions document, locating each problem in the text."""

    def __init__(self, text: str, source: Path) -> None:
        self.text = text
        self.source = source

    def error(
        self,
        message: str,
        table: tuple[str | int, ...],
        key: str | None = None,
        *,
        hint: str | None = None,
    ) -> ConfigError:
        line = find_line(self.text, table, key)
        if line is None and key is not None:
            line = find_line(self.text, table)
        return ConfigError(message, path=str(self.source), line=line, hint=hint)

    def load(self, document: Mapping[str, Any]) -> tuple[ExceptionEntry, ...]:
        for key in document:
            if key != TABLE:
                close = did_you_mean(key, [TABLE])
                raise self.error(
                    f"unknown top-level key '{key}' in the exceptions file",
                    (),
                    key,
                    hint=f"did you mean '[[{close}]]'?"
                    if close
                    else f"each exception is an [[{TABLE}]] table, e.g.\n{_EXAMPLE}",
                )
        raw = document.get(TABLE, [])
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise self.error(
                f"'{TABLE}' must be an array of tables",
                (),
                TABLE,
                hint=f"write each entry as [[{TABLE}]], e.g.\n{_EXAMPLE}",
            )
        entries: list[ExceptionEntry] = []
        seen: dict[str, int] = {}
        for index, table in enumerate(raw):
            entry = self.entry(index, table)
            if entry.id in seen:
                raise self.error(
                    f"duplicate exception id '{entry.id}' (also used by entry "
                    f"#{seen[entry.id] + 1})",
                    (TABLE, index),
                    "id" if "id" in table else None,
                    hint="give every exception a unique id",
                )
            seen[entry.id] = index
            entries.append(entry)
        return tuple(entries)

    def entry(self, index: int, table: Mapping[str, Any]) -> ExceptionEntry:
        where: tuple[str | int, ...] = (TABLE, index)
        for key in table:
            if key not in KEYS:
                close = did_you_mean(key, KEYS)
                raise self.error(
                    f"unknown key '{key}' in exception #{index + 1}",
                    where,
                    key,
                    hint=f"did you mean '{close}'?" if close else f"known keys: {', '.join(KEYS)}",
                )
        values: dict[str, str] = {}
        for key in _TEXT_KEYS:
            if key in table:
                value = table[key]
                if not isinstance(value, str) or not value.strip():
                    raise self.error(
                        f"'{key}' of exception #{index + 1} must be a non-empty "
                        f"string, got {value!r}",
                        where,
                        key,
                    )
                values[key] = value.strip()
        for key in ("reason", "owner"):
            if key not in values:
                raise self.error(
                    f"exception #{index + 1} has no '{key}'",
                    where,
                    hint="every exception needs a reason and an owner who answers for it",
                )
        if not any(key in values for key in MATCHERS):
            raise self.error(
                f"exception #{index + 1} has no matcher",
                where,
                hint=f"set at least one of {', '.join(MATCHERS)}; an exception without one "
                "would waive everything",
            )
        purl = values.get("purl")
        if purl is not None and not purl.startswith("pkg:"):
            raise self.error(
                f"'purl' of exception #{index + 1} is not a package URL: {purl!r}",
                where,
                "purl",
                hint='write it like "pkg:pypi/django"',
            )
        expires = self.expiry(index, table.get("expires")) if "expires" in table else None
        return ExceptionEntry(
            id=values.get("id", f"{self.source.name}#{index + 1}"),
            reason=values["reason"],
            owner=values["owner"],
            fingerprint=values.get("fingerprint"),
            rule=values.get("rule"),
            path=values.get("path"),
            purl=purl,
            advisory=values.get("advisory"),
            approver=values.get("approver"),
            expires=expires,
            source=str(self.source),
            line=find_line(self.text, (TABLE, index)),
        )

    def expiry(self, index: int, value: object) -> dt.date:
        """A TOML date or an ISO ``YYYY-MM-DD`` string; anything else is an error."""
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and _DATE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.error(
            f"'expires' of exception #{index + 1} is not a valid date: {value!r}",
            (TABLE, index),
            "expires",
            hint="write a date like expires = 2027-01-31",
        )


def matches(entry: ExceptionEntry, finding: Finding) -> bool:
    """Whether every matcher the entry sets matches the finding (matchers combine with AND)."""
    if entry.fingerprint is not None and entry.fingerprint != finding.fingerprint:
        return False
    if entry.rule is not None and not _rule_matches(entry.rule, finding):
        return False
    if entry.path is not None and (
        finding.location is None or not glob_match(finding.location.path, entry.path)
    ):
        return False
    if entry.purl is not None and not _purl_matches(entry.purl, finding):
        return False
    return entry.advisory is None or _advisory_matches(entry.advisory, finding)


def _rule_matches(pattern: str, finding: Finding) -> bool:
    """The finding's rule id, or a namespaced rule id among its identifiers: a finding that
    two engines reported (semgrep+bandit) answers to ``bandit/B608`` as well."""
    return any(
        fnmatch.fnmatchcase(rule_id, pattern)
        for rule_id in (finding.rule_id, *finding.identifiers)
        if "/" in rule_id
    )


def _purl_matches(pattern: str, finding: Finding) -> bool:
    """Without a version: any version of the package; with ``@version``: that version only."""
    component = finding.component
    if component is None:
        return False
    if _has_version(pattern):
        return unquote(_strip_qualifiers(pattern)) == unquote(_strip_qualifiers(component.purl))
    return unquote(_strip_qualifiers(pattern)) == unquote(component.purl_without_version)


def _strip_qualifiers(purl: str) -> str:
    return purl.split("?", 1)[0].split("#", 1)[0]


def _has_version(purl: str) -> bool:
    _, sep, tail = _strip_qualifiers(purl).rpartition("@")
    return bool(sep) and "/" not in tail


def _advisory_matches(advisory: str, finding: Finding) -> bool:
    wanted = advisory.casefold()
    if finding.rule_id.rsplit("/", 1)[-1].casefold() == wanted:
        return True
    return any(identifier.casefold() == wanted for identifier in finding.identifiers)


class ExceptionMatcher:
    """Applies entries to the findings of one run and remembers what each entry did.

    Build one per run: it records which entries suppressed something, which matched only
    while expired (their findings count again and the gate reports them), and which matched
    nothing at all (stale).
    """

    def __init__(self, entries: Iterable[ExceptionEntry], *, today: dt.date) -> None:
        self.entries = tuple(entries)
        self.today = today
        self._used: set[int] = set()
        self._expired_hits: set[int] = set()

    def match(self, finding: Finding) -> ExceptionEntry | None:
        """The first non-expired entry that matches ``finding``, or ``None``."""
        chosen: ExceptionEntry | None = None
        for position, entry in enumerate(self.entries):
            if not matches(entry, finding):
                continue
            if entry.expired(self.today):
                self._expired_hits.add(position)
            else:
                self._used.add(position)
                if chosen is None:
                    chosen = entry
        return chosen

    def _select(self, positions: Iterable[int]) -> tuple[ExceptionEntry, ...]:
        wanted = set(positions)
        return tuple(e for i, e in enumerate(self.entries) if i in wanted)

    @property
    def used(self) -> tuple[ExceptionEntry, ...]:
        """Entries that suppressed at least one finding, in file order."""
        return self._select(self._used)

    @property
    def expired(self) -> tuple[ExceptionEntry, ...]:
        """Expired entries that matched findings: those findings are no longer waived."""
        return self._select(self._expired_hits)

    @property
    def stale(self) -> tuple[ExceptionEntry, ...]:
        """Entries that matched no finding at all, expired or not: candidates for removal."""
        hit = self._used | self._expired_hits
        return self._select(i for i in range(len(self.entries)) if i not in hit)
