"""Secret rules as data: loading and validating ``rules/*.toml``.

Each file holds ``[[rule]]`` tables; see ``docs/secrets.md`` for every key. A rule's regex
must define a named group ``secret`` holding the credential itself; everything else in the
match is context. Rules are validated when loaded so that a broken rule fails the test
suite, not a user's scan.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from lockgate.model import Confidence, FindingKind, RuleInfo, Severity

RULE_PREFIX = "secrets/"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KNOWN_KEYS = {
    "id",
    "family",
    "title",
    "severity",
    "confidence",
    "regex",
    "keywords",
    "entropy",
    "paths",
    "exclude_paths",
    "allowlist",
    "examples",
    "description",
    "remediation",
    "references",
    "cwe",
    "placeholder_filter",
    "scope",
}
_ALLOW_KEYS = {"regexes", "stopwords", "line_regexes"}
_EXAMPLE_KEYS = {"positives", "negatives", "path"}


class RuleError(ValueError):
    """A rule file is malformed; the message names the file and the rule."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretRule:
    """One compiled secret rule."""

    id: str
    family: str
    title: str
    severity: Severity
    confidence: Confidence
    regex: re.Pattern[str]
    keywords: tuple[str, ...]
    entropy: float | None = None
    paths: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()
    allow_regexes: tuple[re.Pattern[str], ...] = ()
    allow_line_regexes: tuple[re.Pattern[str], ...] = ()
    stopwords: tuple[str, ...] = ()
    placeholder_filter: bool = True
    scope: str = "file"
    """``file``: the regex runs over the whole content once a keyword occurs anywhere;
    ``line``: it runs over each line that contains one of the rule's keywords, on its own
    (for assignments and other one-line formats: much faster, and anchors mean the line)."""
    description: str = ""
    remediation: str = ""
    references: tuple[str, ...] = ()
    cwe: str = "CWE-798"
    example_positives: tuple[str, ...] = ()
    example_negatives: tuple[str, ...] = ()
    example_path: str = "example.txt"
    source: str = ""

    @property
    def rule_id(self) -> str:
        return RULE_PREFIX + self.id

    def info(self) -> RuleInfo:
        return RuleInfo(
            rule_id=self.rule_id,
            title=self.title,
            severity=self.severity,
            kind=FindingKind.SECRET,
            description=self.description,
            remediation=self.remediation,
            cwe=(self.cwe,),
            references=self.references,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSet:
    """All rules of a run, with the digest that keys compiled-database caches."""

    rules: tuple[SecretRule, ...]
    digest: str

    def by_id(self, rule_id: str) -> SecretRule | None:
        short = rule_id.removeprefix(RULE_PREFIX)
        return next((r for r in self.rules if r.id == short), None)


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _compile(pattern: str, where: str, key: str) -> re.Pattern[str]:
    try:
        # ASCII semantics for \w, \s, \b and \d: the same as hyperscan's, so both engines
        # agree exactly (see engines.py).
        return re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise RuleError(f"{where}: '{key}' is not a valid regular expression: {exc}") from None


def _scope(value: object, where: str) -> str:
    if value not in ("file", "line"):
        raise RuleError(f'{where}: \'scope\' must be "file" or "line"')
    return str(value)


def parse_rule(raw: dict[str, object], source: str) -> SecretRule:
    """Validate one ``[[rule]]`` table and compile it."""
    rid = raw.get("id")
    where = f"{source}: rule {rid!r}"
    if not isinstance(rid, str) or not _ID.match(rid):
        raise RuleError(f"{where}: 'id' must be kebab-case ascii")
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {', '.join(unknown)}")
    for key in ("title", "regex", "family"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise RuleError(f"{where}: '{key}' is required and must be a string")
    regex = _compile(str(raw["regex"]), where, "regex")
    if "secret" not in regex.groupindex:
        raise RuleError(f"{where}: 'regex' must define a named group (?P<secret>…)")
    keywords = tuple(k.lower() for k in _strings(raw.get("keywords", []), where, "keywords"))
    if not keywords:
        raise RuleError(f"{where}: 'keywords' must list at least one prefilter keyword")
    try:
        severity = Severity.parse(str(raw.get("severity", "HIGH")))
        confidence = Confidence.parse(str(raw.get("confidence", "MEDIUM")))
    except ValueError as exc:
        raise RuleError(f"{where}: {exc}") from None
    entropy = raw.get("entropy")
    if entropy is not None and (not isinstance(entropy, (int, float)) or not 0 < entropy < 8):
        raise RuleError(f"{where}: 'entropy' must be a number of bits per character in (0, 8)")
    allow = raw.get("allowlist", {})
    if not isinstance(allow, dict) or set(allow) - _ALLOW_KEYS:
        raise RuleError(f"{where}: 'allowlist' takes only {', '.join(sorted(_ALLOW_KEYS))}")
    examples = raw.get("examples", {})
    if not isinstance(examples, dict) or set(examples) - _EXAMPLE_KEYS:
        raise RuleError(f"{where}: 'examples' takes only {', '.join(sorted(_EXAMPLE_KEYS))}")
    positives = _strings(examples.get("positives", []), where, "examples.positives")
    if not positives:
        raise RuleError(f"{where}: at least one example in 'examples.positives' is required")
    return SecretRule(
        id=rid,
        family=str(raw["family"]),
        title=str(raw["title"]),
        severity=severity,
        confidence=confidence,
        regex=regex,
        keywords=keywords,
        entropy=float(entropy) if entropy is not None else None,
        paths=_strings(raw.get("paths", []), where, "paths"),
        exclude_paths=_strings(raw.get("exclude_paths", []), where, "exclude_paths"),
        allow_regexes=tuple(
            _compile(p, where, "allowlist.regexes")
            for p in _strings(allow.get("regexes", []), where, "allowlist.regexes")
        ),
        allow_line_regexes=tuple(
            _compile(p, where, "allowlist.line_regexes")
            for p in _strings(allow.get("line_regexes", []), where, "allowlist.line_regexes")
        ),
        stopwords=tuple(
            s.lower() for s in _strings(allow.get("stopwords", []), where, "allowlist.stopwords")
        ),
        placeholder_filter=bool(raw.get("placeholder_filter", True)),
        scope=_scope(raw.get("scope", "file"), where),
        description=str(raw.get("description", "")),
        remediation=str(raw.get("remediation", "")),
        references=_strings(raw.get("references", []), where, "references"),
        cwe=str(raw.get("cwe", "CWE-798")),
        example_positives=positives,
        example_negatives=_strings(examples.get("negatives", []), where, "examples.negatives"),
        example_path=str(examples.get("path", "example.txt")),
        source=source,
    )


def load_rules(paths: Iterable[Path]) -> RuleSet:
    """Load and validate rule files; duplicate ids across files are an error."""
    rules: list[SecretRule] = []
    digest = hashlib.sha256()
    seen: dict[str, str] = {}
    for path in sorted(paths):
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        try:
            doc = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RuleError(f"{path.name}: not valid TOML: {exc}") from None
        entries = doc.get("rule", [])
        if not isinstance(entries, list):
            raise RuleError(f"{path.name}: expected [[rule]] tables")
        for raw in entries:
            rule = parse_rule(raw, path.name)
            if rule.id in seen:
                raise RuleError(
                    f"{path.name}: rule id {rule.id!r} already defined in {seen[rule.id]}"
                )
            seen[rule.id] = path.name
            rules.append(rule)
    return RuleSet(rules=tuple(rules), digest=digest.hexdigest())


@cache
def builtin_rules() -> RuleSet:
    """The rules shipped with lockgate (``scanners/secrets/rules/*.toml``)."""
    root = resources.files("lockgate.scanners.secrets") / "rules"
    return load_rules(Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml"))
