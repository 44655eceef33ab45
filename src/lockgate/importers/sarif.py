"""SARIF 2.1.0 from any tool (``runs[].tool.driver.name``), including lockgate's own.

Mapping:

- rule id ``sarif/<tool>/<ruleId>`` (``<tool>`` is the driver name in kebab-case); rules are
  looked up in the driver and its extensions by id or index;
- kind: ``secret`` for secret scanners (Gitleaks, TruffleHog, detect-secrets, …) or rules
  tagged ``secret``; ``misconfig`` for IaC scanners (Checkov, tfsec, KICS, …) or rules tagged
  ``iac``/``misconfiguration``; ``dast`` for results located at an ``http(s)`` URL;
  ``vulnerability`` for results about a package URL; ``sast`` otherwise;
- severity: the rule's ``security-severity`` score on the CVSS scale (as GitHub reads it),
  else the level of the result or the rule's default: ``error`` HIGH, ``warning`` MEDIUM,
  ``note`` LOW, ``none`` INFO; with no level at all SARIF's default ``warning`` applies
  (MEDIUM), except for secrets (HIGH, as a committed credential is);
- CWE from tags and properties (``CWE-89``, CodeQL's ``external/cwe/cwe-089``, ``cwe`` lists);
- paths resolved through ``uriBaseId`` and ``originalUriBaseIds`` and made relative;
- ``partialFingerprints`` kept as ``partial_fingerprint.<name>`` properties; accepted
  ``suppressions`` make the finding suppressed; results with ``baselineState: absent``
  (already fixed) and ``kind`` ``pass``/``notApplicable`` are skipped with the reason.

lockgate's own SARIF imports back as the findings it was made from: rule ids, kind,
severity, stage, identifiers and the package URL come from the ``lockgate/*`` properties,
and the fingerprint is the ``lockgate/v1`` partial fingerprint. Secret results never keep
their snippet (Gitleaks' SARIF puts the raw secret there); its text only feeds the keyed
value hash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from lockgate.importers.builder import (
    ENTRY_ERRORS,
    ReportBuilder,
    as_list,
    cwe_ids,
    int_of,
    obj,
    one_line,
    require_list,
    require_object,
    text_of,
    unique,
)
from lockgate.importers.interface import Document, ImportContext, ImportedReport
from lockgate.importers.packages import component, valid_purl
from lockgate.importers.secrets import secret_family, secret_identity
from lockgate.importers.severity import confidence_from, from_score, parse_score
from lockgate.model import (
    Confidence,
    Finding,
    FindingKind,
    Location,
    Severity,
    Stage,
)
from lockgate.model.fingerprint import (
    SARIF_KEY,
    iac_fingerprint,
    license_fingerprint,
    subject_fingerprint,
    url_fingerprint,
    vulnerability_fingerprint,
)

SECRET_TOOLS = frozenset(
    {
        "gitleaks",
        "trufflehog",
        "detect-secrets",
        "ggshield",
        "gitguardian",
        "noseyparker",
        "nosey-parker",
        "secretlint",
        "kingfisher",
        "betterleaks",
        "talisman",
        "spmi",
    }
)
IAC_TOOLS = frozenset(
    {
        "checkov",
        "tfsec",
        "kics",
        "terrascan",
        "tflint",
        "kube-linter",
        "kubelinter",
        "kubesec",
        "hadolint",
        "cfn-lint",
        "cfn-nag",
        "defsec",
        "trivy-config",
        "polaris",
    }
)
LEVELS = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "note": Severity.LOW,
    "none": Severity.INFO,
}
_SKIPPED_KINDS = frozenset({"pass", "notApplicable"})
_CODEQL_CWE = re.compile(r"(?i)(?:^|/)cwe[-/_]?0*(\d+)$")
_SLUG = re.compile(r"[^a-z0-9]+")


def tool_slug(name: str) -> str:
    """A driver name in kebab-case (``Semgrep OSS`` -> ``semgrep-oss``)."""
    return _SLUG.sub("-", name.lower()).strip("-") or "unknown"


@dataclass
class _Run:
    """What one SARIF run says about itself: tool, rules and URI bases."""

    tool: str
    version: str | None
    own: bool
    rules_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules_by_index: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    bases: dict[str, str] = field(default_factory=dict)


@dataclass
class _Item:
    """One SARIF result, read: what every kind of finding built from it needs."""

    where: str
    kind: FindingKind
    commit: str | None
    rule_id: str
    short_id: str
    title: str
    rule_title: str
    message: str
    url: str | None
    path: str | None
    region: dict[str, Any]
    purl: str | None
    logical: list[dict[str, Any]]
    own: bool
    own_fingerprint: str | None
    properties: dict[str, object | None]
    fields: dict[str, Any]

    def finding(self, builder: ReportBuilder, fingerprint: str, **extra: Any) -> Finding:
        if self.fields["severity"] is None:
            self.fields["severity"] = Severity.MEDIUM
        return builder.finding(
            kind=self.kind,
            rule_id=self.rule_id,
            title=self.title,
            fingerprint=fingerprint,
            properties=self.properties,
            **self.fields,
            **extra,
        )


class SarifImporter:
    """SARIF 2.1.0 logs of any tool."""

    name = "sarif"
    title = "SARIF 2.1.0"

    def __init__(self, *, name: str = "sarif", namespace: str | None = None) -> None:
        self.name = name
        self.namespace = namespace

    def sniff(self, document: Document) -> bool:
        data = document.data
        if document.syntax != "json" or not isinstance(data, dict):
            return False
        if not isinstance(data.get("runs"), list):
            return False
        schema = str(data.get("$schema", "")).lower()
        return str(data.get("version", "")).startswith("2.") or "sarif" in schema

    def parse(self, document: Document, context: ImportContext) -> ImportedReport:
        data = require_object(document, document.data, "a SARIF log")
        runs = require_list(document, data.get("runs"), "runs")
        builder = ReportBuilder(self.name, document, context)
        tools: list[str] = []
        versions: list[str] = []
        for run_index, raw_run in enumerate(runs):
            where = f"runs[{run_index}]"
            if not isinstance(raw_run, dict):
                builder.skip(where, "the run is not an object")
                continue
            try:
                run = self._run(raw_run)
            except ENTRY_ERRORS as exc:
                builder.skip(where, f"the run cannot be read ({type(exc).__name__}: {exc})")
                continue
            tools.append(run.tool)
            if run.version:
                versions.append(run.version)
            self._notifications(builder, raw_run)
            results = raw_run.get("results")
            if not isinstance(results, list):
                if results is not None:
                    builder.skip(where, "results is not an array")
                continue
            for index, result in enumerate(results):
                with builder.guard(f"{where}.results[{index}]"):
                    self._result(builder, run, result, f"{where}.results[{index}]")
        return builder.build(
            tool_version=versions[0] if len(set(versions)) == 1 else None,
            source_tool=", ".join(dict.fromkeys(tools)) or None,
        )

    # -- runs ------------------------------------------------------------------------------

    def _run(self, raw: dict[str, Any]) -> _Run:
        tool = obj(raw.get("tool"))
        driver = obj(tool.get("driver"))
        name = text_of(driver.get("name")) or "unknown"
        version = text_of(driver.get("version")) or text_of(driver.get("semanticVersion"))
        run = _Run(tool=name, version=version, own=name.lower() == "lockgate")
        components = [driver] + [e for e in as_list(tool.get("extensions")) if isinstance(e, dict)]
        for component_index, comp in enumerate(components):
            for rule_index, rule in enumerate(as_list(comp.get("rules"))):
                if not isinstance(rule, dict):
                    continue
                run.rules_by_index[(component_index - 1, rule_index)] = rule
                rule_id = text_of(rule.get("id"))
                if rule_id:
                    run.rules_by_id.setdefault(rule_id, rule)
        bases = raw.get("originalUriBaseIds")
        if isinstance(bases, dict):
            for key in bases:
                resolved = _resolve_base(bases, key, set())
                if resolved:
                    run.bases[key] = resolved
        return run

    def _notifications(self, builder: ReportBuilder, raw: dict[str, Any]) -> None:
        """Tool execution notifications of level error: the tool's own failures."""
        for invocation in as_list(raw.get("invocations")):
            if not isinstance(invocation, dict):
                continue
            for note in as_list(invocation.get("toolExecutionNotifications")):
                if not isinstance(note, dict) or note.get("level", "warning") != "error":
                    continue
                message = note.get("message")
                text = text_of(message.get("text")) if isinstance(message, dict) else None
                builder.error(f"the tool reported an error: {one_line(text or 'no message')}")

    # -- results ---------------------------------------------------------------------------

    def _rule_for(self, run: _Run, result: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        rule_ref = obj(result.get("rule"))
        rule_id = text_of(result.get("ruleId")) or text_of(rule_ref.get("id"))
        descriptor: dict[str, Any] | None = None
        index = result.get("ruleIndex", rule_ref.get("index"))
        if isinstance(index, int) and not isinstance(index, bool):
            comp = rule_ref.get("toolComponent")
            comp_index = comp.get("index", -1) if isinstance(comp, dict) else -1
            descriptor = run.rules_by_index.get((comp_index, index))
        if descriptor is None and rule_id:
            descriptor = run.rules_by_id.get(rule_id)
            if descriptor is None and "/" in rule_id:
                # SARIF hierarchical ids ("CA2101/1") may be described by the base rule.
                descriptor = run.rules_by_id.get(rule_id.split("/", 1)[0])
        descriptor = descriptor or {}
        return rule_id or text_of(descriptor.get("id")), descriptor

    def _result(self, builder: ReportBuilder, run: _Run, result: object, where: str) -> None:
        item = self._item(builder, run, result, where)
        if item is None:
            return
        if item.kind is FindingKind.DAST and item.url:
            fingerprint = item.own_fingerprint or url_fingerprint(
                rule_id=item.rule_id, url=item.url
            )
            builder.add(item.finding(builder, fingerprint, url=item.url))
        elif item.purl and item.kind in (FindingKind.VULNERABILITY, FindingKind.LICENSE):
            self._package_result(builder, item)
        elif item.path is None:
            if item.own_fingerprint:
                builder.add(item.finding(builder, item.own_fingerprint, url=item.url))
            else:
                builder.skip(where, "the result has no file location")
        else:
            self._file_result(builder, item, item.path)

    def _item(self, builder: ReportBuilder, run: _Run, result: object, where: str) -> _Item | None:
        """The parts of a result every kind of finding needs; None when it is skipped."""
        if not isinstance(result, dict):
            builder.skip(where, "the result is not an object")
            return None
        rule_id, rule = self._rule_for(run, result)
        if not rule_id:
            builder.skip(where, "the result names no rule")
            return None
        if result.get("kind") in _SKIPPED_KINDS:
            builder.skip(where, f"the result's kind is {result['kind']!r}, not a problem")
            return None
        if result.get("baselineState") == "absent":
            builder.skip(where, "baselineState is 'absent': the problem is already gone")
            return None
        props = _props(result)
        rule_props = _props(rule)
        lg = {k[len("lockgate/") :]: v for k, v in props.items() if k.startswith("lockgate/")}
        physical, logical = _locations(result)
        place = self._where(builder, run, physical, where)
        if place is None:
            return None
        url, path, region = place
        purl = valid_purl(lg.get("purl")) or _logical_purl(logical)
        tags = [t.lower() for t in _tags(rule_props) + _tags(props)]
        message = _message(result, rule)
        properties: dict[str, object | None] = {}
        if not run.own:
            properties["sarif_tool"] = run.tool
        kind = self._kind(run, lg, tags, url=url, purl=purl)
        partial = obj(result.get("partialFingerprints"))
        if kind is not FindingKind.SECRET:
            # Secret scanners put authors, e-mails and commit messages there: not kept.
            for key, value in sorted(partial.items()):
                if isinstance(value, str) and key != SARIF_KEY:
                    properties[f"partial_fingerprint.{key}"] = value
        if run.own and lg.get("control"):
            properties["original_control"] = str(lg["control"])
        properties["suppressed"] = _suppression(result)
        fields: dict[str, Any] = {
            "severity": self._severity(lg, rule_props, result, rule),
            "confidence": _confidence(rule_props, props),
            "description": _text(rule.get("fullDescription")) or "",
            "remediation": _text(rule.get("help")) or "",
            "cwe": cwe_ids(_cwe_candidates(tags, rule_props, props)),
            "identifiers": unique(lg["identifiers"])
            if isinstance(lg.get("identifiers"), list)
            else (),
            "references": unique([rule.get("helpUri")]),
        }
        if run.own and lg.get("stage"):
            with contextlib.suppress(ValueError):
                fields["stage"] = Stage.parse(str(lg["stage"]))
        return _Item(
            where=where,
            kind=kind,
            commit=text_of(partial.get("commitSha")),
            rule_id=rule_id if run.own else self._qualified(run, rule_id),
            short_id=rule_id,
            title=message or _text(rule.get("shortDescription")) or rule_id,
            rule_title=_text(rule.get("shortDescription")) or rule_id,
            message=message,
            url=url,
            path=path,
            region=region,
            purl=purl,
            logical=logical,
            own=run.own,
            own_fingerprint=text_of(partial.get(SARIF_KEY)) if run.own else None,
            properties=properties,
            fields=fields,
        )

    def _package_result(self, builder: ReportBuilder, item: _Item) -> None:
        purl = item.purl or ""
        name = _logical_name(item.logical) or purl.rsplit("/", 1)[-1].split("@", 1)[0]
        version = purl.split("?", 1)[0].rpartition("@")[2] if "@" in purl else None
        comp = component(purl=purl, name=unquote(name), version=version, manifest=item.path)
        if item.own_fingerprint:
            fingerprint = item.own_fingerprint
        elif item.kind is FindingKind.LICENSE:
            fingerprint = license_fingerprint(
                purl_without_version=comp.purl_without_version, license_id=item.short_id
            )
        else:
            fingerprint = vulnerability_fingerprint(
                advisory_id=item.short_id.rsplit("/", 1)[-1],
                purl_without_version=comp.purl_without_version,
                manifest_path=item.path or purl,
            )
        builder.add(item.finding(builder, fingerprint, component=comp, location=comp.manifest))

    def _file_result(self, builder: ReportBuilder, item: _Item, path: str) -> None:
        location = _location(path, item.region)
        snippet = _snippet(item.region)
        if item.own_fingerprint:
            builder.add(item.finding(builder, item.own_fingerprint, location=location))
        elif item.kind is FindingKind.SECRET:
            # The snippet may be the raw secret (Gitleaks' SARIF): hash it, never keep it.
            fingerprint, value_hash = secret_identity(
                rule_family=secret_family(item.short_id),
                value=snippet or item.message,
                path=path,
                key=builder.context.secret_hash_key,
            )
            item.properties["value_hash"] = value_hash
            item.title = item.rule_title
            location = dataclasses.replace(
                _location(path, item.region, snippet=None), commit=item.commit
            )
            if item.fields["severity"] is None:
                item.fields["severity"] = Severity.HIGH  # a committed credential
            builder.add(item.finding(builder, fingerprint, location=location))
        elif item.kind is FindingKind.MISCONFIG:
            resource = _logical_name(item.logical, fully=True) or ""
            item.properties["resource"] = resource
            fingerprint = iac_fingerprint(
                rule_id=item.rule_id, path=path, resource=resource, snippet=snippet or item.message
            )
            builder.add(item.finding(builder, fingerprint, location=location))
        elif item.kind is FindingKind.VULNERABILITY:
            # Without a package URL a vulnerability is identified by rule, file and message.
            fingerprint = subject_fingerprint(
                kind=item.kind.value, rule_id=item.rule_id, subject=f"{path}:{item.message}"
            )
            builder.add(item.finding(builder, fingerprint, location=location))
        else:
            builder.add_code(
                rule_id=item.rule_id,
                path=path,
                snippet=snippet or "",
                line=int_of(item.region.get("startLine")),
                column=int_of(item.region.get("startColumn")),
                make=lambda fingerprint: item.finding(builder, fingerprint, location=location),
                where=item.where,
            )

    def _qualified(self, run: _Run, rule_id: str) -> str:
        if self.namespace:
            return f"{self.namespace}/{rule_id}"
        return f"sarif/{tool_slug(run.tool)}/{rule_id}"

    def _kind(
        self,
        run: _Run,
        lg: dict[str, Any],
        tags: list[str],
        *,
        url: str | None,
        purl: str | None,
    ) -> FindingKind:
        if lg.get("kind"):
            try:
                return FindingKind.parse(str(lg["kind"]))
            except ValueError:
                pass
        slug = tool_slug(run.tool)
        if slug in SECRET_TOOLS or "secret" in tags or "secrets" in tags:
            return FindingKind.SECRET
        if url:
            return FindingKind.DAST
        if slug in IAC_TOOLS or "iac" in tags or "misconfiguration" in tags:
            return FindingKind.MISCONFIG
        if purl or "vulnerability" in tags or "dependency" in tags:
            return FindingKind.VULNERABILITY
        return FindingKind.SAST

    def _severity(
        self,
        lg: dict[str, Any],
        rule_props: dict[str, Any],
        result: dict[str, Any],
        rule: dict[str, Any],
    ) -> Severity | None:
        """The result's severity; None when neither rule nor result says (SARIF's default
        level ``warning`` then applies: MEDIUM, and HIGH for a secret)."""
        if lg.get("severity"):
            try:
                return Severity.parse(str(lg["severity"]))
            except ValueError:
                pass
        score = parse_score(rule_props.get("security-severity"))
        if score is None:
            score = parse_score(_props(result).get("security-severity"))
        if score is not None:
            return from_score(score)
        level = result.get("level")
        if not isinstance(level, str):
            config = rule.get("defaultConfiguration")
            level = config.get("level") if isinstance(config, dict) else None
        if isinstance(level, str) and level in LEVELS:
            return LEVELS[level]
        return None if level is None else Severity.UNKNOWN

    def _where(
        self,
        builder: ReportBuilder,
        run: _Run,
        physical: dict[str, Any] | None,
        where: str,
    ) -> tuple[str | None, str | None, dict[str, Any]] | None:
        """``(url, path, region)`` of a result; None when its path is unusable (skipped)."""
        if physical is None:
            return None, None, {}
        artifact = obj(physical.get("artifactLocation"))
        region = obj(physical.get("region"))
        uri = text_of(artifact.get("uri"))
        if not uri:
            return None, None, region
        base_id = text_of(artifact.get("uriBaseId"))
        scheme = urlsplit(uri).scheme.lower()
        if scheme in ("http", "https"):
            return uri, None, region
        relative = not scheme or len(scheme) == 1  # "C:/x" is a Windows drive, not a scheme
        if relative and posixpath.normpath(unquote(uri).replace("\\", "/")).startswith("../"):
            builder.skip(where, f"the path {uri!r} climbs out of the scanned tree")
            return None
        if relative and base_id and base_id in run.bases:
            uri = urljoin(run.bases[base_id], uri)
        elif relative:
            uri = unquote(uri)
        path = builder.path(uri, where)
        if path is None:
            return None
        return None, path, region


def _resolve_base(bases: dict[str, Any], key: str, seen: set[str]) -> str | None:
    """The absolute (or root-relative) URI of a uriBaseId, following nested bases."""
    entry = bases.get(key)
    if key in seen or not isinstance(entry, dict):
        return None
    uri = text_of(entry.get("uri"))
    if uri is None:
        return None
    if not uri.endswith("/"):
        uri += "/"
    parent = text_of(entry.get("uriBaseId"))
    if parent:
        parent_uri = _resolve_base(bases, parent, seen | {key})
        if parent_uri:
            return urljoin(parent_uri, uri)
    return uri


def _props(obj: dict[str, Any]) -> dict[str, Any]:
    props = obj.get("properties")
    return props if isinstance(props, dict) else {}


def _text(value: object) -> str | None:
    if isinstance(value, dict):
        return text_of(value.get("text")) or text_of(value.get("markdown"))
    return text_of(value)


def _message(result: dict[str, Any], rule: dict[str, Any]) -> str:
    message = result.get("message")
    if not isinstance(message, dict):
        return ""
    text = text_of(message.get("text"))
    if text is None and message.get("id"):
        strings = rule.get("messageStrings")
        template = strings.get(message["id"]) if isinstance(strings, dict) else None
        text = _text(template)
    if text is None:
        return ""
    arguments = message.get("arguments")
    if isinstance(arguments, list):
        for index, argument in enumerate(arguments):
            text = text.replace("{" + str(index) + "}", str(argument))
    return one_line(text, 400)


def _locations(
    result: dict[str, Any],
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    physical = None
    logical: list[dict[str, Any]] = []
    for location in as_list(result.get("locations")):
        if not isinstance(location, dict):
            continue
        if physical is None and isinstance(location.get("physicalLocation"), dict):
            physical = location["physicalLocation"]
        logical.extend(
            entry for entry in as_list(location.get("logicalLocations")) if isinstance(entry, dict)
        )
    return physical, logical


def _logical_purl(logical: list[dict[str, Any]]) -> str | None:
    for entry in logical:
        purl = valid_purl(entry.get("fullyQualifiedName"))
        if purl:
            return purl
    return None


def _logical_name(logical: list[dict[str, Any]], *, fully: bool = False) -> str | None:
    for entry in logical:
        value = text_of(entry.get("fullyQualifiedName")) if fully else None
        value = value or text_of(entry.get("name"))
        if value:
            return value
    return None


def _snippet(region: dict[str, Any]) -> str | None:
    snippet = region.get("snippet")
    return _text(snippet) if isinstance(snippet, dict) else None


def _location(path: str, region: dict[str, Any], *, snippet: object = ...) -> Location:
    """The result's place; ``snippet`` overrides the region's (None drops it)."""
    start = int_of(region.get("startLine"))
    if start is None:
        return Location(path=path)
    end = int_of(region.get("endLine"))
    if end is not None and end < start:
        end = None
    text = _snippet(region) if snippet is ... else snippet
    return Location(
        path=path,
        start_line=start,
        start_column=int_of(region.get("startColumn")),
        end_line=end,
        end_column=int_of(region.get("endColumn")) if end else None,
        snippet=one_line(text, 300) if isinstance(text, str) else None,
    )


def _tags(props: dict[str, Any]) -> list[str]:
    tags = props.get("tags")
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _cwe_candidates(
    tags: list[str], rule_props: dict[str, Any], props: dict[str, Any]
) -> list[object]:
    found: list[object] = []
    for tag in tags:
        match = _CODEQL_CWE.search(tag)
        if match:
            found.append(int(match.group(1)))
        elif tag.startswith("cwe"):
            found.append(tag)
    for source in (rule_props, props):
        for key in ("cwe", "CWE", "cwes"):
            value = source.get(key)
            if isinstance(value, list):
                found.extend(value)
            elif isinstance(value, (str, int)):
                found.append(value)
    return found


def _confidence(rule_props: dict[str, Any], props: dict[str, Any]) -> Confidence:
    for source in (props, rule_props):
        for key in ("confidence", "precision"):
            if isinstance(source.get(key), str):
                return confidence_from(source[key])
    return Confidence.MEDIUM


def _suppression(result: dict[str, Any]) -> str | None:
    """Why the tool suppressed the result, when an accepted suppression says so."""
    for entry in as_list(result.get("suppressions")):
        if not isinstance(entry, dict):
            continue
        status = entry.get("status", "accepted")
        if status not in ("accepted", None):
            continue
        kind = text_of(entry.get("kind")) or "external"
        justification = text_of(entry.get("justification"))
        reason = f"SARIF suppression ({kind})"
        return f"{reason}: {one_line(justification)}" if justification else reason
    return None
