"""SPDX 2.3 JSON: the component inventory as an SPDX document for license and supply-chain tools.

Written by hand (no SPDX library is pinned) and validated against the official schema in the
tests. The target is the described root package; every component is a package with its purl
as a ``PACKAGE-MANAGER`` reference, its declared license as a valid SPDX expression (names
that are not SPDX ids become ``LicenseRef-…`` with their text extracted), its checksums, and
``DEPENDS_ON`` relationships for the graph. The document namespace derives from the run id,
so rendering the same report twice gives identical bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any
from urllib.parse import unquote

from lockgate.model import Decision, ScanReport
from lockgate.reporters._sbom import (
    LicenseRefs,
    SbomComponent,
    classify_license,
    document_uuid,
    sanitise_id,
    sbom_components,
    spdx_expression_with_refs,
    top_level,
    valid_hashes,
)
from lockgate.reporters.interface import RenderOptions

SPDX_VERSION = "SPDX-2.3"
DOCUMENT_ID = "SPDXRef-DOCUMENT"
ROOT_ID = "SPDXRef-Root"
NOASSERTION = "NOASSERTION"

_CHECKSUM_ALGORITHMS = {
    "md5": "MD5",
    "sha1": "SHA1",
    "sha256": "SHA256",
    "sha384": "SHA384",
    "sha512": "SHA512",
}


def spdx_timestamp(moment: dt.datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` in UTC, the only form SPDX 2.3 accepts."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def package_id(purl: str) -> str:
    """A stable SPDX id for a component: readable, and unique through a short purl hash."""
    digest = hashlib.sha256(purl.encode("utf-8")).hexdigest()[:10]
    readable = sanitise_id(unquote(purl.removeprefix("pkg:")))[:80].strip("-.")
    return f"SPDXRef-Package-{readable}-{digest}" if readable else f"SPDXRef-Package-{digest}"


def _download_location(report: ScanReport) -> str:
    target = report.target
    repo = target.repository
    if repo and repo.startswith("https://") and " " not in repo:
        return f"git+{repo}@{target.commit}" if target.commit else f"git+{repo}"
    return NOASSERTION


def _root_package(report: ScanReport) -> dict[str, Any]:
    target = report.target
    package: dict[str, Any] = {
        "SPDXID": ROOT_ID,
        "name": target.name,
        "downloadLocation": _download_location(report),
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "comment": f"The scanned {target.kind} {target.name}",
    }
    if target.commit:
        package["versionInfo"] = target.commit
    return package


def _declared(comp: SbomComponent, refs: LicenseRefs) -> str:
    if not comp.licenses or not comp.licenses.strip():
        return NOASSERTION
    return spdx_expression_with_refs(classify_license(comp.licenses), refs)


def _package(comp: SbomComponent, refs: LicenseRefs) -> dict[str, Any]:
    package: dict[str, Any] = {
        "SPDXID": package_id(comp.purl),
        "name": comp.name,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": _declared(comp, refs),
        "copyrightText": NOASSERTION,
        "externalRefs": [
            {
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": comp.purl,
            }
        ],
    }
    if comp.version:
        package["versionInfo"] = comp.version
    checksums = [
        {"algorithm": _CHECKSUM_ALGORITHMS[alg], "checksumValue": value}
        for alg, value in valid_hashes(comp.hashes)
    ]
    if checksums:
        package["checksums"] = checksums
    if comp.manifests:
        package["sourceInfo"] = "found in " + ", ".join(comp.manifests)
    return package


def _relationship(element: str, kind: str, related: str) -> dict[str, str]:
    return {
        "spdxElementId": element,
        "relationshipType": kind,
        "relatedSpdxElement": related,
    }


def build_spdx(
    report: ScanReport, decision: Decision | None, options: RenderOptions
) -> dict[str, Any]:
    """The SPDX 2.3 document as plain data (exposed for callers that post-process it)."""
    del decision  # an SBOM states facts; the gate's verdict is not part of it
    components = sbom_components(report)
    refs = LicenseRefs()
    packages = [_root_package(report)] + [_package(c, refs) for c in components]
    ids = {c.purl: package_id(c.purl) for c in components}
    relationships = [_relationship(DOCUMENT_ID, "DESCRIBES", ROOT_ID)]
    relationships += [_relationship(ROOT_ID, "DEPENDS_ON", ids[p]) for p in top_level(components)]
    for comp in components:
        relationships += [
            _relationship(ids[comp.purl], "DEPENDS_ON", ids[dep]) for dep in comp.dependencies
        ]
    name = sanitise_id(report.target.name) or "target"
    document: dict[str, Any] = {
        "spdxVersion": SPDX_VERSION,
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT_ID,
        "name": f"{report.target.name} (lockgate {report.target.kind} SBOM)",
        "documentNamespace": (
            f"{options.information_uri.rstrip('/')}/spdx/{name}-{document_uuid(report)}"
        ),
        "creationInfo": {
            "created": spdx_timestamp(report.started_at),
            "creators": [f"Tool: lockgate-{options.tool_version}"],
        },
        "packages": packages,
        "relationships": relationships,
    }
    extracted = refs.extracted()
    if extracted:
        document["hasExtractedLicensingInfos"] = extracted
    return document


class SpdxReporter:
    """SPDX 2.3 JSON, valid against the official schema; deterministic for a given report."""

    name = "spdx"
    default_filename = "sbom.spdx.json"

    def render(self, report: ScanReport, decision: Decision | None, options: RenderOptions) -> str:
        """The SPDX document as JSON text (sorted keys, trailing newline)."""
        document = build_spdx(report, decision, options)
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
