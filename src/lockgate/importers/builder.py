"""Assembling an :class:`ImportedReport`: findings with lockgate's conventions, skips, errors.

Every importer builds its findings through :class:`ReportBuilder`, which fixes what they share:
``control_id`` ``import-<tool>``, the importer version, the stage of each kind (secrets and
code at ``code``, vulnerabilities and licenses at ``build``, misconfigurations at
``deploy``, DAST at ``test``), occurrence numbers for code findings whose matched code repeats
in a file, and one finding per fingerprint (a duplicate adds its line to ``also_at_lines``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lockgate.importers.interface import (
    IMPORTER_VERSION,
    Document,
    ImportContext,
    ImportedReport,
    ReportFormatError,
)
from lockgate.importers.paths import relative_path
from lockgate.model import (
    Component,
    ControlError,
    ErrorKind,
    Finding,
    FindingKind,
    Location,
    SkippedItem,
    SkipReason,
    Stage,
    pairs,
)
from lockgate.model.fingerprint import code_fingerprint, normalise_code

STAGE_OF_KIND = {
    FindingKind.SECRET: Stage.CODE,
    FindingKind.SAST: Stage.CODE,
    FindingKind.VULNERABILITY: Stage.BUILD,
    FindingKind.LICENSE: Stage.BUILD,
    FindingKind.SUPPLY_CHAIN: Stage.BUILD,
    FindingKind.MISCONFIG: Stage.DEPLOY,
    FindingKind.DAST: Stage.TEST,
    FindingKind.RUNTIME: Stage.OPERATE,
    FindingKind.POLICY: Stage.RELEASE,
}

MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_REFERENCES = 20
SUPPRESSED = "suppressed"

_WS = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]+>")
_CWE = re.compile(r"(?i)^\s*(?:cwe)?[-_: ]*(\d+)\b")


def obj(value: object) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def string(value: object) -> str:
    """``value`` when it is a string, else the empty string."""
    return value if isinstance(value, str) else ""


def one_line(text: object, limit: int = MAX_TITLE) -> str:
    """``text`` on one line, whitespace collapsed, cut to ``limit`` characters."""
    if not isinstance(text, str):
        return ""
    flat = _WS.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def clip(text: object, limit: int = MAX_DESCRIPTION) -> str:
    """``text`` trimmed and cut to ``limit`` characters."""
    if not isinstance(text, str):
        return ""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def strip_html(text: object) -> str:
    """Plain text of an HTML fragment (ZAP writes ``<p>…</p>``), paragraphs on new lines."""
    if not isinstance(text, str):
        return ""
    text = re.sub(r"(?i)</p>\s*<p>|<br\s*/?>", "\n", text)
    return html.unescape(_TAG.sub("", text)).strip()


def cwe_ids(values: Iterable[object]) -> tuple[str, ...]:
    """CWE ids as ``CWE-<n>`` from ints, ``"79"``, ``"CWE-79"`` or ``"CWE-79: Name"``, sorted
    by number; ``-1``/``0`` (tools' "none") are dropped."""
    numbers: set[int] = set()
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            number = value
        elif isinstance(value, str):
            match = _CWE.match(value)
            if match is None:
                continue
            number = int(match.group(1))
        else:
            continue
        if number > 0:
            numbers.add(number)
    return tuple(f"CWE-{n}" for n in sorted(numbers))


def unique(values: Iterable[object], limit: int | None = None) -> tuple[str, ...]:
    """Non-empty strings of ``values``, first occurrence kept, in order."""
    out = list(dict.fromkeys(v.strip() for v in values if isinstance(v, str) and v.strip()))
    return tuple(out[:limit] if limit is not None else out)


def text_of(value: object) -> str | None:
    """A non-empty string, or None (numbers are turned into text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def int_of(value: object) -> int | None:
    """A positive integer (1-based line or column) from a number or numeric text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and value >= 1:
        return value
    return None


def location(
    path: str,
    *,
    start_line: object = None,
    end_line: object = None,
    start_column: object = None,
    end_column: object = None,
    commit: object = None,
    snippet: str | None = None,
) -> Location:
    """A location from a tool's raw numbers: anything not a positive line or column is
    dropped, as is an end before the start; the snippet is put on one line."""
    start = int_of(start_line)
    if start is None:
        return Location(path=path, commit=text_of(commit))
    end = int_of(end_line)
    if end is not None and end < start:
        end = None
    return Location(
        path=path,
        start_line=start,
        start_column=int_of(start_column),
        end_line=end,
        end_column=int_of(end_column) if end is not None else None,
        commit=text_of(commit),
        snippet=one_line(snippet, 300) or None if snippet else None,
    )


#: What a malformed entry of an otherwise valid report raises in an importer: a model
#: invariant it breaks (ValueError) or a value of an unexpected JSON type.
ENTRY_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError)


@dataclass
class _CodeHit:
    where: str
    rule_id: str
    path: str
    snippet: str
    line: int
    column: int
    order: int
    make: Callable[[str], Finding]


@dataclass
class ReportBuilder:
    """Collects what one importer makes of one report; :meth:`build` seals it."""

    tool: str
    document: Document
    context: ImportContext
    skipped: list[SkippedItem] = field(default_factory=list)
    errors: list[ControlError] = field(default_factory=list)
    _findings: dict[str, list[Finding]] = field(default_factory=dict)
    _code: list[_CodeHit] = field(default_factory=list)
    _components: dict[str, Component] = field(default_factory=dict)

    @property
    def control_id(self) -> str:
        return f"import-{self.tool}"

    # -- inputs ----------------------------------------------------------------------------

    def path(self, raw: object, where: str) -> str | None:
        """``raw`` as a target-relative POSIX path; None (and a skip) when it is unusable."""
        if not isinstance(raw, str) or not raw.strip():
            self.skip(where, "the entry names no file")
            return None
        path = relative_path(raw, self.context.base)
        if path is None:
            self.skip(where, f"the path {raw!r} is outside the scanned tree")
        return path

    @contextlib.contextmanager
    def guard(self, where: str) -> Iterator[None]:
        """Turn an entry the importer cannot use into a skip with the reason, so that one
        odd entry never costs the rest of the report."""
        try:
            yield
        except ENTRY_ERRORS as exc:
            self.skip(where, f"the entry cannot be imported ({type(exc).__name__}: {exc})")

    def skip(self, where: str, reason: str, kind: SkipReason = SkipReason.UNSUPPORTED) -> None:
        """Record an entry of the report that yields no finding, and why."""
        self.skipped.append(
            SkippedItem(path=self.document.path, reason=kind, detail=f"{where}: {reason}")
        )

    def error(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        detail: str = "",
    ) -> None:
        """A problem the tool itself reported (a file it could not parse): kept, not fatal."""
        self.errors.append(
            ControlError(
                kind=ErrorKind.INPUT,
                message=message,
                fatal=False,
                path=path,
                line=line,
                detail=detail,
            )
        )

    # -- findings --------------------------------------------------------------------------

    def finding(
        self,
        *,
        kind: FindingKind,
        rule_id: str,
        title: str,
        fingerprint: str,
        properties: Mapping[str, object | None] | None = None,
        **fields: object,
    ) -> Finding:
        """A finding with this importer's control id, version and the kind's stage.

        ``properties`` values that are None or empty are dropped."""
        props = {k: v for k, v in (properties or {}).items() if v is not None and v != ""}
        values: dict[str, object] = {
            "stage": STAGE_OF_KIND[kind],
            "description": "",
            "remediation": "",
        }
        values.update(fields)
        values["description"] = clip(values["description"])
        values["remediation"] = clip(values["remediation"])
        refs = values.get("references", ())
        values["references"] = unique(
            refs if isinstance(refs, (list, tuple)) else (), MAX_REFERENCES
        )
        return Finding(
            kind=kind,
            rule_id=rule_id,
            title=one_line(title) or rule_id,
            fingerprint=fingerprint,
            control_id=self.control_id,
            control_version=IMPORTER_VERSION,
            properties=pairs(props),
            **values,  # type: ignore[arg-type]
        )

    def add(self, finding: Finding) -> None:
        """Add a finding; another with the same fingerprint is merged into it at build."""
        self._findings.setdefault(finding.fingerprint, []).append(finding)
        if finding.component is not None:
            self.add_component(finding.component)

    def add_code(
        self,
        *,
        rule_id: str,
        path: str,
        snippet: str,
        line: int | None,
        column: int | None,
        make: Callable[[str], Finding],
        where: str = "",
    ) -> None:
        """A code finding whose fingerprint needs its occurrence among identical matches:
        ``make(fingerprint)`` is called at build time."""
        self._code.append(
            _CodeHit(where, rule_id, path, snippet, line or 0, column or 0, len(self._code), make)
        )

    def add_component(self, component: Component) -> None:
        self._components.setdefault(component.purl, component)

    # -- output ----------------------------------------------------------------------------

    def _finish_code(self) -> None:
        groups: dict[tuple[str, str, str], list[_CodeHit]] = {}
        for hit in self._code:
            groups.setdefault((hit.rule_id, hit.path, normalise_code(hit.snippet)), []).append(hit)
        for (rule_id, path, snippet), hits in groups.items():
            hits.sort(key=lambda h: (h.line, h.column, h.order))
            for occurrence, hit in enumerate(hits):
                fingerprint = code_fingerprint(
                    rule_id=rule_id, path=path, snippet=snippet, occurrence=occurrence
                )
                with self.guard(hit.where or path):
                    self.add(hit.make(fingerprint))
        self._code.clear()

    def _merged(self, group: list[Finding]) -> Finding:
        best = max(
            enumerate(group),
            key=lambda item: (item[1].prop(SUPPRESSED) is None, item[1].severity.rank, -item[0]),
        )[1]
        if len(group) == 1:
            return best
        lines = {
            f.location.start_line
            for f in group
            if f.location is not None and f.location.start_line is not None
        }
        if best.location is not None:
            lines.discard(best.location.start_line)
        if not lines:
            return best
        props = dict(best.properties)
        props["also_at_lines"] = ",".join(str(n) for n in sorted(lines))
        return dataclasses.replace(best, properties=pairs(props))

    def build(
        self,
        *,
        tool_version: str | None,
        source_tool: str | None = None,
        target: str | None = None,
    ) -> ImportedReport:
        """The sealed report: findings sorted, duplicates merged, components by purl."""
        self._finish_code()
        # One key per item: comparing models pairwise rebuilds both keys every time.
        findings = sorted(
            (self._merged(group) for group in self._findings.values()), key=Finding.sort_key
        )
        return ImportedReport(
            tool=self.tool,
            tool_version=tool_version or None,
            findings=tuple(findings),
            components=tuple(sorted(self._components.values(), key=Component.sort_key)),
            errors=tuple(self.errors),
            skipped=tuple(self.skipped),
            source=self.document.path,
            source_tool=source_tool,
            target=target,
            control_id=self.control_id,
        )


def shape_error(document: Document, message: str, line: int | None = None) -> ReportFormatError:
    """The error for a report that parses but is not the shape its tool writes."""
    return ReportFormatError(message, path=document.path, line=line)


def require_object(document: Document, value: object, what: str) -> dict[str, object]:
    """``value`` as a JSON object, else a located :class:`ReportFormatError`."""
    if not isinstance(value, dict):
        raise shape_error(document, f"{what} must be a JSON object, not {_json_type(value)}")
    return value


def require_list(document: Document, value: object, what: str) -> list[object]:
    """``value`` as a JSON array (``null`` counts as empty), else a located error."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise shape_error(document, f"{what} must be a JSON array, not {_json_type(value)}")
    return value


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
