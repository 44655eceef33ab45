"""Which rules to confirm in a buffer, and where: a hyperscan prefilter, or the keyword fallback.

Both engines answer the same question — which rules apply to the path, have a keyword in the
buffer and may match there — and the Python regexes in :mod:`matcher` always confirm, so both
give identical results. Hyperscan (:mod:`hyperscan_prefilter`) only makes the answer smaller
and cheaper; the keyword prefilter here needs nothing but the standard library.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from lockgate.scanners.secrets.matcher import rule_applies_to_path
from lockgate.scanners.secrets.rules import RuleSet, SecretRule

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Selection:
    """The rules worth confirming in a buffer (in rule order), and where."""

    rules: tuple[SecretRule, ...] = ()
    ends: Mapping[str, Sequence[int]] = field(default_factory=dict)
    """For line-scoped rules, by rule id: byte offsets at which a match of the regex may end.
    Only the lines holding them need confirming; a rule absent here is confirmed on every
    line holding one of its keywords."""
    ascii: bool | None = None
    """Whether the buffer is ASCII, when the prefilter had to find out (it is not looked at
    twice)."""


NOTHING = Selection()


class Prefilter(Protocol):
    """Selects the rules worth confirming in a buffer."""

    name: str

    def select(self, data: bytes, path: str) -> Selection:
        """Rules that apply to ``path``, have a keyword in ``data`` and may match there."""
        ...


class KeywordPrefilter:
    """Pure-Python path: a rule is a candidate when one of its keywords occurs (any case)."""

    name = "re"

    def __init__(self, rules: Sequence[SecretRule]) -> None:
        self.rules = tuple(rules)
        self._keywords = sorted({k.encode() for r in self.rules for k in r.keywords})
        self._rule_keywords = [tuple(k.encode() for k in r.keywords) for r in self.rules]

    def select(self, data: bytes, path: str) -> Selection:
        return Selection(rules=tuple(self.rules[i] for i in self.keyword_candidates(data, path)))

    def keyword_candidates(self, data: bytes, path: str) -> list[int]:
        """Indices of the rules applying to ``path`` with a keyword in ``data``."""
        lowered = data.lower()
        present = {k for k in self._keywords if k in lowered}
        return [
            i
            for i, (rule, keywords) in enumerate(zip(self.rules, self._rule_keywords, strict=True))
            if (not keywords or not present.isdisjoint(keywords))
            and rule_applies_to_path(rule, path)
        ]


SMALL_INPUT = 64 * 1024
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
    loading the hyperscan databases. ``cache_dir`` keeps compiled databases between runs.
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
    from lockgate.scanners.secrets.hyperscan_prefilter import hyperscan_prefilter

    return hyperscan_prefilter(rule_set, cache_dir)
