"""Binary detection by content, never by file extension.

A file is binary when its first 8 KiB hold a NUL byte (git's own test) or when more than
one byte in twenty is a control character other than the usual whitespace and ESC. Bytes
at or above 0x80 count as text so that UTF-8 and Latin-1 sources pass.

UTF-16 and UTF-32 text, with or without a byte-order mark, is treated as binary: every
ASCII character carries a NUL byte, git diffs it as binary, and the byte-oriented
scanners could not match it anyway. The skip detail names the encoding so that the user
knows why such a file was not scanned.
"""

from __future__ import annotations

import os

SNIFF_BYTES = 8192
"""How much of a file's start decides whether it is binary."""

_MAX_CONTROL_RATIO = 0.05

# Control bytes that do not occur in text: everything below 0x20 except \t \n \v \f \r and
# ESC (terminal colour codes in logs), plus DEL.
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_TEXT_BYTES = bytes(b for b in range(256) if b not in _CONTROL)

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 text"),
    (b"\x00\x00\xfe\xff", "UTF-32 text"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
)

_BOM_STARTS = frozenset(bom[0] for bom, _ in _BOMS)


def binary_reason(data: bytes) -> str | None:
    """Why ``data`` (a file's start) looks binary, for the skip detail; ``None`` for text."""
    if not data:
        return None
    if data[0] in _BOM_STARTS:
        for bom, name in _BOMS:
            if data.startswith(bom):
                return f"{name} (byte-order mark); only 8-bit encodings are scanned"
    if data.find(b"\x00", 0, SNIFF_BYTES) != -1:
        return "binary content (NUL byte in the first 8 KiB)"
    sample = data[:SNIFF_BYTES]  # no copy when the data is no longer
    controls = len(sample.translate(None, _TEXT_BYTES))
    if controls > len(sample) * _MAX_CONTROL_RATIO:
        return f"binary content ({controls} control bytes in the first {len(sample)})"
    return None


_ARCHIVE_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty zip
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)


def archive_format(data: bytes) -> str | None:
    """The archive format of a file's first bytes (zip, jar, wheel, tar and compressed
    tar), or ``None``. Archives are binary but scannable: sources keep them in scope."""
    for magic, name in _ARCHIVE_MAGIC:
        if data.startswith(magic):
            return name
    if len(data) > 262 and data[257:262] == b"ustar":
        return "tar"
    return None


def is_binary(data: bytes) -> bool:
    """Whether ``data`` (at least a file's first 8 KiB, when it has them) is binary."""
    return binary_reason(data) is not None


def sniff_file(path: str | os.PathLike[str]) -> tuple[int, bool]:
    """The size of the regular file at ``path`` and whether it is binary, reading 8 KiB."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        return size, is_binary(os.read(fd, SNIFF_BYTES))
    finally:
        os.close(fd)
