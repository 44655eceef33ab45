"""The reviewed exceptions file: strict loading with located errors, and matching."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lockgate.errors import ConfigError
from lockgate.model import (
    Component,
    ExceptionEntry,
    Finding,
    FindingKind,
    Location,
    Severity,
    Stage,
)
from lockgate.policy.exceptions import ExceptionMatcher, load_exceptions, matches

FP = "0123456789abcdef0123456789abcdef"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".lockgate" / "exceptions.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_exceptions(path)
    assert info.value.path == str(path)
    assert info.value.exit_code == 2
    return info.value


def finding(
    *,
    rule_id: str = "secrets/generic-api-key",
    path: str | None = "src/app.py",
    fingerprint: str = FP,
    purl: str | None = None,
    identifiers: tuple[str, ...] = (),
) -> Finding:
    component = None
    if purl is not None:
        component = Component(purl=purl, name=purl.rsplit("/", 1)[-1].split("@")[0])
    return Finding(
        kind=FindingKind.SECRET,
        rule_id=rule_id,
        title="a finding",
        severity=Severity.HIGH,
        fingerprint=fingerprint,
        control_id="secrets",
        control_version="1",
        stage=Stage.CODE,
        location=Location(path=path, start_line=3) if path is not None else None,
        component=component,
        identifiers=identifiers,
    )


def entry(
    *,
    rule: str | None = None,
    path: str | None = None,
    fingerprint: str | None = None,
    purl: str | None = None,
    advisory: str | None = None,
) -> ExceptionEntry:
    return ExceptionEntry(
        id="EXC-1",
        reason="because",
        owner="alice@example.com",
        rule=rule,
        path=path,
        fingerprint=fingerprint,
        purl=purl,
        advisory=advisory,
    )


# -- loading -----------------------------------------------------------------------------


def test_a_missing_file_means_no_exceptions(tmp_path: Path) -> None:
    assert load_exceptions(tmp_path / "nope.toml") == ()


def test_loads_every_field_and_defaults_the_id_to_file_and_position(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f'''
# reviewed in PR #12
[[exception]]
id = "EXC-1"
rule = "secrets/generic-*"
path = "tests/fixtures/**"
fingerprint = "{FP}"
purl = "pkg:pypi/django"
advisory = "CVE-2024-1234"
reason = "test fixture, not a real key"
owner = "alice@example.com"
approver = "bob@example.com"
expires = 2027-01-31

[[exception]]
rule = "sast/*"
reason = "generated code"
owner = "carol@example.com"
expires = "2026-06-30"
''',
    )
    first, second = load_exceptions(path)
    assert first == ExceptionEntry(
        id="EXC-1",
        rule="secrets/generic-*",
        path="tests/fixtures/**",
        fingerprint=FP,
        purl="pkg:pypi/django",
        advisory="CVE-2024-1234",
        reason="test fixture, not a real key",
        owner="alice@example.com",
        approver="bob@example.com",
        expires=dt.date(2027, 1, 31),
        source=str(path),
        line=3,
    )
    assert second.id == "exceptions.toml#2"
    assert second.expires == dt.date(2026, 6, 30)
    assert second.line == 15


def test_an_empty_file_has_no_exceptions(tmp_path: Path) -> None:
    assert load_exceptions(write(tmp_path, "# nothing waived yet\n")) == ()


def test_invalid_toml_reports_tomls_own_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, '[[exception]]\nrule = "a/*"\nreason = oops\n')
    assert error.line == 3
    assert "invalid TOML" in error.message
    assert "column" in error.message


def test_unknown_key_names_the_line_and_suggests_the_right_one(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """[[exception]]
rule = "a/*"
reason = "r"
owner = "o"

[[exception]]
rule = "b/*"
reasn = "typo"
owner = "o"
""",
    )
    assert error.line == 8
    assert "reasn" in error.message
    assert error.hint is not None
    assert "reason" in error.hint


def test_unknown_top_level_key_suggests_the_exception_table(tmp_path: Path) -> None:
    error = load_error(tmp_path, 'version = 1\n[[exceptions]]\nrule = "a/*"\n')
    assert error.line == 1
    error = load_error(tmp_path, '[[exceptions]]\nrule = "a/*"\n')
    assert error.line == 1
    assert error.hint is not None
    assert "[[exception]]" in error.hint


def test_a_single_table_instead_of_an_array_is_an_error(tmp_path: Path) -> None:
    error = load_error(tmp_path, '[exception]\nrule = "a/*"\nreason = "r"\nowner = "o"\n')
    assert error.line == 1
    assert "array of tables" in error.message


@pytest.mark.parametrize(
    "value", ['"2027-13-45"', "5", '"next year"', "2027-01-31T10:00:00", '"20270131"', "10:00:00"]
)
def test_bad_expiry_dates_are_errors_on_their_line(tmp_path: Path, value: str) -> None:
    error = load_error(
        tmp_path, f'[[exception]]\nrule = "a/*"\nreason = "r"\nowner = "o"\nexpires = {value}\n'
    )
    assert error.line == 5
    assert "expires" in error.message
    assert error.hint is not None
    assert "2027-01-31" in error.hint


@pytest.mark.parametrize("missing", ["reason", "owner"])
def test_reason_and_owner_are_required(tmp_path: Path, missing: str) -> None:
    fields = {"rule": '"a/*"', "reason": '"r"', "owner": '"o"'}
    del fields[missing]
    body = "".join(f"{k} = {v}\n" for k, v in fields.items())
    error = load_error(
        tmp_path, f'[[exception]]\nrule = "x/*"\nreason = "r"\nowner = "o"\n\n[[exception]]\n{body}'
    )
    assert error.line == 6
    assert f"no '{missing}'" in error.message
    assert "#2" in error.message


def test_a_blank_reason_is_not_a_reason(tmp_path: Path) -> None:
    error = load_error(tmp_path, '[[exception]]\nrule = "a/*"\nreason = "  "\nowner = "o"\n')
    assert error.line == 3
    assert "non-empty" in error.message


def test_non_string_values_are_errors(tmp_path: Path) -> None:
    error = load_error(tmp_path, '[[exception]]\nrule = ["a/*"]\nreason = "r"\nowner = "o"\n')
    assert error.line == 2
    assert "'rule'" in error.message


def test_an_exception_without_a_matcher_would_waive_everything(tmp_path: Path) -> None:
    error = load_error(tmp_path, '[[exception]]\nid = "X"\nreason = "r"\nowner = "o"\n')
    assert error.line == 1
    assert "no matcher" in error.message
    assert error.hint is not None
    assert "fingerprint" in error.hint


def test_duplicate_ids_point_at_the_second_one(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """[[exception]]
id = "EXC-1"
rule = "a/*"
reason = "r"
owner = "o"

[[exception]]
id = "EXC-1"
rule = "b/*"
reason = "r"
owner = "o"
""",
    )
    assert error.line == 8
    assert "duplicate" in error.message
    assert "EXC-1" in error.message


def test_a_purl_must_be_a_package_url(tmp_path: Path) -> None:
    error = load_error(tmp_path, '[[exception]]\npurl = "django"\nreason = "r"\nowner = "o"\n')
    assert error.line == 2
    assert error.hint is not None
    assert "pkg:pypi/django" in error.hint


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.toml"
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ConfigError):
        load_exceptions(path)


# -- matching ----------------------------------------------------------------------------


def test_rule_globs_match_rule_ids() -> None:
    assert matches(entry(rule="secrets/generic-*"), finding())
    assert matches(entry(rule="secrets/*"), finding())
    assert not matches(entry(rule="secrets/aws-*"), finding())
    assert not matches(entry(rule="generic-api-key"), finding())


def test_a_finding_two_engines_reported_answers_to_either_rule_id() -> None:
    merged = finding(
        rule_id="sast/lockgate.python.sql-injection.tainted-sql",
        identifiers=(
            "bandit/B608",
            "CVE-2024-0001",
            "sast/lockgate.python.sql-injection.tainted-sql",
        ),
    )
    assert matches(entry(rule="bandit/B608"), merged)
    assert matches(entry(rule="bandit/*"), merged)
    assert matches(entry(rule="sast/lockgate.python.*"), merged)
    assert not matches(entry(rule="bandit/B602"), merged)
    assert not matches(entry(rule="CVE-*"), merged)  # advisories are matched by `advisory`


def test_path_globs_match_the_location() -> None:
    assert matches(entry(path="src/**"), finding(path="src/deep/app.py"))
    assert matches(entry(path="tests/fixtures/**"), finding(path="tests/fixtures/keys/a.pem"))
    assert not matches(entry(path="tests/**"), finding(path="src/app.py"))


def test_a_path_matcher_never_matches_a_finding_without_location() -> None:
    assert not matches(entry(path="**"), finding(path=None, purl="pkg:pypi/django@4.2"))


def test_fingerprints_match_exactly() -> None:
    assert matches(entry(fingerprint=FP), finding())
    assert not matches(entry(fingerprint=FP[:-1] + "0"), finding())


def test_a_purl_without_version_matches_every_version() -> None:
    pattern = entry(purl="pkg:pypi/django")
    assert matches(pattern, finding(purl="pkg:pypi/django@4.2.1"))
    assert matches(pattern, finding(purl="pkg:pypi/django@5.0"))
    assert not matches(pattern, finding(purl="pkg:pypi/django-extensions@5.0"))
    assert not matches(pattern, finding())  # no component at all


def test_a_purl_with_version_matches_that_version_only() -> None:
    pattern = entry(purl="pkg:pypi/django@4.2.1")
    assert matches(pattern, finding(purl="pkg:pypi/django@4.2.1"))
    assert not matches(pattern, finding(purl="pkg:pypi/django@4.2.2"))


def test_purls_match_regardless_of_qualifiers_and_percent_encoding() -> None:
    assert matches(
        entry(purl="pkg:npm/@angular/core"), finding(purl="pkg:npm/%40angular/core@17.0.0")
    )
    assert matches(
        entry(purl="pkg:deb/debian/openssl@3.0.11"),
        finding(purl="pkg:deb/debian/openssl@3.0.11?arch=amd64"),
    )


def test_advisories_match_rule_suffix_or_aliases_case_insensitively() -> None:
    vuln = finding(rule_id="vuln/GHSA-aaaa-bbbb-cccc", identifiers=("CVE-2024-1234",))
    assert matches(entry(advisory="ghsa-aaaa-bbbb-cccc"), vuln)
    assert matches(entry(advisory="cve-2024-1234"), vuln)
    assert not matches(entry(advisory="CVE-2024-9999"), vuln)


def test_every_set_matcher_must_match() -> None:
    both = entry(rule="secrets/*", path="tests/**")
    assert matches(both, finding(path="tests/a.py"))
    assert not matches(both, finding(path="src/a.py"))
    assert not matches(both, finding(rule_id="sast/eval", path="tests/a.py"))


# -- one run -----------------------------------------------------------------------------


def test_matcher_returns_the_first_live_entry_and_reports_expired_and_stale() -> None:
    today = dt.date(2026, 3, 1)
    expired = ExceptionEntry(
        id="OLD", reason="r", owner="o", rule="secrets/*", expires=dt.date(2026, 2, 28)
    )
    live = ExceptionEntry(
        id="LIVE", reason="r", owner="o", path="tests/**", expires=dt.date(2026, 3, 1)
    )  # the expiry day itself still counts
    never = ExceptionEntry(id="NEVER", reason="r", owner="o", rule="dast/*")
    old_unused = ExceptionEntry(
        id="GONE", reason="r", owner="o", rule="iac/*", expires=dt.date(2020, 1, 1)
    )
    matcher = ExceptionMatcher([expired, live, never, old_unused], today=today)

    assert matcher.match(finding(path="tests/a.py")) == live
    assert matcher.match(finding(path="src/a.py")) is None  # only the expired entry matched
    assert [e.id for e in matcher.used] == ["LIVE"]
    assert [e.id for e in matcher.expired] == ["OLD"]
    assert [e.id for e in matcher.stale] == ["NEVER", "GONE"]


def test_every_matching_entry_counts_as_used_not_only_the_first() -> None:
    first = ExceptionEntry(id="A", reason="r", owner="o", rule="secrets/*")
    second = ExceptionEntry(id="B", reason="r", owner="o", path="src/**")
    matcher = ExceptionMatcher([first, second], today=dt.date(2026, 1, 1))
    assert matcher.match(finding()) == first
    assert matcher.stale == ()


def test_a_fresh_matcher_reports_every_entry_stale() -> None:
    only = ExceptionEntry(id="A", reason="r", owner="o", rule="secrets/*")
    matcher = ExceptionMatcher([only], today=dt.date(2026, 1, 1))
    assert matcher.stale == (only,)
    assert matcher.used == ()
    assert matcher.expired == ()
