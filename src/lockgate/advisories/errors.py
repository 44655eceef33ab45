"""Errors of the advisory data layer, each carrying the file or URL it is about."""

from __future__ import annotations

from lockgate.errors import InputError

#: What to tell a user who has no usable advisory data.
GET_DATA_HINT = (
    "download advisories with 'lockgate db update', or import an OSV directory or zip "
    "with 'lockgate db import PATH'"
)


class AdvisoryError(InputError):
    """One OSV record, file or archive that cannot be read (carries its path, and the line
    when the parser knows it)."""


class AdvisoryDataError(InputError):
    """The local advisory database is missing, empty, unreadable or of another schema
    version; the hint says how to get usable data."""


class AdvisoryDownloadError(InputError):
    """Advisory data could not be downloaded (the message names the URL); the local
    database is left as it was."""
