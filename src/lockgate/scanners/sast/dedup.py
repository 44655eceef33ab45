"""Cross-tool dedup: when semgrep and bandit report the same weakness at the same place,
the developer sees one finding that names both tools.

Same place: the same file, and bandit's line is semgrep's start line or lies within
semgrep's range (or semgrep's start lies within bandit's). Same weakness: the CWEs agree
after widening each to its family (CWE-78 and CWE-77 are both command injection; CWE-259
and CWE-798 are both hard-coded credentials), using for bandit the class its test really
detects (``yaml.load`` is CWE-502 though bandit says CWE-20).

The merged finding keeps semgrep's rule id, fingerprint, title, description, remediation
and location (the richer report), takes the higher severity and confidence, lists both
rule ids as identifiers, and has ``engine = semgrep+bandit``. Either tool's inline
waiver (``nosemgrep``, ``# nosec``) waives it: the developer sees one finding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from lockgate.model import Finding, pairs
from lockgate.scanners.sast._bandit_tests import describe
from lockgate.scanners.sast._findings import BANDIT, SEMGREP

MERGED = f"{SEMGREP}+{BANDIT}"

_FAMILIES: tuple[frozenset[int], ...] = (
    frozenset({77, 78, 88}),  # OS command / argument injection
    frozenset({89, 564}),  # SQL injection
    frozenset({94, 95, 96, 1336}),  # code / template injection
    frozenset({502}),  # deserialisation of untrusted data
    frozenset({22, 23, 36, 73}),  # path traversal
    frozenset({79, 80, 116}),  # cross-site scripting, output encoding
    frozenset({611, 776, 827}),  # XML external entities
    frozenset({295, 297}),  # certificate validation
    frozenset({326, 327, 328, 757, 916}),  # weak cryptography, weak hashes
    frozenset({330, 338}),  # insufficient randomness
    frozenset({259, 321, 522, 798}),  # hard-coded credentials
    frozenset({215, 489}),  # debug features left enabled
    frozenset({918}),  # server-side request forgery
    frozenset({601}),  # open redirect
)
_FAMILY_OF = {cwe: family for family in _FAMILIES for cwe in family}


def _number(cwe: str) -> int | None:
    digits = cwe.upper().removeprefix("CWE-")
    return int(digits) if digits.isdigit() else None


def weakness_classes(cwes: Iterable[str]) -> frozenset[int]:
    """Every CWE number in the families of ``cwes``."""
    out: set[int] = set()
    for cwe in cwes:
        number = _number(cwe)
        if number is not None:
            out |= _FAMILY_OF.get(number, frozenset({number}))
    return frozenset(out)


def _bandit_classes(finding: Finding) -> frozenset[int]:
    test = describe(finding.rule_id.removeprefix("bandit/"))
    detects = test.detects if test is not None else ()
    return weakness_classes((*finding.cwe, *detects))


def _lines(finding: Finding) -> tuple[int, int]:
    loc = finding.location
    if loc is None or loc.start_line is None:
        return 0, 0
    return loc.start_line, max(loc.end_line or loc.start_line, loc.start_line)


def same_place(semgrep: Finding, bandit: Finding) -> bool:
    """Same file, and the start lines coincide or one lies within the other's range."""
    if semgrep.location is None or bandit.location is None:
        return False
    if semgrep.location.path != bandit.location.path:
        return False
    s_start, s_end = _lines(semgrep)
    b_start, b_end = _lines(bandit)
    if not s_start or not b_start:
        return False
    return s_start == b_start or s_start <= b_start <= s_end or b_start <= s_start <= b_end


def same_weakness(semgrep: Finding, bandit: Finding) -> bool:
    """The CWEs agree once widened to their families."""
    return bool(weakness_classes(semgrep.cwe) & _bandit_classes(bandit))


def _engine(finding: Finding) -> str:
    return finding.prop("engine") or ""


def merge(semgrep: Finding, bandits: Sequence[Finding]) -> Finding:
    """One finding for a semgrep finding and the bandit findings that report the same."""
    everything = (semgrep, *bandits)
    severity = max(f.severity for f in everything)
    confidence = max(everything, key=lambda f: _CONFIDENCE_RANK[f.confidence.value]).confidence
    properties = dict(semgrep.properties)
    properties["engine"] = MERGED
    properties["bandit_tests"] = ",".join(
        sorted({f.rule_id.removeprefix("bandit/") for f in bandits})
    )
    properties.pop("bandit_test", None)
    markers = sorted({m for m in (f.prop("suppressed") for f in everything) if m})
    if markers:
        properties["suppressed"] = "; ".join(markers)
    identifiers = sorted({i for f in everything for i in (f.rule_id, *f.identifiers)})
    references = tuple(dict.fromkeys(r for f in everything for r in f.references))
    return dataclasses.replace(
        semgrep,
        severity=severity,
        confidence=confidence,
        cwe=semgrep.cwe or tuple(dict.fromkeys(c for f in bandits for c in f.cwe)),
        identifiers=tuple(identifiers),
        references=references,
        properties=pairs(properties),
    )


_CONFIDENCE_RANK = {"UNKNOWN": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}


def _closeness(semgrep: Finding, bandit: Finding) -> tuple[int, int]:
    """Lower is a better partner: same start line first, then the narrower semgrep range."""
    s_start, s_end = _lines(semgrep)
    b_start, _ = _lines(bandit)
    return (0 if s_start == b_start else 1, s_end - s_start)


def dedup(findings: Sequence[Finding]) -> list[Finding]:
    """Merge each bandit finding into the semgrep finding reporting the same weakness at
    the same place (the closest one when several do); everything else is kept as is."""
    semgrep = [f for f in findings if _engine(f) == SEMGREP]
    by_path: dict[str, list[int]] = {}
    for index, finding in enumerate(semgrep):
        if finding.location is not None:
            by_path.setdefault(finding.location.path, []).append(index)
    partners: dict[int, list[Finding]] = {}
    rest: list[Finding] = []
    for finding in findings:
        if _engine(finding) == SEMGREP:
            continue
        if _engine(finding) != BANDIT or finding.location is None:
            rest.append(finding)
            continue
        candidates = [
            i
            for i in by_path.get(finding.location.path, [])
            if same_place(semgrep[i], finding) and same_weakness(semgrep[i], finding)
        ]
        if not candidates:
            rest.append(finding)
            continue
        best = min(candidates, key=lambda i: (_closeness(semgrep[i], finding), i))
        partners.setdefault(best, []).append(finding)
    merged = [merge(f, partners[i]) if i in partners else f for i, f in enumerate(semgrep)]
    return sorted([*merged, *rest])
