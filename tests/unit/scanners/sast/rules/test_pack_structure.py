"""How every language of the rule pack is written (Python, JavaScript/TypeScript, Java, Go):
ids name language, topic and rule, are unique, every rule carries the metadata lockgate
reports and has cases that must and must not match, rule files avoid YAML merge keys, and
the taint rules of a language share one definition of request sources. Every rule's
annotated fixture passes under ``semgrep --test``. (What each language must cover, and
end-to-end scans, live in each language's own test module.)"""

from __future__ import annotations

import re

import pytest

from tests.unit.scanners.sast.rules import _pack_checks as pack
from tests.unit.scanners.sast.rules.conftest import SemgrepReports

#: language -> the ``languages`` lists its rules may declare
LANGUAGES = {
    "python": (["python"], ["generic"]),  # generic: the Jinja2/Django template rules
    "javascript": (["javascript", "typescript"],),
    "java": (["java"],),
    "go": (["go"],),
}
#: language -> (the rule holding the reference request sources, the least number of taint
#: rules). Python's taint rules extend the shared sources: see test_python_rules.py.
SHARED_SOURCES = {
    "javascript": ("lockgate.javascript.sql-injection.string-built-query", 10),
    "java": ("lockgate.java.sql-injection.jdbc-statement", 10),
    "go": ("lockgate.go.sql-injection.string-built-query", 8),
}
RULES = [(language, rule) for language in LANGUAGES for rule in pack.rules(language)]


def _id(case: object) -> str:
    return case.id if isinstance(case, pack.PackRule) else str(case)


@pytest.mark.parametrize(("language", "rule"), RULES, ids=_id)
def test_rule_id_names_language_topic_and_rule(language: str, rule: pack.PackRule) -> None:
    topic = pack.topic_of(rule.id, language)
    assert topic, f"{rule.id}: expected lockgate.{language}.<topic>.<kebab-name>"
    assert topic == rule.file.stem, f"{rule.id} lives in {rule.file.name}"


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_rule_ids_are_unique(language: str) -> None:
    ids = [r.id for r in pack.rules(language)]
    assert len(set(ids)) == len(ids), "rule ids must be unique"


@pytest.mark.parametrize(("language", "rule"), RULES, ids=_id)
def test_rule_declares_the_pack_languages(language: str, rule: pack.PackRule) -> None:
    assert rule.body.get("languages") in LANGUAGES[language]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_rule_files_avoid_yaml_merge_keys_semgrep_ignores(language: str) -> None:
    # semgrep's YAML reader keeps the base values of `<<: *anchor` over the overrides,
    # so metadata must be written out in full (plain anchors and aliases are fine).
    merged = [
        p.name for p in pack.rule_files(language) if re.search(r"^\s*<<:", p.read_text(), re.M)
    ]
    assert not merged, f"merge keys in {merged}"


@pytest.mark.parametrize(("language", "rule"), RULES, ids=_id)
def test_rule_carries_the_metadata_lockgate_reports(language: str, rule: pack.PackRule) -> None:
    assert pack.metadata_problems(rule) == []


@pytest.mark.parametrize(("language", "rule"), RULES, ids=_id)
def test_no_constraint_refers_to_a_metavariable_a_branch_never_binds(
    language: str, rule: pack.PackRule
) -> None:
    assert pack.unbound_metavariables(rule) == []


@pytest.mark.parametrize(("language", "rule"), RULES, ids=_id)
def test_each_rule_has_cases_that_must_and_must_not_match(
    language: str, rule: pack.PackRule
) -> None:
    fixtures = pack.fixtures_of(rule.file)
    assert fixtures, f"{rule.file.name} has no fixture beside it"
    positives = [n for f in fixtures for n in pack.annotated_lines(f, "ruleid", rule.id)]
    negatives = [n for f in fixtures for n in pack.annotated_lines(f, "ok", rule.id)]
    assert positives, f"{rule.id}: no `ruleid:` case"
    assert negatives, f"{rule.id}: no `ok:` case (precision)"


@pytest.mark.parametrize("language", sorted(SHARED_SOURCES))
def test_taint_rules_share_one_definition_of_request_sources(language: str) -> None:
    reference_id, least = SHARED_SOURCES[language]
    rules = pack.rules(language)
    reference = next(r for r in rules if r.id == reference_id)
    shared = reference.body["pattern-sources"]
    taint = [r for r in rules if r.body.get("mode") == "taint"]
    assert len(taint) >= least
    drifted = [r.id for r in taint if r.body["pattern-sources"] != shared]
    assert not drifted, f"request sources differ from {reference_id}: {drifted}"


# -- semgrep's own fixture tests -----------------------------------------------------------


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_semgrep_accepts_every_rule_file(language: str, semgrep_reports: SemgrepReports) -> None:
    report = semgrep_reports(language)
    assert not report.get("config_with_errors"), report
    assert not report.get("config_missing_tests")
    assert set(pack.fixture_verdicts(report)) == {r.id for r in pack.rules(language)}


@pytest.mark.parametrize(("language", "rule"), RULES, ids=_id)
def test_rule_finds_exactly_the_annotated_lines(
    language: str, rule: pack.PackRule, semgrep_reports: SemgrepReports
) -> None:
    check = pack.fixture_verdicts(semgrep_reports(language)).get(rule.id)
    failure = pack.check_failure(rule.id, check)
    if failure:
        pytest.fail(failure)
