"""Severity of an advisory: from its CVSS vectors (v4 preferred, then v3.x, then v2), else
from the database's own severity word, else UNKNOWN."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from lockgate.model import Severity

_WORDS = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "important": Severity.HIGH,
    "moderate": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "negligible": Severity.LOW,
    "none": Severity.INFO,
    "informational": Severity.INFO,
}
_PREFERENCE = {"CVSS_V4": 0, "CVSS_V3": 1, "CVSS_V2": 2}


@dataclass(frozen=True, slots=True)
class Rating:
    """The severity lockgate assigns and where it came from."""

    severity: Severity
    score: float | None = None
    vector: str | None = None
    source: str = "none"  # "CVSS_V4", "CVSS_V3", "CVSS_V2", "database", "none"


def from_score(score: float) -> Severity:
    """CVSS v3/v4 qualitative rating scale."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.INFO


@lru_cache(maxsize=8192)
def score_vector(kind: str, vector: str) -> float | None:
    """The base score of a CVSS vector, or None when it does not parse."""
    import cvss  # type: ignore[import-untyped]

    try:
        if kind == "CVSS_V4":
            return float(cvss.CVSS4(vector).base_score)
        if kind == "CVSS_V3":
            return float(cvss.CVSS3(vector).scores()[0])
        if kind == "CVSS_V2":
            return float(cvss.CVSS2(vector).scores()[0])
    except (cvss.CVSSError, ValueError, KeyError, IndexError, TypeError):
        return None
    return None


def rate(severity: Iterable[tuple[str, str]], database_severity: str | None = None) -> Rating:
    """The rating from OSV ``severity`` (type, vector) pairs and ``database_specific``."""
    for kind, vector in sorted(severity, key=lambda pair: _PREFERENCE.get(pair[0], 9)):
        if kind not in _PREFERENCE:
            continue
        score = score_vector(kind, vector)
        if score is not None:
            return Rating(from_score(score), score, vector, kind)
    if database_severity:
        word = _WORDS.get(database_severity.strip().lower())
        if word is not None:
            return Rating(word, source="database")
    return Rating(Severity.UNKNOWN)
