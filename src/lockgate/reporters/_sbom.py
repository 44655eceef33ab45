"""What the CycloneDX and SPDX reporters share: one component per purl, the top-level
components the target depends on, license classification and a stable document identity.

Both SBOM formats must list the same components with the same licenses and the same graph;
computing that once here keeps them from drifting apart.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

from lockgate.model import Component, ScanReport

#: Namespace for the uuid5 identities of SBOM documents (serial number, SPDX namespace).
SBOM_NAMESPACE = uuid.UUID("5b0d3a8e-6c1f-5e4b-9a57-1f3c2b7d9e04")

#: Hash algorithms both formats can carry, with the hex length each one must have.
HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}

_HEX = re.compile(r"[0-9a-fA-F]+")
_NOT_ID_CHARS = re.compile(r"[^A-Za-z0-9.-]+")


@dataclass(frozen=True, slots=True)
class SbomComponent:
    """One component as the SBOM lists it: every place it was found merged under its purl."""

    purl: str
    name: str
    version: str | None
    licenses: str | None
    hashes: tuple[tuple[str, str], ...]
    direct: bool | None
    dependencies: tuple[str, ...]
    manifests: tuple[str, ...]


def document_uuid(report: ScanReport) -> uuid.UUID:
    """A UUID derived from the run id: two renders of the same report get the same one."""
    return uuid.uuid5(SBOM_NAMESPACE, f"lockgate-run:{report.run_id}")


def _all_components(report: ScanReport) -> Iterable[Component]:
    for result in report.results:
        yield from result.components
        for finding in result.findings:
            if finding.component is not None:
                yield finding.component


def sbom_components(report: ScanReport) -> tuple[SbomComponent, ...]:
    """Every component of every control (and of every finding), one per purl, sorted.

    A purl seen in several manifests is one component listing every manifest path; it is
    direct when any manifest says so. Dependencies are restricted to purls in the SBOM.
    """
    grouped: dict[str, list[Component]] = {}
    for comp in _all_components(report):
        grouped.setdefault(comp.purl, []).append(comp)
    present = set(grouped)
    out = []
    for purl in sorted(grouped):
        seen = sorted(grouped[purl])
        first = seen[0]
        flags = {c.direct for c in seen}
        direct = True if True in flags else (False if False in flags else None)
        out.append(
            SbomComponent(
                purl=purl,
                name=first.name,
                version=first.version,
                licenses=next((c.licenses for c in seen if c.licenses), None),
                hashes=tuple(sorted({h for c in seen for h in c.hashes})),
                direct=direct,
                dependencies=tuple(
                    sorted({d for c in seen for d in c.dependencies if d in present and d != purl})
                ),
                manifests=tuple(sorted({c.manifest.path for c in seen if c.manifest})),
            )
        )
    return tuple(out)


def top_level(components: Iterable[SbomComponent]) -> tuple[str, ...]:
    """The purls the target depends on directly: the direct components, plus those whose
    status is unknown and that no other component depends on."""
    components = list(components)
    depended_on = {d for c in components for d in c.dependencies}
    return tuple(
        c.purl
        for c in components
        if c.direct is True or (c.direct is None and c.purl not in depended_on)
    )


def valid_hashes(hashes: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """``(algorithm, lower-case hex)`` pairs both formats accept; the others are dropped."""
    out = []
    for algorithm, value in hashes:
        alg = algorithm.lower().replace("-", "")
        length = HASH_LENGTHS.get(alg)
        if length is not None and len(value) == length and _HEX.fullmatch(value):
            out.append((alg, value.lower()))
    return tuple(sorted(set(out)))


def sanitise_id(text: str) -> str:
    """``text`` reduced to the characters SPDX identifiers allow (letters, digits, ``.-``)."""
    return _NOT_ID_CHARS.sub("-", text).strip("-")


# -- licenses ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LicenseInfo:
    """How a raw license string reads as SPDX.

    ``kind`` is ``id`` (one SPDX license id), ``expression`` (a valid compound SPDX
    expression), or ``name`` (anything else). ``normalized`` is the canonical SPDX text for
    ``id`` and ``expression``, and the raw text for ``name``. ``unknown`` lists the
    symbols of a parseable expression that are not SPDX ids (``MIT OR Foo`` -> ``Foo``);
    ``spdx_parseable`` says whether those can be replaced one by one with LicenseRefs.
    """

    kind: Literal["id", "expression", "name"]
    normalized: str
    raw: str
    unknown: tuple[str, ...] = ()
    spdx_parseable: bool = False


@cache
def _licensing() -> Any:
    """The SPDX licensing table; building it takes tens of milliseconds, so once only."""
    from license_expression import get_spdx_licensing  # type: ignore[import-untyped]

    return get_spdx_licensing()


@lru_cache(maxsize=4096)
def classify_license(raw: str) -> LicenseInfo:
    """Classify a component's license string (``license-expression``'s SPDX list)."""
    from license_expression import (
        ExpressionError,
        LicenseSymbol,
        LicenseWithExceptionSymbol,
    )

    text = raw.strip()
    licensing = _licensing()
    try:
        parsed: Any = licensing.parse(text, validate=False)
    except (ExpressionError, AttributeError, TypeError, ValueError):
        # license-expression raises AttributeError on some malformed input ("MIT, Apache")
        return LicenseInfo("name", text, raw)
    if parsed is None:
        return LicenseInfo("name", text, raw)
    unknown = tuple(licensing.unknown_license_keys(parsed))
    if not unknown:
        info = licensing.validate(text)
        if not info.errors and info.normalized_expression:
            symbols = licensing.license_symbols(parsed, decompose=False)
            is_single = len(symbols) == 1 and isinstance(symbols[0], LicenseSymbol)
            is_single = is_single and not isinstance(symbols[0], LicenseWithExceptionSymbol)
            kind: Literal["id", "expression"] = "id" if is_single else "expression"
            return LicenseInfo(kind, info.normalized_expression, raw)
    in_exception = any(
        isinstance(s, LicenseWithExceptionSymbol)
        and (s.license_symbol.key in unknown or s.exception_symbol.key in unknown)
        for s in licensing.license_symbols(parsed, decompose=False)
    )
    return LicenseInfo("name", text, raw, unknown=unknown, spdx_parseable=not in_exception)


def spdx_expression_with_refs(info: LicenseInfo, refs: LicenseRefs) -> str:
    """A valid SPDX expression for ``info``: unknown names become ``LicenseRef-…`` ids
    registered in ``refs`` (the document's extracted licensing infos)."""
    from license_expression import LicenseSymbol

    if info.kind != "name":
        return info.normalized
    upper = info.normalized.upper()
    if upper in ("NOASSERTION", "NONE"):
        return upper
    if not info.spdx_parseable or not info.unknown:
        return refs.ref_for(info.normalized)
    parsed: Any = _licensing().parse(info.normalized, validate=False)
    subs = {LicenseSymbol(key): LicenseSymbol(refs.ref_for(key)) for key in info.unknown}
    return str(parsed.subs(subs))


class LicenseRefs:
    """The ``LicenseRef-…`` ids one SPDX document uses, each with the text it stands for.

    Deterministic as long as callers ask in a deterministic order; different texts that
    sanitise to the same id get numbered suffixes.
    """

    def __init__(self) -> None:
        self._by_text: dict[str, str] = {}
        self._taken: set[str] = set()

    def ref_for(self, text: str) -> str:
        """The LicenseRef id for a non-SPDX license text (an existing LicenseRef is kept)."""
        found = self._by_text.get(text)
        if found is not None:
            return found
        if text.startswith("LicenseRef-") and sanitise_id(text) == text:
            ref = text
        else:
            base = "LicenseRef-" + (sanitise_id(text) or "unknown")
            ref, n = base, 2
            while ref in self._taken:
                ref, n = f"{base}-{n}", n + 1
        self._by_text[text] = ref
        self._taken.add(ref)
        return ref

    def extracted(self) -> list[dict[str, str]]:
        """``hasExtractedLicensingInfos`` entries, sorted by id."""
        return [
            {"licenseId": ref, "extractedText": text, "name": text}
            for text, ref in sorted(self._by_text.items(), key=lambda item: item[1])
        ]
