from __future__ import annotations

import pytest

from lockgate.model import Severity
from lockgate.scanners.sca.severity import from_score, rate


@pytest.mark.parametrize(
    ("score", "severity"),
    [
        (9.8, Severity.CRITICAL),
        (9.0, Severity.CRITICAL),
        (7.5, Severity.HIGH),
        (4.0, Severity.MEDIUM),
        (3.9, Severity.LOW),
        (0.0, Severity.INFO),
    ],
)
def test_cvss_scale(score: float, severity: Severity) -> None:
    assert from_score(score) is severity


def test_v3_vector_gives_score_and_severity() -> None:
    rating = rate([("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")])
    assert rating.severity is Severity.CRITICAL
    assert rating.score == 9.8
    assert rating.source == "CVSS_V3"


def test_v4_preferred_over_v3() -> None:
    rating = rate(
        [
            ("CVSS_V3", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"),
            ("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
        ]
    )
    assert rating.source == "CVSS_V4"
    assert rating.severity is Severity.CRITICAL


def test_unparsable_vector_falls_back_to_database_severity() -> None:
    rating = rate([("CVSS_V3", "CVSS:3.1/garbage")], "MODERATE")
    assert rating.severity is Severity.MEDIUM
    assert rating.source == "database"


def test_no_data_is_unknown() -> None:
    assert rate([]).severity is Severity.UNKNOWN
    assert rate([], "weird").severity is Severity.UNKNOWN
