"""The license policy of [controls.licenses]: validation users see, and how it judges."""

from __future__ import annotations

from typing import Any

import pytest

from lockgate.inventory.licenses import normalize_license
from lockgate.model import Severity
from lockgate.scanners.licenses.categories import LicenseCategory
from lockgate.scanners.licenses.policy import LicensePolicy, Outcome, PolicyOptionError


def judge(raw: str, **options: Any) -> Outcome:
    tree = normalize_license(raw).tree
    assert tree is not None
    return LicensePolicy.from_options(options).judge(tree).outcome


def test_defaults_deny_nothing_and_review_strong_network_and_proprietary() -> None:
    assert judge("MIT") is Outcome.OK
    assert judge("LGPL-2.1-only") is Outcome.OK
    assert judge("MPL-2.0") is Outcome.OK
    assert judge("GPL-3.0-only") is Outcome.REVIEW
    assert judge("AGPL-3.0-or-later") is Outcome.REVIEW
    assert judge("UNLICENSED") is Outcome.REVIEW
    assert judge("Acme Corp License") is Outcome.UNKNOWN


def test_a_choice_is_judged_by_its_best_option() -> None:
    assert judge("MIT OR GPL-3.0-only") is Outcome.OK
    assert judge("MIT OR GPL-3.0-only", deny=["MIT"]) is Outcome.REVIEW
    assert judge("MIT OR Acme-Custom") is Outcome.OK


def test_a_combination_is_judged_by_its_worst_part() -> None:
    assert judge("MIT AND GPL-3.0-only") is Outcome.REVIEW
    assert judge("MIT AND GPL-3.0-only", deny=["GPL-3.0-only"]) is Outcome.DENIED
    assert judge("MIT AND Acme-Custom") is Outcome.UNKNOWN


def test_deny_entries_and_globs() -> None:
    assert judge("GPL-2.0-or-later", deny=["GPL-*"]) is Outcome.DENIED
    assert judge("LGPL-2.1-only", deny=["GPL-*"]) is Outcome.OK
    assert judge("lgpl-2.1-only", deny=["*GPL*"]) is Outcome.DENIED
    assert judge("MPL-2.0", deny=["mpl-2.0"]) is Outcome.DENIED


def test_a_bare_gnu_id_covers_only_and_or_later() -> None:
    assert judge("GPL-3.0-or-later", deny=["GPL-3.0"]) is Outcome.DENIED
    assert judge("GPL-3.0-only", deny=["GPL-3.0"]) is Outcome.DENIED
    assert judge("GPL-3.0-or-later", deny=["GPL-3.0-only"]) is Outcome.REVIEW


def test_common_spellings_are_accepted_in_lists() -> None:
    assert judge("Apache-2.0", deny=["Apache License 2.0"]) is Outcome.DENIED
    assert judge("GPL-2.0-or-later", deny=["GPLv2+"]) is Outcome.DENIED


def test_an_allow_list_reports_everything_else_as_not_allowed() -> None:
    allow = ["MIT", "Apache-2.0", "BSD-*"]
    assert judge("MIT", allow=allow) is Outcome.OK
    assert judge("BSD-2-Clause", allow=allow) is Outcome.OK
    assert judge("ISC", allow=allow) is Outcome.NOT_ALLOWED
    assert judge("ISC OR MIT", allow=allow) is Outcome.OK
    assert judge("ISC AND MIT", allow=allow) is Outcome.NOT_ALLOWED
    assert judge("Acme Corp License", allow=allow) is Outcome.UNKNOWN


def test_an_explicit_allow_wins_over_a_reviewed_category() -> None:
    assert judge("GPL-3.0-only", allow=["GPL-3.0-only"]) is Outcome.OK
    assert judge("LicenseRef-Acme", allow=["LicenseRef-Acme"]) is Outcome.OK


def test_deny_wins_over_review_over_allow() -> None:
    assert judge("MIT", allow=["MIT"], deny=["MIT"]) is Outcome.DENIED
    assert judge("MIT", allow=["MIT"], review=["MIT"]) is Outcome.REVIEW


def test_a_license_with_an_exception_can_be_allowed_on_its_own() -> None:
    raw = "GPL-2.0-only WITH Classpath-exception-2.0"
    assert judge(raw) is Outcome.OK  # weak copyleft by the exception
    assert judge(raw, deny=["GPL-2.0-only"]) is Outcome.DENIED
    assert judge(raw, deny=["GPL-2.0-only"], allow=[raw]) is Outcome.OK


def test_categories_can_be_denied_or_reviewed() -> None:
    assert judge("AGPL-3.0-only", deny_categories=["network-copyleft"]) is Outcome.DENIED
    assert judge("LGPL-3.0-only", review_categories=["weak-copyleft"]) is Outcome.REVIEW
    assert judge("GPL-3.0-only", review_categories=[]) is Outcome.OK
    assert judge("Acme Corp License", deny_categories=["unknown"]) is Outcome.DENIED


def test_unknown_severity_and_none() -> None:
    assert LicensePolicy.from_options({}).unknown is Severity.LOW
    assert LicensePolicy.from_options({"unknown": "medium"}).unknown is Severity.MEDIUM
    assert LicensePolicy.from_options({"unknown": "none"}).unknown is None
    assert judge("Acme Corp License", unknown="none") is Outcome.OK


def test_the_judgement_says_why_and_on_which_licenses() -> None:
    tree = normalize_license("MIT AND GPL-3.0-only").tree
    assert tree is not None
    judgement = LicensePolicy.from_options({"deny": ["GPL-*"]}).judge(tree)
    assert "GPL-3.0-only" in judgement.reason and "'GPL-*'" in judgement.reason
    assert [str(t) for t in judgement.terms] == ["GPL-3.0-only", "MIT"]
    assert judgement.category is LicenseCategory.STRONG_COPYLEFT


def test_a_comma_separated_string_is_a_list() -> None:
    assert judge("ISC", allow="MIT, ISC") is Outcome.OK
    assert judge("AGPL-3.0-only", deny_categories="network-copyleft") is Outcome.DENIED


def test_engine_keys_are_accepted() -> None:
    LicensePolicy.from_options({"enabled": True, "timeout": 30.0})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"denny": ["MIT"]}, r"no option 'denny' \(did you mean 'deny'\?\)"),
        ({"deny": "MIT, Acme"}, r"'Acme' is not an SPDX license id"),
        ({"deny": 5}, r"deny must be a list"),
        ({"deny": [5]}, r"entries must be SPDX license ids or globs, not 5"),
        ({"allow": ["MTI"]}, r"'MTI' is not an SPDX license id \(did you mean 'MIT'\?\)"),
        ({"allow": ["MIT OR Apache-2.0"]}, r"is not a single license"),
        ({"review": ["BSD"]}, r"'BSD' is ambiguous.*'BSD-\*'"),
        ({"deny_categories": ["copyleft"]}, r"'copyleft' is not a license category"),
        ({"review_categories": "strong"}, r"'strong' is not a license category"),
        ({"unknown": "loud"}, r"unknown: 'loud' is not a valid severity"),
        ({"unknown": 3}, r"unknown must be a severity name"),
    ],
)
def test_bad_options_are_clear_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyOptionError, match=message):
        LicensePolicy.from_options(options)
