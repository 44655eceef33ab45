"""pip requirements files: pins become components, everything else is reported with a reason,
includes are followed the way pip follows them."""

from __future__ import annotations

import pytest

from lockgate.inventory.interface import ManifestError, ParsedManifest
from lockgate.inventory.python import requirements
from lockgate.model import Location
from tests.unit.inventory.python.sources import by_name, corpus, corpus_files, inline, versions

SHA_A = "a" * 64
SHA_B = "b" * 64
SHA512 = "c" * 128


def parse(
    text: str, path: str = "requirements.txt", siblings: dict[str, str] | None = None
) -> ParsedManifest:
    return requirements.parse(inline(path, text, siblings))


def test_exact_pins_become_components_with_their_line_and_original_spelling() -> None:
    parsed = parse(
        "# app\n"
        "Django==4.2.1\n"
        "\n"
        "zope.interface === 5.4.0   # arbitrary equality\n"
        "Twisted[http2,tls]==20.3.0\n"
    )
    found = by_name(parsed.components)
    assert versions(parsed.components) == {
        ("Django", "4.2.1"),
        ("zope.interface", "5.4.0"),
        ("Twisted", "20.3.0"),
    }
    assert found["Django"].purl == "pkg:pypi/django@4.2.1"
    assert found["zope.interface"].purl == "pkg:pypi/zope-interface@5.4.0"
    assert found["Twisted"].manifest is not None
    assert found["Twisted"].manifest.start_line == 5
    assert found["Django"].manifest == Location(path="requirements.txt", start_line=2)
    assert parsed.format == "requirements.txt"
    assert parsed.unresolved == ()


def test_every_kind_of_unpinned_requirement_is_reported_with_its_reason() -> None:
    parsed = parse(
        "flask\nkeyring >= 4.1.1\nMopidy-Dirble ~= 1.1\ncoverage != 3.5\nnumpy<2\npandas==1.*\n"
    )
    assert parsed.components == ()
    reasons = {u.name: (u.specifier, u.reason, u.line) for u in parsed.unresolved}
    assert reasons == {
        "flask": ("", "not pinned to an exact version (no version specifier)", 1),
        "keyring": (">=4.1.1", "not pinned to an exact version (>=4.1.1)", 2),
        "Mopidy-Dirble": ("~=1.1", "not pinned to an exact version (~=1.1)", 3),
        "coverage": ("!=3.5", "not pinned to an exact version (!=3.5)", 4),
        "numpy": ("<2", "not pinned to an exact version (<2)", 5),
        "pandas": ("==1.*", "not pinned to an exact version (==1.*)", 6),
    }


def test_editable_vcs_path_and_url_requirements_are_unresolved_and_never_leak_credentials() -> None:
    parsed = parse(
        "-e git+https://github.com/org/tool.git@v1#egg=tool\n"
        "git+https://deploy:s3cret@github.com/org/private.git#egg=private\n"
        "./vendor/numpy-1.9.2-cp34-none-win32.whl\n"
        "https://example.com/pkgs/thing-2.0.tar.gz\n"
        "api @ https://example.com/api-1.0-py3-none-any.whl\n"
        "-e .\n"
    )
    reasons = {u.name: u.reason for u in parsed.unresolved}
    assert reasons["tool"].startswith("editable install")
    assert reasons["private"].startswith("VCS requirement")
    assert reasons["numpy"].startswith("local path")
    assert reasons["thing"].startswith("URL requirement")
    assert reasons["api"].startswith("URL requirement")
    assert reasons["."].startswith("editable install")
    assert parsed.components == ()
    everything = repr(parsed)
    assert "s3cret" not in everything
    assert "deploy" not in everything


def test_hashes_on_continuation_lines_are_kept_one_per_algorithm() -> None:
    parsed = parse(
        "FooProject == 1.2 \\\n"
        f"  --hash=sha256:{SHA_A} \\\n"
        f"  --hash=sha256:{SHA_B} \\\n"
        f"  --hash sha512:{SHA512}\n"
        "bar==1.0 --hash=sha256:nothex\n"
    )
    foo = by_name(parsed.components)["FooProject"]
    assert foo.hashes == (("sha256", SHA_A), ("sha512", SHA512))
    assert foo.manifest is not None
    assert foo.manifest.start_line == 1
    assert by_name(parsed.components)["bar"].hashes == ()
    assert any("malformed --hash" in w for w in parsed.warnings)


def test_continuations_join_before_comments_are_stripped_like_pip() -> None:
    parsed = parse("foo==\\\n  1.2.3\nbaz == 7.8.9 # \\\nbaz == 1.2.3\nqux == 10.11.12\\\n")
    assert versions(parsed.components) == {("foo", "1.2.3"), ("baz", "7.8.9"), ("qux", "10.11.12")}
    assert by_name(parsed.components)["baz"].manifest.start_line == 3  # type: ignore[union-attr]


def test_environment_markers_keep_the_component_and_say_where_it_applies() -> None:
    parsed = parse('pywin32==306 ; sys_platform == "win32"\n')
    assert versions(parsed.components) == {("pywin32", "306")}
    assert any("sys_platform" in w and "pywin32" in w for w in parsed.warnings)


def test_global_options_are_ignored_and_unknown_ones_are_mentioned() -> None:
    parsed = parse(
        "-i https://pypi.org/simple\n"
        "--extra-index-url https://mirror.example/simple\n"
        "--trusted-host mirror.example\n"
        "-f ./wheels\n"
        "--pre\n"
        "--frobnicate\n"
        "six==1.16.0\n"
    )
    assert versions(parsed.components) == {("six", "1.16.0")}
    assert parsed.unresolved == ()
    assert parsed.warnings == ("requirements.txt:6: unknown option --frobnicate ignored",)


def test_includes_are_followed_relative_to_the_including_file() -> None:
    parsed = parse(
        "-r requirements/base.txt\nrequests==2.31.0\n",
        path="svc/requirements.txt",
        siblings={
            "svc/requirements/base.txt": "--requirement=common/shared.txt\nflask==3.0.0\n",
            "svc/requirements/common/shared.txt": "-rlast.txt\nclick==8.1.7\n",
            "svc/requirements/common/last.txt": "idna==3.6\n",
        },
    )
    where = {
        c.name: (c.manifest.path, c.manifest.start_line) for c in parsed.components if c.manifest
    }
    assert where == {
        "requests": ("svc/requirements.txt", 2),
        "flask": ("svc/requirements/base.txt", 2),
        "click": ("svc/requirements/common/shared.txt", 2),
        "idna": ("svc/requirements/common/last.txt", 1),
    }
    assert parsed.path == "svc/requirements.txt"


def test_include_cycles_and_duplicates_are_read_once() -> None:
    parsed = parse(
        "-r a.txt\n-r b.txt\n-r requirements.txt\nsix==1.16.0\n",
        siblings={
            "a.txt": "-r b.txt\nattrs==23.1.0\n",
            "b.txt": "-r a.txt\n-r ./a.txt\nidna==3.6\n",
        },
    )
    assert sorted(versions(parsed.components)) == [
        ("attrs", "23.1.0"),
        ("idna", "3.6"),
        ("six", "1.16.0"),
    ]
    assert len(parsed.components) == 3


def test_a_missing_or_escaping_include_is_a_warning_not_a_crash() -> None:
    parsed = parse(
        "-r missing.txt\n-r ../../etc/outside.txt\n-r https://example.com/r.txt\nsix==1.16.0\n"
    )
    assert versions(parsed.components) == {("six", "1.16.0")}
    assert len(parsed.warnings) == 3
    assert "missing.txt not found" in parsed.warnings[0]
    assert all(w.startswith("requirements.txt:") for w in parsed.warnings)


def test_constraints_files_pin_what_requirements_leave_open() -> None:
    parsed = parse(
        "-c constraints.txt\nflask\nrequests>=2\n",
        siblings={"constraints.txt": "flask==3.0.0\nwerkzeug==3.0.1\n"},
    )
    assert versions(parsed.components) == {("flask", "3.0.0"), ("werkzeug", "3.0.1")}
    assert [u.name for u in parsed.unresolved] == ["requests"]


def test_unresolved_entries_of_included_files_name_that_file() -> None:
    parsed = parse("-r dev.txt\n", siblings={"dev.txt": "\n\npytest>=7\n"})
    (entry,) = parsed.unresolved
    assert entry.name == "pytest"
    assert entry.line is None
    assert "in dev.txt line 3" in entry.reason


def test_pip_compile_annotations_give_direct_flags_paths_and_edges() -> None:
    parsed = parse(
        "click==8.1.7\n"
        "    # via flask\n"
        "flask==3.0.0\n"
        "    # via -r requirements.in\n"
        "itsdangerous==2.1.2\n"
        "    # via\n"
        "    #   flask\n"
        "    #   webapp (pyproject.toml)\n"
        "markupsafe==2.1.3\n"
        "    # via\n"
        "    #   jinja2\n"
        "    #   werkzeug\n"
        "jinja2==3.1.2\n"
        "    # via flask\n"
        "werkzeug==3.0.1\n"
        "    # via flask\n",
        path="requirements.txt",
    )
    found = by_name(parsed.components)
    assert found["flask"].direct is True
    assert found["itsdangerous"].direct is True
    assert found["click"].direct is False
    assert found["markupsafe"].direct is False
    assert found["markupsafe"].dependency_paths == (
        ("flask", "jinja2", "markupsafe"),
        ("flask", "werkzeug", "markupsafe"),
    )
    edges = dict(parsed.dependencies)
    assert edges["pkg:pypi/flask@3.0.0"] == (
        "pkg:pypi/click@8.1.7",
        "pkg:pypi/itsdangerous@2.1.2",
        "pkg:pypi/jinja2@3.1.2",
        "pkg:pypi/werkzeug@3.0.1",
    )
    assert edges["pkg:pypi/jinja2@3.1.2"] == ("pkg:pypi/markupsafe@2.1.3",)


def test_without_annotations_directness_is_unknown() -> None:
    parsed = parse("six==1.16.0\n")
    assert parsed.components[0].direct is None
    assert parsed.components[0].dependency_paths == ()
    assert parsed.dependencies == ()


def test_requirements_in_files_are_declared_inputs() -> None:
    parsed = parse("flask==3.0.0\n", path="requirements.in")
    assert parsed.format == "requirements.in"


def test_environment_variables_cannot_be_resolved() -> None:
    parsed = parse("mylib==${MYLIB_VERSION}\n")
    (entry,) = parsed.unresolved
    assert entry.name == "mylib"
    assert "${MYLIB_VERSION}" in entry.reason


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("six==1.16.0\nthis is not a requirement!\n", 2),
        ("six==1.16.0\n<<<<<<< HEAD\n", 2),
        ("-r\n", 1),
        ("bar == 4.5\\.6\n", 1),
    ],
)
def test_malformed_lines_raise_a_located_error(text: str, line: int) -> None:
    with pytest.raises(ManifestError) as caught:
        parse(text, path="app/requirements.txt")
    assert caught.value.path == "app/requirements.txt"
    assert caught.value.line == line


def test_a_malformed_included_file_is_named_in_the_error() -> None:
    with pytest.raises(ManifestError) as caught:
        parse("-r dev.txt\n", siblings={"dev.txt": "ok==1.0\n!!!\n"})
    assert (caught.value.path, caught.value.line) == ("dev.txt", 2)


# -- the osv-detector corpus, read in place --------------------------------------------------

CORPUS: dict[str, set[tuple[str, str]]] = {
    "cyclic-r-complex-1.txt": {
        ("cyclic-r-complex", "1"),
        ("cyclic-r-complex", "2"),
        ("cyclic-r-complex", "3"),
    },
    "cyclic-r-complex-2.txt": {
        ("cyclic-r-complex", "1"),
        ("cyclic-r-complex", "2"),
        ("cyclic-r-complex", "3"),
    },
    "cyclic-r-complex-3.txt": {
        ("cyclic-r-complex", "1"),
        ("cyclic-r-complex", "2"),
        ("cyclic-r-complex", "3"),
    },
    "cyclic-r-self.txt": {("requests", "1.2.3"), ("pandas", "0.23.4")},
    "duplicate-r-base.txt": {("django", "0.1.0")},
    "duplicate-r-dev.txt": {
        ("django", "0.1.0"),
        ("pandas", "0.23.4"),
        ("requests", "1.2.3"),
        ("unittest", "1.0.0"),
    },
    "duplicate-r-test.txt": {("django", "0.1.0"), ("requests", "1.2.3"), ("unittest", "1.0.0")},
    "empty.txt": set(),
    "file-format-example.txt": {("docopt", "0.6.1"), ("django", "2.2.24")},
    "line-continuation.txt": {
        ("foo", "1.2.3"),
        ("bar", "4.5.6"),
        ("baz", "7.8.9"),
        ("qux", "10.11.12"),
    },
    "multiple-packages-constrained.txt": {
        ("astroid", "2.5.1"),
        ("beautifulsoup4", "4.9.3"),
        ("boto3", "1.17.19"),
        ("botocore", "1.20.19"),
        ("certifi", "2020.12.5"),
        ("chardet", "4.0.0"),
        ("circus", "0.17.1"),
        ("click", "7.1.2"),
        ("django-debug-toolbar", "3.2.1"),
        ("django-filter", "2.4.0"),
        ("django-nose", "1.4.7"),
        ("django-storages", "1.11.1"),
        ("django", "2.2.24"),
    },
    "multiple-packages-mixed.txt": {
        ("pandas", "0.23.4"),
        ("numpy", "1.16.0"),
        ("scikit-learn", "0.20.1"),
    },
    "non-normalized-names.txt": {
        ("zope.interface", "5.4.0"),
        ("Pillow", "1.0.0"),
        ("Twisted", "20.3.0"),
    },
    "one-package-constrained.txt": {("django", "2.2.24")},
    "one-package-unconstrained.txt": set(),
    "only-comments.txt": set(),
    "other-file.txt": {("django", "2.2.24")},
    "with-added-support.txt": {("twisted", "20.3.0")},
    "with-bad-r-option.txt": {("requests", "1.2.3")},
    "with-hash.txt": {("boto3", "1.26.121"), ("foo", "1.0.0")},
    "with-multiple-r-options.txt": {
        ("django", "2.2.24"),
        ("pandas", "0.23.4"),
        ("numpy", "1.16.0"),
        ("scikit-learn", "0.20.1"),
        ("requests", "1.2.3"),
    },
    "with-per-requirement-options.txt": {
        ("boto3", "1.26.121"),
        ("foo", "1.0.0"),
        ("FooProject", "1.2"),
    },
}


def test_the_corpus_table_covers_every_pip_fixture() -> None:
    assert {path.name for path in corpus_files("pip")} == set(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_gives_the_expected_packages(name: str) -> None:
    parsed = requirements.parse(corpus("pip", name))
    assert versions(parsed.components) == CORPUS[name]
    for item in parsed.components:
        assert item.manifest is not None
        assert item.manifest.path.startswith("pip/")
        assert item.manifest.start_line is not None


def test_corpus_unpinned_entries_and_includes_are_reported() -> None:
    example = requirements.parse(corpus("pip", "file-format-example.txt"))
    assert {u.name for u in example.unresolved} == {
        "pytest",
        "pytest-cov",
        "beautifulsoup4",
        "keyring",
        "coverage",
        "Mopidy-Dirble",
        "numpy",
        "wxPython_Phoenix",
        "rejected",
        "green",
    }
    django = by_name(example.components)["django"]
    assert django.manifest is not None
    assert (django.manifest.path, django.manifest.start_line) == ("pip/other-file.txt", 1)
    bad = requirements.parse(corpus("pip", "with-bad-r-option.txt"))
    assert bad.warnings == (
        "pip/with-bad-r-option.txt:3: requirement file ./does-not-exist.txt not found; "
        "not followed",
    )
    options = requirements.parse(corpus("pip", "with-per-requirement-options.txt"))
    assert [(u.name, u.specifier) for u in options.unresolved] == [("BarProject", ">=1.2")]
    assert by_name(options.components)["FooProject"].hashes == (
        ("sha256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
    )


def test_corpus_pip_compile_output_knows_direct_dependencies() -> None:
    parsed = requirements.parse(corpus("pip", "multiple-packages-constrained.txt"))
    found = by_name(parsed.components)
    assert found["boto3"].direct is True
    assert found["botocore"].direct is False
    assert found["botocore"].dependency_paths == (("boto3", "botocore"),)
    assert ("django-filter", "django") in found["django"].dependency_paths


def test_a_package_pinned_twice_is_one_component_with_one_hash_per_algorithm() -> None:
    parsed = parse(f"six==1.16.0 --hash=sha256:{SHA_A}\nSix==1.16.0 --hash=sha256:{SHA_B}\n")
    (six,) = parsed.components
    assert six.manifest is not None
    assert (six.name, six.manifest.start_line, six.hashes) == ("six", 1, (("sha256", SHA_A),))
