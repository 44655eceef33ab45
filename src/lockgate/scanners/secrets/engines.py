"""Which rules to confirm in a buffer: a hyperscan prefilter, or the keyword fallback.

Both engines answer the same question — which rules have a keyword in the buffer and might
match — and the Python regexes in :mod:`matcher` always confirm. They give identical
results: hyperscan compiles every rule regex in prefilter mode (a superset of its matches)
plus each keyword as a caseless literal, and is only trusted on ASCII buffers, where its
byte semantics equal Python's ``re.ASCII`` semantics. Other buffers take the keyword path.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from lockgate.scanners.secrets.rules import RuleSet, SecretRule

log = logging.getLogger(__name__)


class Prefilter(Protocol):
    """Selects the rules worth confirming in a buffer."""

    name: str

    def candidates(self, data: bytes) -> list[SecretRule]:
        """Rules whose keyword occurs in ``data`` and whose regex may match, in rule order."""
        ...


class KeywordPrefilter:
    """Pure-Python path: a rule is a candidate when one of its keywords occurs (any case)."""

    name = "re"

    def __init__(self, rules: Sequence[SecretRule]) -> None:
        self.rules = tuple(rules)
        self._keywords = sorted({k.encode() for r in self.rules for k in r.keywords})

    def candidates(self, data: bytes) -> list[SecretRule]:
        lowered = data.lower()
        present = {k.decode() for k in self._keywords if k in lowered}
        return [r for r in self.rules if not r.keywords or any(k in present for k in r.keywords)]


class HyperscanPrefilter:
    """One hyperscan database for the rule set: regexes in prefilter mode, keyword literals."""

    name = "hyperscan"

    def __init__(self, rules: Sequence[SecretRule], database: Any) -> None:
        import hyperscan

        self.rules = tuple(rules)
        self._keywords = sorted({k for r in self.rules for k in r.keywords})
        keyword_base = len(self.rules)
        kw_index = {k: keyword_base + i for i, k in enumerate(self._keywords)}
        self._rule_keywords = [frozenset(kw_index[k] for k in r.keywords) for r in self.rules]
        self._keywordless = [i for i, r in enumerate(self.rules) if not r.keywords]
        self._db = database
        self._db.scratch = hyperscan.Scratch(self._db)

    def candidates(self, data: bytes) -> list[SecretRule]:
        hits: set[int] = set()

        def on_match(ident: int, start: int, end: int, flags: int, context: object) -> int:  # noqa: ARG001
            hits.add(ident)
            return 0

        self._db.scan(data, match_event_handler=on_match)
        if not hits:
            return []
        # Keyword literals are exact on any bytes (caseless for ASCII letters, exactly like
        # ``bytes.lower()``); the regex prefilter is only trusted on ASCII buffers.
        count = len(self.rules)
        chosen = sorted(i for i in hits if i < count) if data.isascii() else range(count)
        keywords = self._rule_keywords
        return [
            self.rules[i] for i in chosen if not keywords[i] or not hits.isdisjoint(keywords[i])
        ]


MAX_PREFILTER_REPEAT = 16
"""Counted repeats above this are widened for hyperscan (see :func:`prefilter_pattern`)."""


def prefilter_pattern(pattern: str, limit: int = MAX_PREFILTER_REPEAT) -> str:
    """A cheaper superset of ``pattern`` for hyperscan: every counted repeat ``{m}``,
    ``{m,n}`` or ``{m,}`` becomes ``{min(m, limit),}``.

    Large bounded repeats make hyperscan's compile time and database size explode (a PEM
    block of up to 8 KiB took minutes). Any string matching ``x{m,n}`` also matches
    ``x{min(m,limit),}``, so the rewritten pattern still prefilters correctly: Python's
    regex confirms the exact bounds afterwards.
    """
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]" or (bool(out) and out[-1] in ("[", "[^"))
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
            out.append(char)
            i += 1
            continue
        if char == "{":
            close = pattern.find("}", i)
            body = pattern[i + 1 : close] if close != -1 else ""
            low, sep, _high = body.partition(",")
            if close != -1 and low.isdigit() and (not sep or _high == "" or _high.isdigit()):
                out.append(f"{{{min(int(low), limit)},}}")
                i = close + 1
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _compile_hyperscan(rules: Sequence[SecretRule]) -> Any:
    import hyperscan

    keywords = sorted({k for r in rules for k in r.keywords})
    regex_flags = (
        hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
    )
    literal_flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH
    expressions = [prefilter_pattern(r.regex.pattern).encode() for r in rules]
    expressions += [_escape_literal(k) for k in keywords]
    flags = [regex_flags] * len(rules) + [literal_flags] * len(keywords)
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=expressions,
        ids=list(range(len(expressions))),
        elements=len(expressions),
        flags=flags,
    )
    return db


def _escape_literal(keyword: str) -> bytes:
    return "".join(c if c.isalnum() else f"\\x{ord(c):02x}" for c in keyword).encode()


def _cached_database(rule_set: RuleSet, cache_dir: Path | None) -> Any:
    import hyperscan

    if cache_dir is None:
        return _compile_hyperscan(rule_set.rules)
    version = getattr(hyperscan, "__version__", "unknown")
    path = cache_dir / "secrets" / f"hs-{version}-{rule_set.digest[:32]}.db"
    with contextlib.suppress(OSError, hyperscan.error):
        return hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
    db = _compile_hyperscan(rule_set.rules)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hs-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(hyperscan.dumpb(db))
        os.replace(tmp, path)
    return db


SMALL_INPUT = 2 * 1024 * 1024
"""Below this many bytes in scope the keyword prefilter is faster than loading hyperscan."""


def build_prefilter(
    rule_set: RuleSet,
    *,
    engine: str = "auto",
    cache_dir: Path | None = None,
    input_size: int | None = None,
) -> Prefilter:
    """The fastest available prefilter (``auto``), or the one asked for (``hyperscan``, ``re``).

    ``input_size``: the bytes about to be scanned, when known; for small inputs (a pre-commit
    change) ``auto`` takes the keyword prefilter, which gives the same results without
    loading the hyperscan database.
    """
    small = input_size is not None and input_size < SMALL_INPUT
    if engine == "re" or (engine == "auto" and small):
        return KeywordPrefilter(rule_set.rules)
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        if engine == "hyperscan":
            raise
        log.debug("hyperscan is not installed; using the keyword prefilter")
        return KeywordPrefilter(rule_set.rules)
    return HyperscanPrefilter(rule_set.rules, _cached_database(rule_set, cache_dir))
