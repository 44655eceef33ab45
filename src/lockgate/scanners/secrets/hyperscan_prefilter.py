"""The hyperscan prefilter: which rules to confirm in a buffer, and on which lines.

Databases, compiled once per rule set, kept for the life of the process and cached on disk
by the rule-set digest:

* the *primary* database, scanned over every ASCII buffer: each keyword as a caseless
  literal, and the prefilter form (:func:`prefilter_pattern`) of the regex of every generic,
  key, URI and file-format rule keyed by an everyday word (see :data:`EVERYDAY_LETTERS`);
* one small *gated* database per other rule (provider tokens, rules keyed by long
  distinctive strings), scanned over a buffer only when one of that rule's keywords
  occurred in it;
* for buffers that are valid UTF-8 but not ASCII: a *keywords* database (the literals
  alone), then the same primary regexes and gated databases compiled in UTF-8 mode.

Line-scoped rules report every offset where a match may end, so that only those lines are
confirmed; other rules report whether they may match at all. Regex hits are trusted only
where hyperscan's semantics include Python's: byte mode on ASCII buffers, UTF-8 mode on
valid UTF-8 (``\\w``, ``\\s``, ``\\d`` and ``\\b`` are ASCII-only in both, see
:func:`lockgate.scanners.secrets.rules.compiled`). Keyword literals are exact on any bytes
(caseless for ASCII letters, exactly like ``bytes.lower()``). Rules restricted to ``paths``
are in no database: the few files they apply to are confirmed directly. Anything hyperscan
cannot vouch for (invalid UTF-8, a flood of matches, a regex it cannot compile) is left to
the keywords alone, which is slower and gives the same findings.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import hyperscan

from lockgate.scanners.secrets.engines import NOTHING, KeywordPrefilter, Selection
from lockgate.scanners.secrets.matcher import PathFilter, has_path_filter, path_filter
from lockgate.scanners.secrets.prefilter_patterns import MAX_PREFILTER_REPEAT, prefilter_pattern
from lockgate.scanners.secrets.rules import RuleSet, SecretRule

log = logging.getLogger(__name__)

PROVIDER_PRIORITY = 50
"""Provider token rules (this priority and above) are always gated: they are keyed by
product names and token prefixes, rare in ordinary files."""

EVERYDAY_LETTERS = 8
"""A keyword of at most this many letters (punctuation and digits aside) is an everyday
word (``key``, ``-pass``, ``value:``, ``://``): the rules below :data:`PROVIDER_PRIORITY`
keyed by one sit in the primary database, since gating them would send most buffers
through a second pass. Rules with only longer keywords (``kind: secret``, ``db_password``,
``awstemplateformatversion``) are gated. The split only affects speed, never results."""

CACHE_LAYOUT = "8"
"""Version of the database layout and of :func:`prefilter_pattern`, part of the cache
directory name: bump it when either changes."""

_NOT_A_LETTER = re.compile(r"[^a-z]")
_PRIMARY, _GATED = 1, 2


def _everyday(rule: SecretRule) -> bool:
    return rule.priority < PROVIDER_PRIORITY and any(
        len(_NOT_A_LETTER.sub("", k)) <= EVERYDAY_LETTERS for k in rule.keywords
    )


@dataclass(frozen=True)
class _Layout:
    """Where each rule's regex lives, and the ids the databases report."""

    rules: tuple[SecretRule, ...]
    keywords: tuple[str, ...]
    keyword_rules: tuple[tuple[int, ...], ...]
    """Rule indices per keyword; database id ``len(rules) + k`` is keyword ``k``."""
    keywordless: tuple[int, ...]
    primary: frozenset[int]
    gated: frozenset[int]
    in_database: frozenset[int]
    place: tuple[int, ...]
    """Per rule: 0 in no database (path rules), 1 primary, 2 gated."""
    line: tuple[bool, ...]
    filtered: frozenset[int]
    """Rules with path filters."""
    path_group: dict[int, int]
    """For rules with path filters: the index of their filter in ``path_filters`` (rules
    with the same filters share it: decided once per path)."""
    path_filters: tuple[PathFilter, ...]
    checked_later: frozenset[int] = frozenset()
    """Keywords (indices) that only primary rules use: left out of the primary database,
    since such a rule needs its regex to fire anyway; its keywords are then checked in the
    buffer itself (fewer literals and far fewer match events per scan)."""
    keyword_bytes: tuple[tuple[bytes, ...], ...] = ()
    """Per rule: its keywords as bytes, for that check."""
    keyword_rules_unprimed: tuple[tuple[int, ...], ...] = ()
    """Per keyword: its rules outside the primary database. When no primary regex fired in
    a buffer, no primary rule can be kept, so only these need choosing."""
    keywordless_gate: PathFilter | None = None
    """Admits every path some rule without keywords may apply to (all such rules have
    ``paths``): most paths are turned away by one search. ``None``: every path is tried."""

    @classmethod
    def of(cls, rules: Sequence[SecretRule]) -> _Layout:
        rules = tuple(rules)
        keywords = tuple(sorted({k for r in rules for k in r.keywords}))
        index = {k: i for i, k in enumerate(keywords)}
        per_keyword: list[list[int]] = [[] for _ in keywords]
        for i, rule in enumerate(rules):
            for k in set(rule.keywords):
                per_keyword[index[k]].append(i)
        place = tuple(0 if r.paths else _PRIMARY if _everyday(r) else _GATED for r in rules)
        groups: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
        for rule in rules:
            if has_path_filter(rule):
                groups.setdefault((rule.paths, rule.exclude_paths), len(groups))
        return cls(
            rules=rules,
            keywords=keywords,
            keyword_rules=tuple(tuple(sorted(ids)) for ids in per_keyword),
            keywordless=tuple(i for i, r in enumerate(rules) if not r.keywords),
            primary=frozenset(i for i, p in enumerate(place) if p == _PRIMARY),
            gated=frozenset(i for i, p in enumerate(place) if p == _GATED),
            in_database=frozenset(i for i, p in enumerate(place) if p),
            place=place,
            line=tuple(r.scope == "line" for r in rules),
            filtered=frozenset(i for i, r in enumerate(rules) if has_path_filter(r)),
            path_group={
                i: groups[(r.paths, r.exclude_paths)]
                for i, r in enumerate(rules)
                if has_path_filter(r)
            },
            path_filters=tuple(path_filter(*key) for key in groups),
            checked_later=frozenset(
                k
                for k, ids in enumerate(per_keyword)
                if ids and all(place[i] == _PRIMARY for i in ids)
            ),
            keyword_bytes=tuple(tuple(k.encode() for k in r.keywords) for r in rules),
            keyword_rules_unprimed=tuple(
                tuple(i for i in sorted(ids) if place[i] != _PRIMARY) for ids in per_keyword
            ),
            keywordless_gate=_any_path_of([r for r in rules if not r.keywords]),
        )


def _any_path_of(rules: Sequence[SecretRule]) -> PathFilter | None:
    """A filter admitting the paths any of ``rules`` may apply to, when all have ``paths``."""
    if not rules or not all(r.paths for r in rules):
        return None
    return path_filter(tuple(sorted({p for r in rules for p in r.paths})), ())


class _Hits:
    """Match events of one scan, (id, end offset) pairs, with a ceiling."""

    __slots__ = ("events", "limit")

    def __init__(self, limit: int) -> None:
        self.events: list[tuple[int, int]] = []
        self.limit = limit


def _on_match(ident: int, start: int, end: int, flags: int, hits: _Hits) -> bool:  # noqa: ARG001
    events = hits.events
    events.append((ident, end))
    return len(events) > hits.limit  # True stops the scan: too many to be worth it


_PATHS_REMEMBERED = 1 << 16

_EVENTS_PER_BUFFER = 4096
_BYTES_PER_EVENT = 16
"""A scan stops after 4096 events plus one per 16 bytes: beyond that, hyperscan would cost
more than confirming every keyword line."""


class HyperscanPrefilter:
    """One primary scan per buffer; more only where keywords say so."""

    name = "hyperscan"

    def __init__(self, layout: _Layout, databases: _Databases) -> None:
        self._layout = layout
        self.rules = layout.rules
        self._count = len(layout.rules)
        self._keywords = KeywordPrefilter(self.rules)
        self._databases = databases
        self._scratch: dict[int, Any] = {}
        """Scratch space per database (by identity): one prefilter runs in one thread."""
        self._keywordless_cache: dict[str, tuple[int, ...]] = {}

    def _scan(self, database: Any, data: bytes) -> list[tuple[int, int]] | None:
        """Events of one scan; ``None`` when there is nothing to vouch for the buffer: no
        database (hyperscan could not compile it), or the scan stopped at the ceiling."""
        if database is None:
            return None
        scratch = self._scratch.get(id(database))
        if scratch is None:
            scratch = self._scratch[id(database)] = hyperscan.Scratch(database)
        hits = _Hits(_EVENTS_PER_BUFFER + len(data) // _BYTES_PER_EVENT)
        try:
            database.scan(data, match_event_handler=_on_match, context=hits, scratch=scratch)
        except hyperscan.ScanTerminated:
            return None
        return hits.events

    def select(self, data: bytes, path: str) -> Selection:
        databases = self._databases
        ascii_ = data.isascii()
        # Non-ASCII buffers: the regexes run in UTF-8 mode below, so only keywords now.
        events = self._scan(databases.primary if ascii_ else databases.keywords(), data)
        if events is None:  # no database, or a flood of matches: the keywords alone decide
            return self._keywords.select(data, path)
        layout = self._layout
        chosen, regex_events = self._chosen(events, path, data if ascii_ else None)
        if not chosen:
            return NOTHING
        unsure = chosen.intersection(databases.primary_failing) if ascii_ else set()
        if not ascii_ and not chosen.isdisjoint(layout.in_database):
            # Regexes in UTF-8 mode, on valid UTF-8 only (else keywords decide).
            if not _valid_utf8(data):
                return Selection(rules=tuple(self.rules[i] for i in sorted(chosen)), ascii=False)
            regex_events = []
            if not chosen.isdisjoint(layout.primary):
                primary_utf8, failing = databases.primary_utf8()
                more = self._scan(primary_utf8, data)
                if more is None:
                    return Selection(
                        rules=tuple(self.rules[i] for i in sorted(chosen)), ascii=False
                    )
                regex_events = more
                unsure = chosen.intersection(failing)
        for i in chosen.intersection(layout.gated):
            more = self._scan(databases.gated(i, utf8=not ascii_), data)
            if more is None:
                unsure.add(i)
            else:
                regex_events += more
        return self._narrow(sorted(chosen), regex_events, unsure, ascii_)

    def _chosen(
        self, events: list[tuple[int, int]], path: str, primary_data: bytes | None
    ) -> tuple[set[int], list[tuple[int, int]]]:
        """Rules with a keyword in the buffer that apply to ``path``, and the regex events.

        ``primary_data``: the buffer, when ``events`` come from the primary database, which
        leaves out the keywords only primary rules use; those rules are checked here, for
        their keywords, when their regex fired or hyperscan cannot vouch for them."""
        layout = self._layout
        count = self._count
        regex_events = [e for e in events if e[0] < count]
        keyword_rules = layout.keyword_rules
        if primary_data is not None and not regex_events and not self._databases.primary_failing:
            keyword_rules = layout.keyword_rules_unprimed  # no primary rule can be kept
        chosen: set[int] = set()
        for ident, _ in events:
            if ident >= count:
                chosen.update(keyword_rules[ident - count])
        if primary_data is not None:
            maybe = {e[0] for e in regex_events}.union(self._databases.primary_failing)
            maybe.difference_update(chosen)
            if maybe:
                lowered = primary_data.lower()
                keyword_bytes = layout.keyword_bytes
                chosen.update(i for i in maybe if any(k in lowered for k in keyword_bytes[i]))
        filtered = chosen.intersection(layout.filtered)
        chosen.update(self._keywordless_for(path))
        if filtered:
            path_group, path_filters = layout.path_group, layout.path_filters
            chosen.difference_update(
                [i for i in filtered if not _admits(path_filters[path_group[i]], path)]
            )
        return chosen, regex_events

    def _keywordless_for(self, path: str) -> tuple[int, ...]:
        """The rules without keywords (path rules: ``.pgpass``, ``master.key``…) that apply
        to ``path``, remembered per path: every buffer would otherwise check them all."""
        known = self._keywordless_cache.get(path)
        if known is None:
            layout = self._layout
            gate = layout.keywordless_gate
            known = (
                ()
                if gate is not None and not gate.admits(path)
                else tuple(
                    i
                    for i in layout.keywordless
                    if i not in layout.filtered
                    or _admits(layout.path_filters[layout.path_group[i]], path)
                )
            )
            if len(self._keywordless_cache) >= _PATHS_REMEMBERED:
                self._keywordless_cache.clear()
            self._keywordless_cache[path] = known
        return known

    def _narrow(
        self, candidates: list[int], events: list[tuple[int, int]], unsure: set[int], ascii_: bool
    ) -> Selection:
        layout = self._layout
        fired: dict[int, list[int]] = {}
        for ident, end in events:
            fired.setdefault(ident, []).append(end)
        place, line, rules = layout.place, layout.line, layout.rules
        kept = [i for i in candidates if not place[i] or i in fired or i in unsure]
        if not kept:
            return NOTHING
        ends = {rules[i].id: fired[i] for i in kept if line[i] and i in fired and i not in unsure}
        return Selection(rules=tuple(rules[i] for i in kept), ends=ends, ascii=ascii_)


@lru_cache(maxsize=1 << 16)
def _admits(path_filter: PathFilter, path: str) -> bool:
    """``path_filter.admits(path)``, remembered: history scans see each path many times."""
    return path_filter.admits(path)


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _Databases:
    """The compiled databases of one rule set, shared by every prefilter of the process
    (scratch spaces are not: each prefilter has its own). Only the primary database is
    loaded up front; the others on first use.

    Each database is checked against its rules' own positive examples when loaded (see
    :func:`_failing_rules`): a rule it misses is left to the keywords."""

    def __init__(self, layout: _Layout, cache: _Cache) -> None:
        self._layout = layout
        self._cache = cache
        self.primary = _or_none(
            "primary",
            lambda: cache.database(
                "primary",
                lambda: _compile(
                    _regexes(layout, sorted(layout.primary), utf8=False)
                    + _literals(layout, skip=layout.checked_later)
                ),
            ),
        )
        self.primary_failing = _failing_rules(self.primary, layout, layout.primary)
        self._lock = threading.Lock()
        """Databases load once even when several scanning threads first need them at once
        (a scratch space is keyed by its database's identity)."""
        self._keywords: Any = None
        self._keywords_loaded = False
        self._primary_utf8: tuple[Any, frozenset[int]] | None = None
        self._gated = {
            False: _GatedDatabases(layout, cache, utf8=False),
            True: _GatedDatabases(layout, cache, utf8=True),
        }

    def keywords(self) -> Any:
        if self._keywords_loaded:
            return self._keywords
        with self._lock:
            return self._load_keywords()

    def _load_keywords(self) -> Any:
        if not self._keywords_loaded:
            layout, cache = self._layout, self._cache
            self._keywords = _or_none(
                "keywords", lambda: cache.database("keywords", lambda: _compile(_literals(layout)))
            )
            self._keywords_loaded = True
        return self._keywords

    def primary_utf8(self) -> tuple[Any, frozenset[int]]:
        """The primary rules' regexes in UTF-8 mode, and the rules it fails."""
        if self._primary_utf8 is not None:
            return self._primary_utf8
        with self._lock:
            return self._load_primary_utf8()

    def _load_primary_utf8(self) -> tuple[Any, frozenset[int]]:
        if self._primary_utf8 is None:
            layout, cache = self._layout, self._cache
            db = _or_none(
                "primary-utf8",
                lambda: cache.database(
                    "primary-utf8",
                    lambda: _compile(_regexes(layout, sorted(layout.primary), utf8=True)),
                ),
            )
            self._primary_utf8 = (db, _failing_rules(db, layout, layout.primary))
        return self._primary_utf8

    def gated(self, rule: int, *, utf8: bool) -> Any:
        return self._gated[utf8].get(rule)


def _or_none(name: str, load: Callable[[], Any]) -> Any:
    """A database, or ``None`` when hyperscan cannot compile it."""
    try:
        return load()
    except hyperscan.error as exc:
        log.warning("no %s hyperscan database (keywords decide instead): %s", name, exc)
        return None


_FILLER = "x" * 40
"""Example variants: an example alone, after other lines, before other lines."""


def _failing_rules(db: Any, layout: _Layout, indices: Iterable[int]) -> frozenset[int]:
    """The rules among ``indices`` whose own positive examples ``db`` misses, alone or
    among other lines: a line-scoped rule must report an end on every line where its regex
    matches, another rule must fire at all.

    Hyperscan builds can miss plain matches (vectorscan 5.4.12 on AVX-512 misses ``aa``
    after 16 other bytes for ``[a-c]=*a``); the shipped rules pass, but a rule that does not
    is confirmed on keywords alone rather than silently losing findings.
    """
    if db is None:
        return frozenset()
    scratch = hyperscan.Scratch(db)
    failing = set()
    for i in indices:
        rule = layout.rules[i]
        for example in rule.example_positives:
            for text in (
                example,
                f"{_FILLER}\n{example}",
                f"{example}\n{_FILLER}",
                f" {example}\n",
            ):
                expected = _lines_matching(rule, text)
                if not expected:
                    continue
                data = text.encode()
                hits = _Hits(_EVENTS_PER_BUFFER + len(data))
                with contextlib.suppress(hyperscan.ScanTerminated):
                    db.scan(data, match_event_handler=_on_match, context=hits, scratch=scratch)
                lines = {
                    data.count(b"\n", 0, max(end - 1, 0))
                    for ident, end in hits.events
                    if ident == i
                }
                if not (expected <= lines if layout.line[i] else lines):
                    failing.add(i)
    if failing:
        log.warning(
            "hyperscan misses examples of %s; keywords decide for them",
            ", ".join(sorted(layout.rules[i].id for i in failing)),
        )
    return frozenset(failing)


def _lines_matching(rule: SecretRule, text: str) -> set[int]:
    """0-based lines where the rule's regex matches (each line on its own, for a line-scoped
    rule; ``{0}`` for a match anywhere, for another)."""
    regex = rule.regex
    if rule.scope != "line":
        return {0} if any(m.group("secret") for m in regex.finditer(text)) else set()
    found, start = set(), 0
    for n, line in enumerate(text.split("\n")):
        if any(m.group("secret") for m in regex.finditer(text, start, start + len(line))):
            found.add(n)
        start += len(line) + 1
    return found


class _GatedDatabases:
    """One small database per gated rule, for one mode, each compiled (and cached) on first
    use: a run pays only for the rules whose keywords it meets."""

    def __init__(self, layout: _Layout, cache: _Cache, *, utf8: bool) -> None:
        self._layout = layout
        self._cache = cache
        self._utf8 = utf8
        self._name = "gated-utf8" if utf8 else "gated"
        self._loaded: dict[int, Any] = {}
        self._lock = threading.Lock()

    def get(self, rule: int) -> Any:
        """The rule's database; ``None`` when hyperscan cannot compile it or misses the
        rule's own examples."""
        if rule in self._loaded:
            return self._loaded[rule]
        with self._lock:
            if rule not in self._loaded:
                name = f"{self._name}/{rule:04d}-{self._layout.rules[rule].id}"
                db = self._cache.database(name, lambda: self._compile(rule))
                self._loaded[rule] = None if _failing_rules(db, self._layout, [rule]) else db
            return self._loaded[rule]

    def _compile(self, rule: int) -> Any:
        try:
            return _compile(_regexes(self._layout, [rule], utf8=self._utf8, limit=GATED_REPEAT))
        except hyperscan.error as exc:  # e.g. a pattern hyperscan cannot take in UTF-8 mode
            log.debug("no prefilter database for rule %s: %s", self._layout.rules[rule].id, exc)
            return None


# -- compiling and caching ------------------------------------------------------------------


def _regex_flags(rule: SecretRule, *, utf8: bool) -> int:
    flags = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_ALLOWEMPTY
    if rule.scope != "line":
        flags |= hyperscan.HS_FLAG_SINGLEMATCH
    # Line-scoped rules report every end offset, so that only those lines are confirmed.
    # (Without anchors, see prefilter_pattern, a line on its own and the whole buffer agree.)
    if utf8:
        flags |= hyperscan.HS_FLAG_UTF8
    return int(flags)


def _regexes(
    layout: _Layout, indices: Sequence[int], *, utf8: bool, limit: int = MAX_PREFILTER_REPEAT
) -> list[tuple[int, bytes, int]]:
    rules = layout.rules
    return [
        (
            i,
            prefilter_pattern(rules[i].pattern, limit, line=rules[i].scope == "line").encode(),
            _regex_flags(rules[i], utf8=utf8),
        )
        for i in indices
    ]


GATED_REPEAT = 256
"""Counted repeats kept up to this length in the one-rule gated databases: they are scanned
only where their keywords occur, so a closer superset (``EAA[A-Za-z0-9]{100,}`` rather than
``{16,}``) saves confirming large files for nothing; in the databases scanned over every
buffer, long repeats cost more than they save."""


def _literals(layout: _Layout, skip: frozenset[int] = frozenset()) -> list[tuple[int, bytes, int]]:
    flags = int(hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH)
    base = len(layout.rules)
    return [
        (base + k, _escape_literal(kw), flags)
        for k, kw in enumerate(layout.keywords)
        if k not in skip
    ]


def _escape_literal(keyword: str) -> bytes:
    """The keyword's UTF-8 bytes as a pattern: ASCII letters and digits as they are (so that
    they match in any case), every other byte escaped."""
    return b"".join(
        bytes([b]) if chr(b).isalnum() and b < 0x80 else b"\\x%02x" % b for b in keyword.encode()
    )


def _compile(expressions: list[tuple[int, bytes, int]]) -> Any:
    if not expressions:
        return None
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[e for _, e, _ in expressions],
        ids=[i for i, _, _ in expressions],
        elements=len(expressions),
        flags=[f for _, _, f in expressions],
    )
    return db


class _Cache:
    """Serialised databases under ``cache_dir/secrets``, named by rule-set digest."""

    def __init__(self, rule_set: RuleSet, cache_dir: Path | None) -> None:
        version = getattr(hyperscan, "__version__", "unknown")
        # The whole digest counts: a rule set with rules disabled or added has the digest of
        # the shipped rules followed by what changed.
        name = hashlib.sha256(rule_set.digest.encode()).hexdigest()[:32]
        stem = f"hs-{version}-{CACHE_LAYOUT}-{name}"
        self._dir = cache_dir / "secrets" / stem if cache_dir is not None else None

    def database(self, name: str, build: Callable[[], Any]) -> Any:
        """A database from the cache, or built (and cached) now. ``None``: hyperscan cannot
        compile it (remembered as an empty file)."""
        if self._dir is None:
            return build()
        path = self._dir / f"{name}.db"
        with contextlib.suppress(OSError, hyperscan.error):
            blob = path.read_bytes()
            return hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK) if blob else None
        db = build()
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hs-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"" if db is None else hyperscan.dumpb(db))
            os.replace(tmp, path)
        return db


_SHARED: dict[tuple[str, str], tuple[_Layout, _Databases]] = {}
_SHARED_LOCK = threading.Lock()
_SHARED_MAX = 4


def hyperscan_prefilter(rule_set: RuleSet, cache_dir: Path | None) -> HyperscanPrefilter:
    """The hyperscan prefilter for ``rule_set``: its databases are compiled (or read from
    ``cache_dir``) once per process. A regex hyperscan cannot compile, even in prefilter
    mode, leaves its database out: the buffers it would have covered are left to keywords."""
    key = (rule_set.digest, str(cache_dir))
    with _SHARED_LOCK:
        shared = _SHARED.get(key)
        if shared is None:
            if len(_SHARED) >= _SHARED_MAX:
                _SHARED.pop(next(iter(_SHARED)))
            shared = _SHARED[key] = _databases(rule_set, cache_dir)
    return HyperscanPrefilter(*shared)


def forget_databases() -> None:
    """Drop the databases held by this process (the next prefilter reads the disk cache)."""
    with _SHARED_LOCK:
        _SHARED.clear()


def _databases(rule_set: RuleSet, cache_dir: Path | None) -> tuple[_Layout, _Databases]:
    layout = _Layout.of(rule_set.rules)
    return layout, _Databases(layout, _Cache(rule_set, cache_dir))
