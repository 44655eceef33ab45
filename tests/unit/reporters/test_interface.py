"""Reporters as the CLI loads them: entry points, options, purity and start-up cost."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from lockgate.reporters import RenderOptions, Reporter
from lockgate.reporters.json_native import JsonReporter
from lockgate.reporters.junit import JunitReporter
from lockgate.reporters.markdown import MarkdownReporter
from lockgate.reporters.sarif import SarifReporter
from lockgate.reporters.table import TableReporter
from tests.helpers.sample_reports import sample, sample_report

FORMATS = ("table", "json", "sarif", "markdown", "junit")

# mypy checks here that every built-in class satisfies the Reporter protocol.
BUILTIN: tuple[Reporter, ...] = (
    TableReporter(),
    JsonReporter(),
    SarifReporter(),
    MarkdownReporter(),
    JunitReporter(),
)


def _reporter(name: str) -> Reporter:
    (ep,) = entry_points(group="lockgate.reporters", name=name)
    reporter = ep.load()()
    assert isinstance(reporter, Reporter)
    return reporter


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_loads_from_its_entry_point(name: str) -> None:
    reporter = _reporter(name)
    assert reporter.name == name
    assert reporter.default_filename


def test_default_filenames_do_not_collide() -> None:
    """``--format sarif --format json`` must not write both to the same file."""
    names = [r.default_filename for r in BUILTIN]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("name", FORMATS)
def test_rendering_is_deterministic_and_total(name: str) -> None:
    reporter = _reporter(name)
    options = RenderOptions(tool_version="0.1.0")
    first = reporter.render(*sample(), options)
    assert first == reporter.render(*sample(), options)
    assert first.endswith("\n")
    assert reporter.render(sample_report(), None, options)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("width", 10),
        ("max_markdown_chars", 10),
        ("tool_version", ""),
    ],
)
def test_bad_options_are_rejected(field: str, value: object) -> None:
    kwargs: dict[str, object] = {"tool_version": "0.1.0", field: value}
    with pytest.raises(ValueError, match=field):
        RenderOptions(**kwargs)  # type: ignore[arg-type]


def test_loading_reporters_does_not_import_rich() -> None:
    """``rich`` costs start-up time; only rendering a table may import it."""
    code = (
        "import sys, lockgate.reporters, lockgate.reporters.table, "
        "lockgate.reporters.sarif, lockgate.reporters.markdown, lockgate.reporters.junit; "
        "print('rich' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
