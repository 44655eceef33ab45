"""Which tool wrote a report, told from its content (never from its file name).

Each importer's ``sniff`` looks for the keys only its tool writes (Trivy's ``SchemaVersion``,
Grype's ``descriptor``, Bandit's ``metrics``, SARIF's ``runs``, …); they are tried in a fixed
order, most specific first. An empty report (``[]`` or nothing at all) is what several
tools write when they find nothing, so it cannot be attributed: the error says so and asks
for ``--tool``.
"""

from __future__ import annotations

from collections.abc import Sequence

from lockgate.importers.interface import Document, ReportFormatError, ReportParser


def _supported(parsers: Sequence[ReportParser]) -> str:
    return ", ".join(f"{p.name} ({p.title})" for p in parsers)


def detect(document: Document, parsers: Sequence[ReportParser]) -> ReportParser:
    """The importer for ``document``, or :class:`ReportFormatError` listing every
    supported tool."""
    names = ", ".join(p.name for p in parsers)
    if document.syntax == "empty" or (document.syntax == "json" and document.data in ([], {})):
        what = (
            "empty"
            if document.syntax == "empty"
            else f"an empty JSON {type(document.data).__name__}"
        )
        raise ReportFormatError(
            f"the report is {what}: several tools write that when they find nothing, so the "
            "tool cannot be told from the content",
            path=document.path,
            hint=f"pass --tool NAME (one of: {names})",
        )
    for parser in parsers:
        if parser.sniff(document):
            return parser
    raise ReportFormatError(
        f"cannot tell which tool wrote this {document.syntax.upper()} report; supported: "
        f"{_supported(parsers)}",
        path=document.path,
        hint=f"if it is one of them, pass --tool NAME (one of: {names})",
    )
