"""Optional one-level decoding: secrets hidden in base64 or hex blobs.

Blobs are decoded once (never recursively); when the result is text, the rules run over it
and a match is reported at the blob's position with ``encoding`` set.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re

from lockgate.scanners.secrets.matcher import LineIndex, SecretMatch
from lockgate.scanners.secrets.scanner import SecretScanner, decode

_BASE64 = re.compile(rb"[A-Za-z0-9+/]{24,4096}={0,2}|[A-Za-z0-9_-]{24,4096}={0,2}")
_HEX = re.compile(rb"\b(?:[0-9a-fA-F]{2}){16,2048}\b")
MAX_DECODED = 1024 * 1024


def _printable(data: bytes) -> bool:
    if not data:
        return False
    text = sum(1 for b in data if 32 <= b < 127 or b in (9, 10, 13))
    return text / len(data) > 0.95


def _decode_blob(blob: bytes) -> tuple[str, bytes] | None:
    if _HEX.fullmatch(blob):
        try:
            return "hex", binascii.unhexlify(blob)
        except binascii.Error:
            return None
    padded = blob + b"=" * (-len(blob) % 4)
    try:
        if b"-" in blob or b"_" in blob:
            return "base64", base64.urlsafe_b64decode(padded)
        return "base64", base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def decoded_matches(
    scanner: SecretScanner, data: bytes, path: str, plain: list[SecretMatch]
) -> list[SecretMatch]:
    """Matches inside decoded blobs of ``data`` not already found in plain text."""
    seen = {m.value for m in plain}
    text = decode(data)
    index = LineIndex(text)
    out: list[SecretMatch] = []
    budget = MAX_DECODED
    spans = sorted({m.span() for rx in (_HEX, _BASE64) for m in rx.finditer(data)})
    for start, end in spans:
        decoded = _decode_blob(data[start:end])
        if decoded is None:
            continue
        encoding, content = decoded
        if not _printable(content) or len(content) > budget:
            continue
        budget -= len(content)
        char_start = len(data[:start].decode("utf-8", "surrogateescape"))
        line, column = index.position(char_start)
        for match in scanner.scan_buffer(content, path):
            if match.value in seen:
                continue
            seen.add(match.value)
            out.append(
                dataclasses.replace(
                    match,
                    line=line,
                    column=column,
                    end_line=line,
                    end_column=column + (end - start),
                    line_text=index.line_text(line),
                    encoding=encoding,
                    literal=decode(data[start:end]),
                )
            )
    return out
