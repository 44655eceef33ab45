"""The native JSON document (``schemas/report-1.0.schema.json``): the lossless format."""

from __future__ import annotations

from lockgate.model import Decision, ScanReport
from lockgate.model.codec import report_to_json
from lockgate.reporters.interface import RenderOptions


class JsonReporter:
    """Native JSON: the report and decision exactly as ``report_from_json`` reads them back."""

    name = "json"
    default_filename = "lockgate.json"

    def render(self, report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
        """``report_to_json(report, decision)``; options do not change a lossless format."""
        del options
        return report_to_json(report, decision)
