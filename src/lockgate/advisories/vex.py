"""VEX input: statements from a vendor or the team that a vulnerability does (not) affect a
package, read from CycloneDX VEX or OpenVEX JSON.

A statement names vulnerabilities (an id and its aliases) and packages (purls), and says
``not_affected``, ``affected``, ``fixed`` or ``under_investigation``. :func:`applicable`
finds the statement about one finding; only ``not_affected`` and ``fixed`` statements
suppress it, and the finding then stays visible as suppressed with the statement's
justification (:meth:`VexStatement.finding_properties`), never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lockgate.errors import InputError

MAX_VEX_BYTES = 32 * 1024 * 1024

NOT_AFFECTED = "not_affected"
AFFECTED = "affected"
FIXED = "fixed"
UNDER_INVESTIGATION = "under_investigation"
STATUSES = (NOT_AFFECTED, AFFECTED, FIXED, UNDER_INVESTIGATION)
SUPPRESSING = frozenset({NOT_AFFECTED, FIXED})

#: CycloneDX ``analysis.state`` -> the OpenVEX status it means.
CYCLONEDX_STATES = {
    "not_affected": NOT_AFFECTED,
    "false_positive": NOT_AFFECTED,
    "resolved": FIXED,
    "resolved_with_pedigree": FIXED,
    "exploitable": AFFECTED,
    "in_triage": UNDER_INVESTIGATION,
}

OPENVEX_CONTEXTS = (
    "https://openvex.dev/ns",
    "https://openvex.dev/ns/v0.0.1",
    "https://openvex.dev/ns/v0.2.0",
)
CYCLONEDX_VEX_VERSIONS = ("1.4", "1.5", "1.6", "1.7")

_PEP503 = re.compile(r"[-_.]+")
_CASE_INSENSITIVE_TYPES = frozenset({"bitbucket", "composer", "github", "hex", "nuget", "pub"})


class VexError(InputError):
    """A VEX document that cannot be read (always carries the path, and the line if known)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class VexStatement:
    """One VEX statement: these vulnerabilities, in these packages, have this status.

    ``vulnerability_ids`` holds the id and its aliases; ``purls`` the packages it is about
    (a purl without version covers every version); ``source`` is the file and the JSON
    pointer of the statement, for the reason shown beside a suppressed finding.
    """

    vulnerability_ids: frozenset[str]
    purls: tuple[str, ...]
    status: str
    justification: str | None = None
    detail: str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"VEX status must be one of {', '.join(STATUSES)}: {self.status!r}")
        if not self.vulnerability_ids:
            raise ValueError("a VEX statement names at least one vulnerability")

    @property
    def suppresses(self) -> bool:
        """``not_affected`` and ``fixed`` statements suppress a finding; the others do not."""
        return self.status in SUPPRESSING

    def reason(self) -> str:
        """One line for people: status, justification and detail, and where it was stated."""
        text = self.status
        if self.justification:
            text += f" ({self.justification})"
        if self.detail:
            text += f": {self.detail}"
        return f"VEX {self.source}: {text}" if self.source else f"VEX: {text}"

    def finding_properties(self) -> dict[str, str]:
        """Properties a control adds to a finding this statement suppresses: the gate shows
        ``suppressed`` as the reason, the CycloneDX reporter maps the others to ``analysis``."""
        props = {"suppressed": self.reason(), "vex_status": self.status}
        if self.justification:
            props["vex_justification"] = self.justification
        return props


# -- matching ----------------------------------------------------------------------------


def _id_key(ident: str) -> str:
    return ident.strip().upper()


@lru_cache(maxsize=65536)
def _id_keys(idents: frozenset[str]) -> frozenset[str]:
    return frozenset(_id_key(i) for i in idents)


@lru_cache(maxsize=65536)
def _purl_key(purl: str) -> tuple[str, str, str, str | None] | None:
    """(type, namespace, name, version) compared the way the purl spec says, or None."""
    from packageurl import PackageURL

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    kind = parsed.type.lower()
    namespace = parsed.namespace or ""
    name = parsed.name
    if kind == "pypi":
        name = _PEP503.sub("-", name).lower()
    elif kind in _CASE_INSENSITIVE_TYPES:
        namespace, name = namespace.lower(), name.lower()
    return kind, namespace, name, parsed.version


def purl_matches(statement_purl: str, component_purl: str) -> bool:
    """Whether a statement's purl covers a component's: same package, and the same version
    unless the statement names none. Qualifiers and subpaths are ignored."""
    stated, actual = _purl_key(statement_purl), _purl_key(component_purl)
    if stated is None or actual is None or stated[:3] != actual[:3]:
        return False
    return stated[3] is None or stated[3] == actual[3]


def applicable(
    statements: Sequence[VexStatement], *, advisory_ids: Iterable[str], purl: str
) -> VexStatement | None:
    """The statement about this finding (any of its ids or aliases, its component's purl),
    or None. When several match, the last one wins: documents are loaded oldest first, as
    OpenVEX asks. Check :attr:`VexStatement.suppresses` before suppressing."""
    wanted = {_id_key(i) for i in advisory_ids}
    if not wanted:
        return None
    for statement in reversed(statements):
        if wanted.isdisjoint(_id_keys(statement.vulnerability_ids)):
            continue
        if any(purl_matches(p, purl) for p in statement.purls):
            return statement
    return None


# -- loading -----------------------------------------------------------------------------


def load_vex(path: Path) -> tuple[VexStatement, ...]:
    """Every statement of a CycloneDX VEX or OpenVEX JSON file, oldest first.

    Raises :class:`VexError` naming the file (and line, or the statement's JSON path) when
    the file is unreadable, not JSON, or not a VEX document lockgate understands.
    """
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_VEX_BYTES:
            raise VexError(
                f"VEX document is {size} bytes, over the {MAX_VEX_BYTES} byte limit", path=shown
            )
        data = path.read_bytes()
    except OSError as exc:
        raise VexError(f"cannot read the VEX document: {exc.strerror or exc}", path=shown) from exc
    return parse_vex(data, source=shown)


def parse_vex(data: bytes | str, *, source: str) -> tuple[VexStatement, ...]:
    """:func:`load_vex` for content already in memory; ``source`` names it in errors."""
    if isinstance(data, bytes):
        data = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise VexError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", path=source, line=exc.lineno
        ) from exc
    except RecursionError as exc:
        raise VexError("not a VEX document: JSON nested too deeply", path=source) from exc
    if not isinstance(document, dict):
        raise VexError("not a VEX document: the top level is not a JSON object", path=source)
    if "@context" in document:
        return _OpenVex(source, document).statements()
    if "bomFormat" in document:
        return _CycloneDxVex(source, document).statements()
    raise VexError(
        "not a CycloneDX VEX or OpenVEX document (no bomFormat or @context field)",
        path=source,
        hint="lockgate reads CycloneDX 1.4+ JSON with vulnerabilities, and OpenVEX JSON",
    )


class _Document:
    kind = ""

    def __init__(self, source: str, document: dict[str, Any]) -> None:
        self.source = source
        self.document = document

    def fail(self, message: str) -> VexError:
        return VexError(f"{self.kind}: {message}", path=self.source)

    def objects(self, value: Any, where: str) -> Iterator[tuple[int, dict[str, Any]]]:
        if value is None:
            return
        if not isinstance(value, list):
            raise self.fail(f"{where} must be a list")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.fail(f"{where}/{index} must be an object")
            yield index, item

    def string(self, item: dict[str, Any], key: str, where: str) -> str | None:
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{where}/{key} must be a string")
        return value.strip() or None

    def checked_purl(self, value: str, where: str) -> str | None:
        """The purl, None for a product named otherwise (an image digest, a URL)."""
        if not value.startswith("pkg:"):
            return None
        if _purl_key(value) is None:
            raise self.fail(f"{where} is not a valid package URL: {value!r}")
        return value


class _OpenVex(_Document):
    kind = "OpenVEX"

    def statements(self) -> tuple[VexStatement, ...]:
        context = self.document.get("@context")
        if context not in OPENVEX_CONTEXTS:
            raise self.fail(
                f"unsupported @context {context!r} (lockgate reads OpenVEX 0.0.1 and 0.2.0)"
            )
        default_time = self.document.get("timestamp")
        timed = []
        statements = self.document.get("statements")
        if statements is None:
            raise self.fail("the document has no statements")
        for index, item in self.objects(statements, "/statements"):
            where = f"/statements/{index}"
            stamp = _timestamp(item.get("timestamp") or default_time)
            timed.append((stamp, index, self._statement(item, where)))
        # the latest statement about a product wins; undated ones keep document order
        timed.sort(key=lambda t: (t[0] or dt.datetime.min.replace(tzinfo=dt.UTC), t[1]))
        return tuple(statement for _, _, statement in timed)

    def _statement(self, item: dict[str, Any], where: str) -> VexStatement:
        ids = self._vulnerability(item.get("vulnerability"), f"{where}/vulnerability")
        status = self.string(item, "status", where)
        if status not in STATUSES:
            raise self.fail(f"{where}/status is {status!r}, expected one of {', '.join(STATUSES)}")
        purls = []
        products = item.get("products")
        if products is not None and not isinstance(products, list):
            raise self.fail(f"{where}/products must be a list")
        for index, product in enumerate(products or []):
            purls.extend(self._product(product, f"{where}/products/{index}"))
        detail = (
            self.string(item, "impact_statement", where)
            or self.string(item, "status_notes", where)
            or self.string(item, "action_statement", where)
        )
        return VexStatement(
            vulnerability_ids=ids,
            purls=tuple(dict.fromkeys(purls)),
            status=status,
            justification=self.string(item, "justification", where),
            detail=detail,
            source=f"{self.source}#{where}",
        )

    def _vulnerability(self, value: Any, where: str) -> frozenset[str]:
        if isinstance(value, str) and value.strip():
            return frozenset({value.strip()})
        if not isinstance(value, dict):
            raise self.fail(f"{where} must name the vulnerability")
        ids = set()
        name = self.string(value, "name", where)
        if name:
            ids.add(name)
        iri = self.string(value, "@id", where)
        if iri:
            ids.add(iri)
            last = iri.rstrip("/").rpartition("/")[2]
            if "://" in iri and last:
                ids.add(last)  # https://nvd.nist.gov/vuln/detail/CVE-… -> CVE-…
        aliases = value.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise self.fail(f"{where}/aliases must be a list of strings")
        ids.update(a.strip() for a in aliases if a.strip())
        if not ids:
            raise self.fail(f"{where} has neither name nor @id")
        return frozenset(ids)

    def _product(self, product: Any, where: str) -> list[str]:
        """The purls of a product and of its subcomponents (the packages inside it)."""
        if isinstance(product, str):
            found = self.checked_purl(product, where)
            return [found] if found else []
        if not isinstance(product, dict):
            raise self.fail(f"{where} must be an object or a string")
        out = self._identified(product, where)
        subs = product.get("subcomponents") or []
        if not isinstance(subs, list):
            raise self.fail(f"{where}/subcomponents must be a list")
        for index, sub in enumerate(subs):
            here = f"{where}/subcomponents/{index}"
            if isinstance(sub, str):
                found = self.checked_purl(sub, here)
                out.extend([found] if found else [])
            elif isinstance(sub, dict):
                out.extend(self._identified(sub, here))
            else:
                raise self.fail(f"{here} must be an object or a string")
        return out

    def _identified(self, item: dict[str, Any], where: str) -> list[str]:
        out = []
        ident = self.string(item, "@id", where)
        if ident:
            found = self.checked_purl(ident, f"{where}/@id")
            out.extend([found] if found else [])
        identifiers = item.get("identifiers")
        if isinstance(identifiers, dict):
            purl = identifiers.get("purl")
            if isinstance(purl, str):
                found = self.checked_purl(purl, f"{where}/identifiers/purl")
                out.extend([found] if found else [])
        return out


class _CycloneDxVex(_Document):
    kind = "CycloneDX VEX"

    def statements(self) -> tuple[VexStatement, ...]:
        doc = self.document
        if doc.get("bomFormat") != "CycloneDX":
            raise self.fail(f"bomFormat is {doc.get('bomFormat')!r}, expected 'CycloneDX'")
        spec = str(doc.get("specVersion", ""))
        if spec not in CYCLONEDX_VEX_VERSIONS:
            raise self.fail(
                f"unsupported specVersion {spec!r} (VEX needs CycloneDX "
                f"{CYCLONEDX_VEX_VERSIONS[0]} to {CYCLONEDX_VEX_VERSIONS[-1]})"
            )
        refs = self._component_purls()
        vulnerabilities = doc.get("vulnerabilities")
        if vulnerabilities is None:
            raise self.fail("the BOM has no vulnerabilities, so it states nothing")
        out = []
        for index, item in self.objects(vulnerabilities, "/vulnerabilities"):
            out.append(self._statement(item, f"/vulnerabilities/{index}", refs))
        return tuple(out)

    def _component_purls(self) -> dict[str, str]:
        """bom-ref -> purl of every component, nested ones and the metadata component too."""
        refs: dict[str, str] = {}
        stack: list[tuple[Any, str]] = [(self.document.get("components"), "/components")]
        metadata = self.document.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("component"), dict):
            stack.append(([metadata["component"]], "/metadata/component"))
        while stack:
            value, where = stack.pop()
            for index, item in self.objects(value, where):
                ref, purl = item.get("bom-ref"), item.get("purl")
                if isinstance(ref, str) and isinstance(purl, str):
                    refs[ref] = purl
                stack.append((item.get("components"), f"{where}/{index}/components"))
        return refs

    def _statement(self, item: dict[str, Any], where: str, refs: dict[str, str]) -> VexStatement:
        ident = self.string(item, "id", where)
        if not ident:
            raise self.fail(f"{where} has no id")
        ids = {ident}
        for index, reference in self.objects(item.get("references"), f"{where}/references"):
            alias = self.string(reference, "id", f"{where}/references/{index}")
            if alias:
                ids.add(alias)
        analysis = item.get("analysis") or {}
        if not isinstance(analysis, dict):
            raise self.fail(f"{where}/analysis must be an object")
        state = self.string(analysis, "state", f"{where}/analysis")
        if state is not None and state not in CYCLONEDX_STATES:
            raise self.fail(
                f"{where}/analysis/state is {state!r}, expected one of "
                f"{', '.join(CYCLONEDX_STATES)}"
            )
        status = CYCLONEDX_STATES[state] if state else UNDER_INVESTIGATION
        purls = []
        for index, target in self.objects(item.get("affects"), f"{where}/affects"):
            affected = self.string(target, "ref", f"{where}/affects/{index}")
            purl = (
                self._resolve(affected, refs, f"{where}/affects/{index}/ref") if affected else None
            )
            if purl:
                purls.append(purl)
        return VexStatement(
            vulnerability_ids=frozenset(ids),
            purls=tuple(dict.fromkeys(purls)),
            status=status,
            justification=self.string(analysis, "justification", f"{where}/analysis"),
            detail=self.string(analysis, "detail", f"{where}/analysis"),
            source=f"{self.source}#{where}",
        )

    def _resolve(self, ref: str, refs: dict[str, str], where: str) -> str | None:
        """A bom-ref of this BOM, a purl, or a BOM-Link whose fragment is one of those."""
        if ref in refs:
            return self.checked_purl(refs[ref], where)
        if ref.startswith("urn:cdx:") and "#" in ref:
            from urllib.parse import unquote

            fragment = unquote(ref.partition("#")[2])
            return self._resolve(fragment, refs, where) if fragment != ref else None
        return self.checked_purl(ref, where)


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
