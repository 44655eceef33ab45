"""The fast lockfile YAML reader gives exactly what PyYAML gives, or defers to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lockgate.inventory.interface import ManifestError
from lockgate.inventory.javascript._yamlsubset import _load_subset, _Unsupported, load
from tests.conftest import shared_dataset

PNPM_LIKE = """\
lockfileVersion: '9.0'

settings:
  autoInstallPeers: true   # trailing comment

importers:

  .:
    dependencies:
      '@scope/a':
        specifier: ^1.0.0
        version: 1.0.0(react@18.2.0)

packages:

  '@scope/a@1.0.0':
    resolution: {integrity: sha512-AAAA==, tarball: 'https://x/a-1.0.0.tgz'}
    engines: {node: ^12.22.0 || >=14}
    os: [darwin, linux]
    cpu: []
    hasBin: true
    peerDependencies:
      react: '>=16'
    transitivePeerDependencies:
      - supports-color
      - "quoted # not a comment"

snapshots:

  '@scope/a@1.0.0(react@18.2.0)': {}
"""


def _reference(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CBaseLoader)  # noqa: S506 - BaseLoader builds no objects


def test_lockfile_layout_is_read_without_pyyaml() -> None:
    assert _load_subset(PNPM_LIKE) == _reference(PNPM_LIKE)


def test_empty_and_comment_only_documents_are_none() -> None:
    assert load("", "x") is None
    assert load("# nothing here\n\n", "x") is None


@pytest.mark.parametrize(
    "text",
    [
        "key: |\n  block scalar\n",
        "key: &anchor value\nother: *anchor\n",
        "key: long plain\n  continued on the next line\n",
        "list:\n  - name: a\n    version: 1\n",
        "---\nkey: value\n",
        "key: 'it''s'\nother: \"tab\\x41\"\n",
    ],
)
def test_other_yaml_is_read_by_pyyaml_with_the_same_result(text: str) -> None:
    with pytest.raises(_Unsupported):
        _load_subset(text)
    assert load(text, "x") == _reference(text)


def test_invalid_yaml_is_a_located_error() -> None:
    with pytest.raises(ManifestError) as caught:
        load("a: b\n  c: [d\n", "pnpm-lock.yaml")
    assert caught.value.path == "pnpm-lock.yaml"
    assert caught.value.line is not None


_TEXT = st.text(alphabet="ab-_.@/:#'\"{}[], 19^~<>=|*&!\n\t\\é", max_size=12)
_KEY = st.text(alphabet="abc-_.@/19", min_size=1, max_size=8) | _TEXT.filter(bool)
_DOC = st.recursive(
    _TEXT,
    lambda inner: st.lists(_TEXT, max_size=3) | st.dictionaries(_KEY, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEY, _DOC, min_size=1, max_size=4), st.booleans())
def test_any_dumped_document_reads_back_like_pyyaml(doc: dict[str, Any], flow: bool) -> None:
    text = yaml.safe_dump(doc, default_flow_style=None if flow else False, allow_unicode=True)
    assert load(text, "x") == _reference(text)


def test_every_pnpm_and_berry_fixture_takes_the_fast_path() -> None:
    files = [
        *Path(shared_dataset("lockfiles", "osv-detector", "pnpm")).glob("*.yaml"),
        *Path(shared_dataset("lockfiles", "osv-detector", "yarn")).glob("*.v2.lock"),
    ]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert _load_subset(text) == _reference(text), path.name


_LINE = st.tuples(
    st.sampled_from([0, 0, 2, 4, 6]),
    st.sampled_from(["- ", ""]),
    st.text(alphabet="ab1-_.@/:#'\" {}[],&*|>!?", min_size=0, max_size=10),
    st.sampled_from([":", ": ", "", " "]),
    st.text(alphabet="ab1-_.@/:#'\" {}[],&*|>!?", max_size=10),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=12))
def test_arbitrary_text_reads_like_pyyaml_or_fails_like_it(lines: list[Any]) -> None:
    text = "\n".join(
        " " * indent + dash + key + colon + value for indent, dash, key, colon, value in lines
    )
    try:
        expected = _reference(text)
    except yaml.YAMLError:
        with pytest.raises(ManifestError):
            load(text, "x")
        return
    assert load(text, "x") == expected
