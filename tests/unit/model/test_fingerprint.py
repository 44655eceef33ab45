"""Fingerprint spec v1 (docs/fingerprints.md): what an identity survives and what changes it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockgate.model import Component
from lockgate.model.fingerprint import (
    DEFAULT_SECRET_HASH_KEY,
    SARIF_KEY,
    code_fingerprint,
    enclosing_scope,
    iac_fingerprint,
    license_fingerprint,
    normalise_url,
    secret_fingerprint,
    secret_value_hash,
    subject_fingerprint,
    url_fingerprint,
    vulnerability_fingerprint,
)

HEX32 = re.compile(r"^[0-9a-f]{32}$")

# Identifiers that can never be mistaken for a definition keyword (def, class, data, …).
names = st.from_regex(r"v_[a-z0-9]{1,8}", fullmatch=True)
numbers = st.integers(min_value=0, max_value=10_000)


def statement(indent: int) -> st.SearchStrategy[str]:
    """One ordinary (non-definition) line of Python at ``indent`` spaces."""
    pad = " " * indent
    return st.one_of(
        st.builds(lambda a, n: f"{pad}{a} = {n}", names, numbers),
        st.builds(lambda a, b, c: f"{pad}{a} = {b}({c})", names, names, names),
        st.builds(lambda a: f"{pad}# note about {a}", names),
        st.just(""),
    )


@dataclass(frozen=True)
class Source:
    """Generated source text: a prelude, one function holding the match, a trailer."""

    prelude: list[str]
    header: str
    before: list[str]
    match: str
    after: list[str]
    trailer: list[str]

    @property
    def lines(self) -> list[str]:
        return [*self.prelude, self.header, *self.before, self.match, *self.after, *self.trailer]

    @property
    def match_index(self) -> int:
        return len(self.prelude) + 1 + len(self.before)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


sources = st.builds(
    Source,
    prelude=st.lists(statement(0), max_size=8),
    header=st.builds(lambda f, a: f"def {f}({a}):", names, names),
    before=st.lists(statement(4), max_size=8),
    match=st.builds(lambda a, b: f"    {a} = eval({b} + request.args['q'])", names, names),
    after=st.lists(statement(4), max_size=8),
    trailer=st.lists(statement(0), max_size=8),
)


def code_fp(
    text: str, match_line: str, *, rule_id: str = "sast/python-eval", path: str = "app/views.py"
) -> str:
    """What a SAST control does: find the match in the text, take the slice and its scope."""
    lines = text.splitlines()
    index = lines.index(match_line)
    return code_fingerprint(
        rule_id=rule_id, path=path, snippet=lines[index], scope=enclosing_scope(lines, index)
    )


@given(sources, st.data())
def test_code_fingerprint_survives_lines_inserted_above(
    source: Source, data: st.DataObject
) -> None:
    before = code_fp(source.text, source.match)
    count = data.draw(st.integers(min_value=1, max_value=40), label="inserted lines")
    if data.draw(st.booleans(), label="inside the function"):
        position = data.draw(st.integers(0, len(source.before)))
        added = data.draw(st.lists(statement(4), min_size=count, max_size=count))
        moved = Source(
            source.prelude,
            source.header,
            [*source.before[:position], *added, *source.before[position:]],
            source.match,
            source.after,
            source.trailer,
        )
    else:
        position = data.draw(st.integers(0, len(source.prelude)))
        added = data.draw(st.lists(statement(0), min_size=count, max_size=count))
        moved = Source(
            [*source.prelude[:position], *added, *source.prelude[position:]],
            source.header,
            source.before,
            source.match,
            source.after,
            source.trailer,
        )
    assert moved.match_index == source.match_index + count
    assert code_fp(moved.text, source.match) == before


@given(sources, st.data())
def test_code_fingerprint_survives_edits_elsewhere_in_the_file(
    source: Source, data: st.DataObject
) -> None:
    before = code_fp(source.text, source.match)

    def edit(lines: list[str], indent: int) -> list[str]:
        return data.draw(
            st.lists(statement(indent), min_size=len(lines) // 2, max_size=len(lines) + 3)
        )

    edited = Source(
        edit(source.prelude, 0),
        source.header,
        edit(source.before, 4),
        source.match,
        edit(source.after, 4),
        edit(source.trailer, 0),
    )
    assert code_fp(edited.text, source.match) == before


@given(sources, st.sampled_from(["  ", "\t", " \t "]))
def test_code_fingerprint_survives_reformatting_whitespace(source: Source, space: str) -> None:
    before = code_fp(source.text, source.match)
    respaced = source.match.replace(" ", space)
    reindented = [line.replace("    ", "  ", 1) for line in source.before]
    changed = Source(
        source.prelude,
        source.header.replace(" ", "   "),
        reindented,
        respaced,
        source.after,
        source.trailer,
    )
    assert code_fp(changed.text, respaced) == before


def test_code_fingerprint_only_collapses_whitespace() -> None:
    spaced = code_fingerprint(rule_id="sast/eval", path="a.py", snippet="eval(a + b)")
    assert code_fingerprint(rule_id="sast/eval", path="a.py", snippet=" eval(a  +\tb) ") == spaced
    assert code_fingerprint(rule_id="sast/eval", path="a.py", snippet="eval(a+b)") != spaced


@given(sources, names)
def test_code_fingerprint_changes_with_rule_path_code_and_scope(source: Source, other: str) -> None:
    before = code_fp(source.text, source.match)
    assert HEX32.match(before)
    assert code_fp(source.text, source.match, rule_id="sast/python-exec") != before
    assert code_fp(source.text, source.match, path="app/other.py") != before
    new_match = source.match.replace("eval(", "exec(")
    changed = Source(
        source.prelude, source.header, source.before, new_match, source.after, source.trailer
    )
    assert code_fp(changed.text, new_match) != before
    renamed = Source(
        source.prelude,
        f"def {other}_x():",
        source.before,
        source.match,
        source.after,
        source.trailer,
    )
    assert code_fp(renamed.text, source.match) != before


def test_code_fingerprint_occurrence_separates_identical_slices() -> None:
    first = code_fingerprint(rule_id="sast/eval", path="a.py", snippet="eval(x)", scope="def f():")
    assert (
        code_fingerprint(
            rule_id="sast/eval", path="a.py", snippet="eval(x)", scope="def f():", occurrence=0
        )
        == first
    )
    assert (
        code_fingerprint(
            rule_id="sast/eval", path="a.py", snippet="eval(x)", scope="def f():", occurrence=1
        )
        != first
    )


def test_fingerprints_are_the_same_in_another_process() -> None:
    """A re-run (new interpreter, another hash seed) computes the same identities."""
    program = (
        "import json\n"
        "from lockgate.model.fingerprint import *\n"
        "print(json.dumps([\n"
        "  code_fingerprint(rule_id='sast/eval', path='a.py', snippet='eval(x)',"
        " scope='def f():'),\n"
        "  secret_fingerprint(rule_family='secrets/aws', value_hash=secret_value_hash('AKIA'),"
        " path='.env'),\n"
        "  vulnerability_fingerprint(advisory_id='CVE-2024-1', purl_without_version='pkg:pypi/a',"
        " manifest_path='requirements.txt'),\n"
        "]))\n"
    )
    here = [
        code_fingerprint(rule_id="sast/eval", path="a.py", snippet="eval(x)", scope="def f():"),
        secret_fingerprint(
            rule_family="secrets/aws", value_hash=secret_value_hash("AKIA"), path=".env"
        ),
        vulnerability_fingerprint(
            advisory_id="CVE-2024-1",
            purl_without_version="pkg:pypi/a",
            manifest_path="requirements.txt",
        ),
    ]
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=60,
        )
        assert json.loads(out.stdout) == here


# -- secrets -----------------------------------------------------------------------------

secret_values = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=16, max_size=40)


@given(secret_values, st.integers(0, 200), st.integers(0, 200))
def test_secret_fingerprint_ignores_the_line(value: str, above: int, later: int) -> None:
    def fp_of(text: str) -> str:
        found = re.search(r"AWS_KEY=(\w+)", text)
        assert found is not None
        return secret_fingerprint(
            rule_family="secrets/aws",
            path="deploy/.env",
            value_hash=secret_value_hash(found.group(1)),
        )

    original = "\n" * above + f"AWS_KEY={value}\n"
    moved = "# comment\n" * later + original
    assert fp_of(moved) == fp_of(original)


@given(secret_values, secret_values)
def test_secret_fingerprint_changes_with_value_path_and_family(value: str, other: str) -> None:
    base = secret_fingerprint(
        rule_family="secrets/aws", value_hash=secret_value_hash(value), path="a/.env"
    )
    assert HEX32.match(base)
    if other != value:
        assert (
            secret_fingerprint(
                rule_family="secrets/aws", value_hash=secret_value_hash(other), path="a/.env"
            )
            != base
        )
    assert (
        secret_fingerprint(
            rule_family="secrets/aws", value_hash=secret_value_hash(value), path="b/.env"
        )
        != base
    )
    assert (
        secret_fingerprint(
            rule_family="secrets/github", value_hash=secret_value_hash(value), path="a/.env"
        )
        != base
    )


@given(secret_values)
def test_secret_value_hash_is_keyed_and_never_contains_the_value(value: str) -> None:
    digest = secret_value_hash(value)
    assert HEX32.match(digest)
    assert value.lower() not in digest
    assert secret_value_hash(value, DEFAULT_SECRET_HASH_KEY) == digest
    assert secret_value_hash(value, b"my-organisation-key") != digest


# -- vulnerabilities, licenses, IaC, URLs, others -------------------------------------

versions = st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}", fullmatch=True)
package_names = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)


@given(package_names, versions, versions, st.sampled_from(["", "?os=linux", "#sub/dir"]))
def test_vulnerability_fingerprint_survives_version_bumps(
    name: str, old: str, new: str, suffix: str
) -> None:
    def fp(version: str) -> str:
        component = Component(purl=f"pkg:pypi/{name}@{version}{suffix}", name=name)
        return vulnerability_fingerprint(
            advisory_id="GHSA-abcd-efgh-ijkl",
            purl_without_version=component.purl_without_version,
            manifest_path="requirements.txt",
        )

    assert fp(old) == fp(new)
    assert HEX32.match(fp(old))


def test_vulnerability_fingerprint_changes_with_advisory_package_and_manifest() -> None:
    base = vulnerability_fingerprint(
        advisory_id="CVE-2024-1234",
        purl_without_version="pkg:pypi/django",
        manifest_path="requirements.txt",
    )
    assert (
        vulnerability_fingerprint(
            advisory_id="cve-2024-1234",
            purl_without_version="pkg:pypi/django",
            manifest_path="requirements.txt",
        )
        == base
    )
    for changed in (
        {"advisory_id": "CVE-2024-9999"},
        {"purl_without_version": "pkg:pypi/flask"},
        {"manifest_path": "services/api/requirements.txt"},
    ):
        args = {
            "advisory_id": "CVE-2024-1234",
            "purl_without_version": "pkg:pypi/django",
            "manifest_path": "requirements.txt",
            **changed,
        }
        assert vulnerability_fingerprint(**args) != base


def test_license_fingerprint_uses_package_and_license() -> None:
    base = license_fingerprint(purl_without_version="pkg:npm/left-pad", license_id="GPL-3.0-only")
    assert HEX32.match(base)
    assert (
        license_fingerprint(purl_without_version="pkg:npm/left-pad", license_id="AGPL-3.0-only")
        != base
    )
    assert (
        license_fingerprint(purl_without_version="pkg:npm/right-pad", license_id="GPL-3.0-only")
        != base
    )


def test_iac_fingerprint_follows_the_resource_address() -> None:
    base = iac_fingerprint(
        rule_id="iac/s3-public",
        path="main.tf",
        resource="aws_s3_bucket.logs",
        snippet='acl = "public-read"',
    )
    assert (
        iac_fingerprint(
            rule_id="iac/s3-public",
            path="main.tf",
            resource="aws_s3_bucket.logs",
            snippet='acl   =  "public-read" ',
        )
        == base
    )
    assert (
        iac_fingerprint(rule_id="iac/s3-public", path="main.tf", resource="aws_s3_bucket.data")
        != base
    )
    without = iac_fingerprint(
        rule_id="iac/s3-public", path="main.tf", resource="", snippet='acl = "public-read"'
    )
    assert (
        iac_fingerprint(
            rule_id="iac/s3-public", path="main.tf", resource="", snippet='acl  =   "public-read"'
        )
        == without
    )


@given(
    st.sampled_from(["a", "b", "c"]),
    st.text(alphabet="xyz019", max_size=6),
    st.text(alphabet="xyz019", max_size=6),
)
def test_url_fingerprint_ignores_query_values_and_order(name: str, one: str, two: str) -> None:
    first = url_fingerprint(
        rule_id="dast/xss", url=f"https://Shop.Example.com/search?{name}={one}&z=1", parameter=name
    )
    second = url_fingerprint(
        rule_id="dast/xss", url=f"https://shop.example.com/search?z=2&{name}={two}", parameter=name
    )
    assert first == second


def test_url_normalisation() -> None:
    assert (
        normalise_url("HTTPS://Example.COM:8443?b=2&a=1&a=3#frag")
        == "https://example.com:8443/?a&b"
    )
    assert normalise_url("https://admin:s3cr3t@example.com:443/login") == (
        "https://example.com/login"
    )
    assert url_fingerprint(rule_id="dast/xss", url="https://example.com/a") != url_fingerprint(
        rule_id="dast/xss", url="https://example.com/b"
    )
    assert url_fingerprint(
        rule_id="dast/xss", url="https://example.com/a", parameter="q"
    ) != url_fingerprint(rule_id="dast/xss", url="https://example.com/a", parameter="p")


def test_subject_fingerprints_are_separated_by_kind() -> None:
    runtime = subject_fingerprint(kind="runtime", rule_id="runtime/alert", subject="pod/web")
    assert HEX32.match(runtime)
    assert subject_fingerprint(kind="policy", rule_id="runtime/alert", subject="pod/web") != runtime


def test_sarif_key_is_versioned() -> None:
    assert SARIF_KEY == "lockgate/v1"


# -- enclosing scope ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "scope"),
    [
        ("class Shop:\n    def pay(self, card):\n        eval(card)\n", 2, "def pay(self, card):"),
        ("class Shop:\n    limit = 3\n", 1, "class Shop:"),
        ("async def fetch(url):\n    if url:\n        get(url)\n", 2, "async def fetch(url):"),
        (
            "export async function load(req) {\n  const q = req.query;\n}\n",
            1,
            "export async function load(req) {",
        ),
        (
            "func (s *Server) Handle(w http.ResponseWriter) {\n\texec(cmd)\n}\n",
            1,
            "func (s *Server) Handle(w http.ResponseWriter) {",
        ),
        ("pub fn run() {\n    unsafe { x() }\n}\n", 1, "pub fn run() {"),
        ("data = {\n    'k': eval(x)\n}\n", 1, ""),  # an assignment, not a definition
        (
            "class A {\n    public static void main(String[] a) {\n        run(a);\n",
            2,
            "public static void main(String[] a) {",
        ),
        ("fn run() {\n    unsafe { x() }\n}\n", 1, "fn run() {"),
        (
            'resource "aws_s3_bucket" "logs" {\n  acl    = "public-read"\n}\n',
            1,
            'resource "aws_s3_bucket" "logs" {',
        ),
        ("x = eval(y)\n", 0, ""),
        ("def f():\n    pass\n\n\nx = 1\n", 4, ""),
        ("def f(a,\n      b):\n    call(a,\n         b)\n", 3, "def f(a,"),
    ],
)
def test_enclosing_scope_finds_the_nearest_definition(source: str, line: int, scope: str) -> None:
    assert enclosing_scope(source.splitlines(), line) == scope


def test_enclosing_scope_is_normalised_and_tolerates_bad_indexes() -> None:
    lines = ["def   handler( request ):", "", "    eval(request)"]
    assert enclosing_scope(lines, 2) == "def handler( request ):"
    assert enclosing_scope(lines, 99) == ""
    assert enclosing_scope(lines, -1) == ""


@settings(max_examples=50)
@given(sources)
def test_enclosing_scope_of_generated_code_is_the_function_header(source: Source) -> None:
    assert enclosing_scope(source.lines, source.match_index) == source.header


# -- published test vectors (docs/fingerprints.md §5): a change here is a new spec version ----


def test_published_test_vectors() -> None:
    value_hash = secret_value_hash("AKIAIOSFODNN7EXAMPLE")
    lines = ["import subprocess", "", "def run(cmd):", "    subprocess.call(cmd, shell=True)"]
    scope = enclosing_scope(lines, 3)
    assert scope == "def run(cmd):"
    assert value_hash == "8460e31d0798e1825ecae858d2c076e6"
    assert (
        secret_value_hash("AKIAIOSFODNN7EXAMPLE", b"my-org-key")
        == "02e9cb2955f618026380bfc64b48b831"
    )
    assert (
        secret_fingerprint(rule_family="aws", value_hash=value_hash, path="deploy/.env")
        == "084fe3c47876523e7a8822ded685ea38"
    )
    for occurrence, expected in (
        (0, "c6fe7d191a70be3d6ab8a119b9c530b1"),
        (1, "9d1e2c0a0c77144588afe250005d52c9"),
    ):
        assert (
            code_fingerprint(
                rule_id="sast/python-subprocess-shell",
                path="app/tasks.py",
                snippet="subprocess.call(cmd, shell=True)",
                scope=scope,
                occurrence=occurrence,
            )
            == expected
        )
    assert (
        iac_fingerprint(
            rule_id="iac/aws-s3-public-acl", path="infra/main.tf", resource="aws_s3_bucket.logs"
        )
        == "1bc5c920321f0317092fcbc539b4caea"
    )
    assert (
        iac_fingerprint(
            rule_id="iac/dockerfile-root-user", path="Dockerfile", resource="", snippet="USER  root"
        )
        == "5d16408f9bc8a6b3f500848d6222c0f6"
    )
    assert (
        vulnerability_fingerprint(
            advisory_id="GHSA-qrw5-5h28-6cmg",
            purl_without_version="pkg:pypi/django",
            manifest_path="requirements.txt",
        )
        == "82e363c6f9bffaaafc0812bba80d41c3"
    )
    assert (
        license_fingerprint(purl_without_version="pkg:npm/left-pad", license_id="GPL-3.0-only")
        == "5f2875511927e65d9e11f41c14e962c0"
    )
    assert (
        normalise_url("https://Shop.Example.com/search?q=shoes&page=2#top")
        == "https://shop.example.com/search?page&q"
    )
    assert (
        url_fingerprint(
            rule_id="dast/reflected-xss",
            url="https://Shop.Example.com/search?q=shoes&page=2#top",
            parameter="q",
        )
        == "ae2b7432ae73dd93558c336a87b9cf59"
    )
    assert (
        subject_fingerprint(
            kind="supply-chain",
            rule_id="supply-chain/unpinned-action",
            subject=".github/workflows/ci.yml:actions/checkout",
        )
        == "5860bc23f11497ec18befa2faf3d80c4"
    )


def test_the_envelope_is_a_truncated_sha256_of_separated_fields() -> None:
    """docs/fingerprints.md §1, reproduced independently of the implementation."""
    text = "\x1f".join(
        ["lockgate-fingerprint", "v1", "license", "pkg:npm/left-pad", "GPL-3.0-only"]
    )
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    assert (
        license_fingerprint(purl_without_version="pkg:npm/left-pad", license_id="GPL-3.0-only")
        == expected
    )
