"""The one error root of lockgate, with actionable diagnostics.

Errors are raised anywhere below the CLI and caught once in ``main()``; each carries the exit
code it maps to (ARCHITECTURE.md §6) and a hint for the user.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class LockgateError(Exception):
    """Root of every error lockgate raises on purpose."""

    exit_code: int = EXIT_INTERNAL

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def location(self) -> str:
        """``file:line`` prefix for the message, or an empty string."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def diagnostics(self) -> str:
        """Actionable text for the user: where, what, and what to do about it."""
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(LockgateError):
    """Bad command-line usage (unknown stage, unknown control, conflicting flags)."""

    exit_code = EXIT_USAGE


class ConfigError(LockgateError):
    """An invalid configuration, exceptions or policy file."""

    exit_code = EXIT_USAGE


class InputError(LockgateError):
    """Input lockgate cannot work with: a missing path, a corrupt report, no git repository."""

    exit_code = EXIT_USAGE


class ToolError(LockgateError):
    """An external program lockgate drives (git, semgrep, helm) failed."""

    exit_code = EXIT_INTERNAL
