"""The reporter role (ARCHITECTURE.md §2, §6): render a report and its decision as text.

A reporter is a pure function of ``(report, decision, options)``: no I/O, no clock, no
environment reads, and the same input always gives the same text. Reporters are found
through the ``lockgate.reporters`` entry-point group, so every class must be constructible
without arguments; per-render settings travel in :class:`RenderOptions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from lockgate.model import Decision, ScanReport

DEFAULT_INFORMATION_URI = "https://github.com/lockgate/lockgate"
MIN_WIDTH = 40
MIN_MARKDOWN_CHARS = 1000


@dataclass(frozen=True, kw_only=True, slots=True)
class RenderOptions:
    """How to render: terminal colour and width, verbosity, tool identity, size limits."""

    tool_version: str
    color: bool = False
    width: int = 100
    verbose: bool = False
    information_uri: str = DEFAULT_INFORMATION_URI
    max_markdown_chars: int = 60000
    """GitHub rejects comments above 65,536 characters; stay below with room to spare."""

    def __post_init__(self) -> None:
        if not self.tool_version:
            raise ValueError("RenderOptions.tool_version must not be empty")
        if self.width < MIN_WIDTH:
            raise ValueError(f"RenderOptions.width must be at least {MIN_WIDTH}, got {self.width}")
        if self.max_markdown_chars < MIN_MARKDOWN_CHARS:
            raise ValueError(
                f"RenderOptions.max_markdown_chars must be at least "
                f"{MIN_MARKDOWN_CHARS}, got {self.max_markdown_chars}"
            )


@runtime_checkable
class Reporter(Protocol):
    """One output format. ``name`` is the ``--format`` value; instances hold no state."""

    name: str
    """The format name users pass to ``--format`` (matches the entry-point name)."""
    default_filename: str
    """Where the output goes when the user names the format but no file."""

    def render(self, report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
        """The whole document for ``report`` judged by ``decision`` (facts only when None)."""
        ...
