"""composer.lock: packages and dev packages, licenses, sha1, dev branches, direct, graph."""

from __future__ import annotations

import json

import pytest

from lockgate.inventory.composer import parse
from lockgate.inventory.interface import ManifestError
from lockgate.model.ecosystems import PACKAGIST
from tests.conftest import shared_dataset
from tests.unit.inventory._lockfiles import assert_round_trip, by_name, parse_all, source, versions

SHA1 = "0123456789abcdef0123456789abcdef01234567"

LOCK = {
    "content-hash": "x",
    "packages": [
        {
            "name": "symfony/console",
            "version": "v6.4.1",
            "dist": {"type": "zip", "shasum": SHA1},
            "require": {"php": ">=8.1", "symfony/polyfill-mbstring": "~1.0", "psr/log-impl": "*"},
            "license": ["MIT"],
            "authors": [{"name": "Fabien Potencier"}],
        },
        {
            "name": "symfony/polyfill-mbstring",
            "version": "1.28.0",
            "dist": {"type": "zip", "shasum": ""},
            "license": ["MIT", "GPL-2.0-or-later"],
        },
        {
            "name": "monolog/monolog",
            "version": "3.5.0",
            "provide": {"psr/log-implementation": "3.0.0", "psr/log-impl": "1.0"},
            "license": "MIT",
        },
        {"name": "acme/tool", "version": "dev-main", "dist": {"type": "zip"}},
        {"name": "acme/local", "version": "1.0.0", "dist": {"type": "path", "url": "../local"}},
    ],
    "packages-dev": [
        {"name": "phpunit/phpunit", "version": "10.5.3", "require": {"symfony/console": "^6"}},
    ],
}
TEXT = json.dumps(LOCK, indent=4)
COMPOSER_JSON = json.dumps(
    {
        "require": {"php": "^8.1", "symfony/console": "^6.4"},
        "require-dev": {"phpunit/phpunit": "^10"},
    }
)


def test_packages_and_dev_packages_are_components_with_versions_as_written() -> None:
    parsed = parse(source(TEXT, "app/composer.lock"))
    assert parsed.ecosystem == PACKAGIST and parsed.format == "composer.lock"
    assert versions(parsed) == {
        ("symfony/console", "v6.4.1"),
        ("symfony/polyfill-mbstring", "1.28.0"),
        ("monolog/monolog", "3.5.0"),
        ("phpunit/phpunit", "10.5.3"),
    }
    console = by_name(parsed)["symfony/console"]
    assert console.purl == "pkg:composer/symfony/console@v6.4.1"
    assert console.manifest is not None and console.manifest.start_line == 5
    phpunit = by_name(parsed)["phpunit/phpunit"]
    assert phpunit.manifest is not None and phpunit.manifest.start_line is not None
    line = TEXT.splitlines()[phpunit.manifest.start_line - 1]
    assert line.strip() == '"name": "phpunit/phpunit",'
    assert_round_trip(parsed)


def test_licenses_are_a_choice_and_sha1_only_when_present() -> None:
    comps = by_name(parse(source(TEXT, "composer.lock")))
    assert comps["symfony/polyfill-mbstring"].licenses == "MIT OR GPL-2.0-or-later"
    assert comps["symfony/console"].licenses == "MIT"
    assert comps["monolog/monolog"].licenses == "MIT"
    assert comps["symfony/console"].hashes == (("sha1", SHA1),)
    assert comps["symfony/polyfill-mbstring"].hashes == ()


def test_development_branches_and_path_packages_are_unresolved() -> None:
    parsed = parse(source(TEXT, "composer.lock"))
    assert {(u.name, u.specifier, u.reason) for u in parsed.unresolved} == {
        ("acme/tool", "dev-main", "development branch"),
        ("acme/local", "1.0.0", "local path (../local)"),
    }


def test_direct_comes_from_composer_json_beside_the_lock() -> None:
    parsed = parse(source(TEXT, "composer.lock", {"composer.json": COMPOSER_JSON}))
    comps = by_name(parsed)
    assert comps["symfony/console"].direct is True
    assert comps["phpunit/phpunit"].direct is True
    assert comps["symfony/polyfill-mbstring"].direct is False
    assert comps["symfony/polyfill-mbstring"].dependency_paths == (
        ("phpunit/phpunit", "symfony/console", "symfony/polyfill-mbstring"),
        ("symfony/console", "symfony/polyfill-mbstring"),
    )
    without = by_name(parse(source(TEXT, "composer.lock")))
    assert without["symfony/console"].direct is None


def test_requires_resolve_through_provide_aliases() -> None:
    edges = dict(parse(source(TEXT, "composer.lock")).dependencies)
    assert edges["pkg:composer/symfony/console@v6.4.1"] == (
        "pkg:composer/monolog/monolog@3.5.0",
        "pkg:composer/symfony/polyfill-mbstring@1.28.0",
    )


def test_a_broken_composer_json_is_a_warning_not_an_error() -> None:
    parsed = parse(source(TEXT, "composer.lock", {"composer.json": "{oops"}))
    assert len(parsed.components) == 4
    assert parsed.warnings and "composer.json" in parsed.warnings[0]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("this is not json!", 1, "not valid JSON"),
        ('{\n  "packages": [\n    {"name": "a/b",\n', 4, "not valid JSON"),
        ("[]", 1, "JSON object"),
        ('{"name": "a/b"}', 1, "not a composer.lock"),
        ('{"packages": {"a/b": "1.0"}}', None, "must be a list"),
        ('{"packages": [\n{"name": "a/b"}\n]}', 2, "has no version"),
    ],
)
def test_malformed_composer_lock_is_a_located_error(
    text: str, line: int | None, words: str
) -> None:
    with pytest.raises(ManifestError) as caught:
        parse(source(text, "web/composer.lock"))
    assert caught.value.line == line
    assert words in caught.value.message
    assert caught.value.path == "web/composer.lock"


def test_osv_detector_composer_fixtures() -> None:
    directory = shared_dataset("lockfiles", "osv-detector", "composer")
    results = parse_all(parse, sorted(directory.glob("*.json")))
    assert results["empty.json"].components == ()
    assert versions(results["one-package.json"]) == {("sentry/sdk", "2.0.4")}
    assert versions(results["one-package-dev.json"]) == {("sentry/sdk", "2.0.4")}
    assert versions(results["two-packages.json"]) == {
        ("sentry/sdk", "2.0.4"),
        ("theseer/tokenizer", "1.1.3"),
    }
    assert versions(results["two-packages-alt.json"]) == versions(results["two-packages.json"])
    drupal = by_name(results["drupal-packages.json"])
    assert set(drupal) == {"drupal/core", "drupal/tfa", "drupal/field_time", "theseer/tokenizer"}
    assert drupal["drupal/tfa"].version == "2.0.0-alpha4"
    assert drupal["drupal/tfa"].licenses == "GPL-2.0-or-later"
    assert drupal["drupal/tfa"].hashes == (("sha1", "70b03b6c7868ced71ed0b3ca596ad83e76c2adc0"),)
    assert ("drupal/tfa", "drupal/core") in drupal["drupal/core"].dependency_paths
    with pytest.raises(ManifestError):
        parse_all(parse, [directory / "not-json.txt"])
