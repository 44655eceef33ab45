"""Severity scales of other tools mapped onto lockgate's (UNKNOWN < INFO < … < CRITICAL).

The mapping each importer uses is documented in its module; these are the shared pieces:
CVSS scores and vectors on the CVSS v3/v4 qualitative scale, and the severity words tools
write (``moderate``, ``negligible``, ``informational``, …).
"""

from __future__ import annotations

from functools import lru_cache

from lockgate.model import Confidence, Severity

WORDS = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "important": Severity.HIGH,
    "error": Severity.HIGH,
    "moderate": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "warning": Severity.MEDIUM,
    "low": Severity.LOW,
    "negligible": Severity.LOW,
    "minor": Severity.LOW,
    "info": Severity.INFO,
    "informational": Severity.INFO,
    "information": Severity.INFO,
    "none": Severity.INFO,
    "unknown": Severity.UNKNOWN,
    "undefined": Severity.UNKNOWN,
}


def from_word(word: object, default: Severity = Severity.UNKNOWN) -> Severity:
    """The severity a tool's word means (case-insensitive), else ``default``."""
    if not isinstance(word, str):
        return default
    return WORDS.get(word.strip().lower(), default)


def from_score(score: float) -> Severity:
    """CVSS v3/v4 qualitative rating: 9.0 critical, 7.0 high, 4.0 medium, above 0 low."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.INFO


def parse_score(value: object) -> float | None:
    """A CVSS score from a number or numeric text, None when absent or out of 0..10."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        score = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return score if 0.0 <= score <= 10.0 else None


@lru_cache(maxsize=4096)
def score_vector(vector: str) -> float | None:
    """The base score of a CVSS v2, v3.x or v4 vector, None when it does not parse."""
    import cvss  # type: ignore[import-untyped]

    text = vector.strip()
    try:
        if text.startswith("CVSS:4."):
            return float(cvss.CVSS4(text).base_score)
        if text.startswith("CVSS:3."):
            return float(cvss.CVSS3(text).scores()[0])
        if text.startswith(("AV:", "(AV:")):
            return float(cvss.CVSS2(text.strip("()")).scores()[0])
    except (cvss.CVSSError, ValueError, KeyError, IndexError, TypeError):
        return None
    return None


_CONFIDENCE = {
    "certain": Confidence.HIGH,
    "confirmed": Confidence.HIGH,
    "very-high": Confidence.HIGH,
    "very high": Confidence.HIGH,
    "high": Confidence.HIGH,
    "firm": Confidence.MEDIUM,
    "medium": Confidence.MEDIUM,
    "tentative": Confidence.LOW,
    "low": Confidence.LOW,
    "very-low": Confidence.LOW,
    "very low": Confidence.LOW,
}


def confidence_from(word: object, default: Confidence = Confidence.MEDIUM) -> Confidence:
    """The confidence a tool's word means (``HIGH``, ``very-high``, ``tentative``, …)."""
    if not isinstance(word, str):
        return default
    return _CONFIDENCE.get(word.strip().lower(), default)
