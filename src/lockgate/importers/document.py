"""Reading a report file: size limit, text decoding, then JSON, JSON lines or XML.

Every failure is a :class:`ReportFormatError` with the file and, where the parser knows it,
the line: a truncated JSON file says so, an XML file with a DTD or entities is refused
(defusedxml), a file in UTF-16 (as PowerShell redirection writes it) is still read.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

from lockgate.errors import InputError
from lockgate.importers.interface import Document, ReportFormatError

MAX_REPORT_BYTES = 512 * 1024 * 1024


def read_document(path: Path, display: str | None = None) -> Document:
    """Read and parse the report at ``path`` (``display`` names it in errors)."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_BYTES:
            raise ReportFormatError(
                f"the report is {size} bytes, more than the {MAX_REPORT_BYTES} lockgate reads",
                path=name,
                hint="split the scan into smaller reports",
            )
        raw = path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory, not a report file", path=name) from None
    except FileNotFoundError:
        raise InputError("no such report file", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the report: {exc.strerror or exc}", path=name) from None
    return parse_document(decode(raw, name), name)


def decode(raw: bytes, name: str) -> str:
    """The report's text: UTF-8 (with or without BOM), or UTF-16/32 with a BOM."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                raise ReportFormatError(
                    f"the report starts with a {encoding.upper()} byte-order mark but is not "
                    "valid in that encoding",
                    path=name,
                ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ReportFormatError(
            "the report is not UTF-8 text (is it a binary or compressed file?)",
            path=name,
            line=line,
        ) from None


def parse_document(text: str, name: str) -> Document:
    """Parse report text: XML when it starts with ``<``, else JSON, else JSON lines."""
    stripped = text.lstrip()
    if not stripped:
        return Document(path=name, syntax="empty", data=None)
    if stripped.startswith("<"):
        return _parse_xml(text, name)
    try:
        return Document(path=name, syntax="json", data=json.loads(text))
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            return _parse_json_lines(text, name)
        raise _json_error(exc, text, name) from None
    except RecursionError:
        raise ReportFormatError("the JSON is nested too deeply", path=name) from None


def _truncated(exc: json.JSONDecodeError, text: str) -> bool:
    """The decoder ran off the end: a cut file, not a typo."""
    return exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")


def _json_error(exc: json.JSONDecodeError, text: str, name: str) -> ReportFormatError:
    where = f"line {exc.lineno}, column {exc.colno}"
    if _truncated(exc, text):
        return ReportFormatError(
            f"the JSON ends early ({exc.msg}; {where})",
            path=name,
            line=exc.lineno,
            hint="the report looks truncated: was the tool interrupted, or did the disk fill?",
        )
    return ReportFormatError(f"not valid JSON: {exc.msg} ({where})", path=name, line=exc.lineno)


def _parse_json_lines(text: str, name: str) -> Document:
    values: list[tuple[int, object]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            what = "ends early" if _truncated(exc, line) else "is not valid JSON"
            raise ReportFormatError(
                f"JSON lines report: line {number} {what} ({exc.msg}; column {exc.colno})",
                path=name,
                line=number,
                hint="each line of a JSON lines report must be one complete JSON value",
            ) from None
    return Document(path=name, syntax="ndjson", data=values)


def _parse_xml(text: str, name: str) -> Document:
    from xml.etree.ElementTree import ParseError

    import defusedxml
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(text)
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise ReportFormatError(f"not well-formed XML: {exc}", path=name, line=line) from None
    except defusedxml.DefusedXmlException as exc:
        raise ReportFormatError(
            f"the XML uses a construct refused for safety ({type(exc).__name__})",
            path=name,
            hint="reports never need DTDs or entity declarations",
        ) from None
    return Document(path=name, syntax="xml", data=root)
