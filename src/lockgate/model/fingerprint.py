"""Fingerprint spec v1 (docs/fingerprints.md): stable finding identities.

A fingerprint must survive line moves, edits elsewhere in the file, re-runs and tool upgrades,
and must change when what the finding is about changes. Every function here is pure and
documented in ``docs/fingerprints.md``; change them only together with the spec version.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

FINGERPRINT_VERSION = "v1"
SARIF_KEY = f"lockgate/{FINGERPRINT_VERSION}"
"""The ``partialFingerprints`` key under which SARIF output carries the fingerprint."""

DEFAULT_SECRET_HASH_KEY = b"lockgate-secret-hash-key/v1"
"""Public fallback key for secret value hashes; set ``LOCKGATE_SECRET_HASH_KEY`` to your own."""

_SEP = "\x1f"
_WS = re.compile(r"\s+")
_MODIFIERS = (
    r"(?:(?:export|default|public|private|protected|internal|static|final|async|abstract|"
    r"virtual|override|sealed|inline|unsafe|extern|synchronized|pub(?:\([a-z]+\))?|"
    r"open|suspend|partial)\s+)*"
)
_SCOPE = re.compile(
    r"^\s*"
    + _MODIFIERS
    + r"(?:def|class|function\*?|func|fn|sub|module|interface|struct|impl|resource|data|"
    r"object|trait|enum|namespace|fun|record)\s+[\"'A-Za-z_$(<]"
)
"""A definition keyword followed by a name (so ``data = {`` or ``object.x()`` are not)."""
_METHOD = re.compile(
    r"^\s*(?:(?:public|private|protected|internal|static|final|virtual|override|abstract|"
    r"async|synchronized|sealed|unsafe|extern)\s+)+[\w<>\[\],.?\s]*?\b\w+\s*\("
)
"""Java, C# and Kotlin-style methods: modifiers, a return type, a name and a parenthesis."""


def _digest(kind: str, *parts: str) -> str:
    text = _SEP.join(("lockgate-fingerprint", FINGERPRINT_VERSION, kind, *parts))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def normalise_code(text: str) -> str:
    """Code with every run of whitespace collapsed to one space, trimmed."""
    return _WS.sub(" ", text).strip()


def enclosing_scope(lines: Sequence[str], line_index: int) -> str:
    """The normalised header of the nearest enclosing definition above ``line_index`` (0-based).

    A heuristic that works across languages: walk up to the nearest line with smaller
    indentation that opens a definition (def, class, function, func, resource, …).
    Returns an empty string at module level.
    """
    if not 0 <= line_index < len(lines):
        return ""
    current = lines[line_index]
    indent = len(current) - len(current.lstrip())
    for candidate in reversed(lines[:line_index]):
        if indent == 0:
            break
        if not candidate.strip():
            continue
        cand_indent = len(candidate) - len(candidate.lstrip())
        if cand_indent < indent:
            if _SCOPE.match(candidate) or _METHOD.match(candidate):
                return normalise_code(candidate)
            indent = cand_indent
    return ""


def secret_value_hash(value: str, key: bytes = DEFAULT_SECRET_HASH_KEY) -> str:
    """Keyed hash (HMAC-SHA256) of a secret value: identity without the value itself."""
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


def secret_fingerprint(*, rule_family: str, value_hash: str, path: str) -> str:
    """Secret: rule family + keyed value hash + path. Moves within a file keep it."""
    return _digest("secret", rule_family, value_hash, path)


def code_fingerprint(
    *, rule_id: str, path: str, snippet: str, scope: str = "", occurrence: int = 0
) -> str:
    """SAST: rule + path + normalised matched code + enclosing scope; never the line number.

    ``occurrence`` separates identical slices in the same scope (0 for the first).
    """
    parts = [rule_id, path, normalise_code(snippet), normalise_code(scope)]
    if occurrence:
        parts.append(str(occurrence))
    return _digest("code", *parts)


def iac_fingerprint(*, rule_id: str, path: str, resource: str, snippet: str = "") -> str:
    """IaC: rule + path + resource address (e.g. ``aws_s3_bucket.logs``, ``Deployment/ns/web``).

    Without an address the normalised snippet stands in for it.
    """
    return _digest("iac", rule_id, path, resource or normalise_code(snippet))


def vulnerability_fingerprint(
    *, advisory_id: str, purl_without_version: str, manifest_path: str
) -> str:
    """Vulnerability: canonical advisory id + purl without version + manifest path.

    Upgrading to another still-vulnerable version keeps the identity.
    """
    return _digest("vulnerability", advisory_id.upper(), purl_without_version, manifest_path)


def license_fingerprint(*, purl_without_version: str, license_id: str) -> str:
    """License: purl without version + license id."""
    return _digest("license", purl_without_version, license_id)


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}


def normalise_url(url: str) -> str:
    """Scheme, lower-cased host and non-default port, path, and the sorted names (not values)
    of the query. Credentials in the URL never take part."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    query = "&".join(names)
    return f"{scheme}://{netloc}{parts.path or '/'}" + (f"?{query}" if query else "")


def url_fingerprint(*, rule_id: str, url: str, parameter: str = "") -> str:
    """DAST: rule + normalised URL (query values dropped) + the parameter concerned."""
    return _digest("url", rule_id, normalise_url(url), parameter)


def subject_fingerprint(*, kind: str, rule_id: str, subject: str) -> str:
    """Other kinds (supply-chain, runtime, policy): rule + a stable subject key."""
    return _digest(kind, rule_id, subject)
