"""Secret rules as data: loading and validating ``rules/*.toml``.

Each file holds ``[[rule]]`` tables; see ``docs/secrets.md`` for every key. A rule's regex
must define a named group ``secret`` holding the credential itself; everything else in the
match is context. Rules are validated when loaded so that a broken rule fails the test
suite, not a user's scan.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

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
    "priority",
}
_ALLOW_KEYS = {"regexes", "stopwords", "line_regexes"}
_EXAMPLE_KEYS = {"positives", "negatives", "path"}


class RuleError(ValueError):
    """A rule file is malformed; the message names the file and the rule."""


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    """A rule pattern compiled once, on first use.

    ASCII semantics for ``\\w``, ``\\s``, ``\\b`` and ``\\d``: the same as hyperscan's, so
    both engines agree exactly (see hyperscan_prefilter.py). Compiling lazily keeps start-up fast: a
    pre-commit run compiles only the few rules whose keywords occur.
    """
    return re.compile(pattern, re.ASCII)


@dataclass(frozen=True, kw_only=True)
class SecretRule:
    """One secret rule; its regexes are compiled on first use."""

    id: str
    family: str
    title: str
    severity: Severity
    confidence: Confidence
    pattern: str
    keywords: tuple[str, ...]
    entropy: float | None = None
    paths: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()
    allow_patterns: tuple[str, ...] = ()
    allow_line_patterns: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    placeholder_filter: bool = True
    priority: int = 50
    """When matches of several rules overlap, only those of the highest priority are kept:
    provider formats (50) win over key material, URIs and file formats (30), which win
    over generic assignments (10)."""
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

    @property
    def regex(self) -> re.Pattern[str]:
        return compiled(self.pattern)

    @property
    def allow_regexes(self) -> tuple[re.Pattern[str], ...]:
        return tuple(compiled(p) for p in self.allow_patterns)

    @property
    def allow_line_regexes(self) -> tuple[re.Pattern[str], ...]:
        return tuple(compiled(p) for p in self.allow_line_patterns)

    @cached_property
    def keyword_bytes(self) -> tuple[bytes, ...]:
        """The keywords as UTF-8 bytes (to test lowered bytes of an ASCII buffer)."""
        return tuple(k.encode() for k in self.keywords)

    @cached_property
    def allowed_value(self) -> AnyOf:
        """Whether an allowlist regex finds a match in a value (all of them at once)."""
        return AnyOf.of(self.allow_patterns)

    @cached_property
    def allowed_line(self) -> AnyOf:
        """Whether an allowlist line regex finds a match in a line (all of them at once)."""
        return AnyOf.of(self.allow_line_patterns)

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


_LINE_PREFIX = re.compile(r"^\^\[\^\\n\]\{0,(\d+)\}\?(?=\()")


class AnyOf:
    """``any(p.search(text) for p in patterns)``, compiled once and without needless work.

    A pattern ``^[^\\n]{0,N}?(…)`` (the group within the first N+1 characters of a single
    line) becomes a search for the group whose first match must start by N: the same
    answer on text without newlines, without trying every prefix length in turn.
    """

    __slots__ = ("_bounded", "_plain")

    def __init__(
        self,
        plain: tuple[re.Pattern[str], ...],
        bounded: tuple[tuple[re.Pattern[str], int, re.Pattern[str]], ...],
    ) -> None:
        self._plain = plain
        self._bounded = bounded

    @classmethod
    def of(cls, patterns: tuple[str, ...]) -> AnyOf:
        plain: list[re.Pattern[str]] = []
        bounded: list[tuple[re.Pattern[str], int, re.Pattern[str]]] = []
        for pattern in patterns:
            prefix = _LINE_PREFIX.match(pattern)
            rest = pattern[prefix.end() :] if prefix else ""
            if prefix and _one_group(rest):
                bounded.append((compiled(rest), int(prefix.group(1)), compiled(pattern)))
            else:
                plain.append(compiled(pattern))
        return cls(_alternation(plain), _joined_by_limit(bounded))

    def search(self, text: str) -> bool:
        """Whether one of the patterns finds a match in ``text``."""
        if any(p.search(text) for p in self._plain):
            return True
        for rest, limit, whole in self._bounded:
            if "\n" in text:
                if whole.search(text):
                    return True
                continue
            m = rest.search(text)
            if m is not None and m.start() <= limit:
                return True
        return False


def _alternation(patterns: list[re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    """One pattern that matches where any of ``patterns`` does (one search instead of one
    per pattern), or the patterns as they are when they cannot be joined: different flags,
    inline global flags, group names or back-references that would clash or shift."""
    if len(patterns) < 2:
        return tuple(patterns)
    flags = patterns[0].flags
    if any(p.flags != flags or p.groupindex or _BACKREF.search(p.pattern) for p in patterns):
        return tuple(patterns)
    try:
        joined = re.compile("|".join(f"(?:{p.pattern})" for p in patterns), flags)
    except re.error:
        return tuple(patterns)
    return (joined,)


_BACKREF = re.compile(r"\\[1-9]|\(\?P=|\\g<")


def _joined_by_limit(
    bounded: list[tuple[re.Pattern[str], int, re.Pattern[str]]],
) -> tuple[tuple[re.Pattern[str], int, re.Pattern[str]], ...]:
    """Bounded patterns with the same limit as one: the earliest match of an alternation
    starts by the limit exactly when one of its patterns' first matches does."""
    by_limit: dict[int, list[tuple[re.Pattern[str], re.Pattern[str]]]] = {}
    for rest, limit, whole in bounded:
        by_limit.setdefault(limit, []).append((rest, whole))
    joined: list[tuple[re.Pattern[str], int, re.Pattern[str]]] = []
    for limit, pairs in by_limit.items():
        rests = _alternation([r for r, _ in pairs])
        wholes = _alternation([w for _, w in pairs])
        if len(rests) == 1 and len(wholes) == 1:
            joined.append((rests[0], limit, wholes[0]))
        else:
            joined += [(r, limit, w) for r, w in pairs]
    return tuple(joined)


def _one_group(pattern: str) -> bool:
    """Whether ``pattern`` is exactly one parenthesised group (no top-level alternation)."""
    if not pattern.startswith("("):
        return False
    depth = 0
    i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            if pattern.startswith("[]", i) or pattern.startswith("[^]", i):
                i += 2 if pattern.startswith("[]", i) else 3
                continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i == len(pattern) - 1
        i += 1
    return False


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
        return compiled(pattern)
    except re.error as exc:
        raise RuleError(f"{where}: '{key}' is not a valid regular expression: {exc}") from None


def _patterns(allow: dict[str, object], key: str, where: str, validate: bool) -> tuple[str, ...]:
    patterns = _strings(allow.get(key, []), where, f"allowlist.{key}")
    if validate:
        for pattern in patterns:
            _compile(pattern, where, f"allowlist.{key}")
    return patterns


def _scope(value: object, where: str) -> str:
    if value not in ("file", "line"):
        raise RuleError(f'{where}: \'scope\' must be "file" or "line"')
    return str(value)


def _priority(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise RuleError(f"{where}: 'priority' must be an integer from 0 to 100")
    return value


def parse_rule(
    raw: dict[str, object],
    source: str,
    defaults: dict[str, object] | None = None,
    *,
    validate: bool = True,
) -> SecretRule:
    """Check one ``[[rule]]`` table and build the rule.

    ``validate`` also compiles every regex now (the test-suite and user rules); the shipped
    rules skip it at run time and compile lazily.
    """
    defaults = defaults or {}
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
    pattern = str(raw["regex"])
    if "(?P<secret>" not in pattern or (
        validate and "secret" not in _compile(pattern, where, "regex").groupindex
    ):
        raise RuleError(f"{where}: 'regex' must define a named group (?P<secret>…)")
    keywords = tuple(k.lower() for k in _strings(raw.get("keywords", []), where, "keywords"))
    if not keywords and not raw.get("paths"):
        raise RuleError(
            f"{where}: 'keywords' must list at least one prefilter keyword "
            "(only rules restricted by 'paths' may omit them)"
        )
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
        pattern=pattern,
        keywords=keywords,
        entropy=float(entropy) if entropy is not None else None,
        paths=_strings(raw.get("paths", []), where, "paths"),
        exclude_paths=_strings(raw.get("exclude_paths", []), where, "exclude_paths"),
        allow_patterns=_patterns(allow, "regexes", where, validate),
        allow_line_patterns=_patterns(allow, "line_regexes", where, validate),
        stopwords=tuple(
            s.lower() for s in _strings(allow.get("stopwords", []), where, "allowlist.stopwords")
        ),
        placeholder_filter=bool(raw.get("placeholder_filter", True)),
        scope=_scope(raw.get("scope", "file"), where),
        priority=_priority(raw.get("priority", defaults.get("priority", 50)), where),
        description=str(raw.get("description", "")),
        remediation=str(raw.get("remediation", "")),
        references=_strings(raw.get("references", []), where, "references"),
        cwe=str(raw.get("cwe", "CWE-798")),
        example_positives=positives,
        example_negatives=_strings(examples.get("negatives", []), where, "examples.negatives"),
        example_path=str(examples.get("path", "example.txt")),
        source=source,
    )


def _parse_documents(files: list[tuple[str, bytes]]) -> list[tuple[str, dict[str, Any]]]:
    import tomllib  # only when the checked-rules cache cannot answer

    documents = []
    for name, data in files:
        try:
            documents.append((name, tomllib.loads(data.decode("utf-8"))))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RuleError(f"{name}: not valid TOML: {exc}") from None
    return documents


_CACHE_FORMAT = 2
"""Version of the checked-rules cache format (part of its file name)."""


def _cached_rules(cache_dir: Path, digest: str) -> tuple[SecretRule, ...] | None:
    """Rules checked by an earlier run with the same rule files, or ``None``."""
    path = cache_dir / "secrets" / f"rules-v{_CACHE_FORMAT}-{digest[:32]}.json"
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        return tuple(_rule_from_fields(fields) for fields in json.loads(path.read_bytes()))
    return None


def _cache_rules(cache_dir: Path, digest: str, rules: tuple[SecretRule, ...]) -> None:
    import tempfile

    path = cache_dir / "secrets" / f"rules-v{_CACHE_FORMAT}-{digest[:32]}.json"
    with contextlib.suppress(OSError, TypeError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rules-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump([_rule_fields(r) for r in rules], handle)
        os.replace(tmp, path)


def _rule_fields(rule: SecretRule) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(SecretRule):
        value = getattr(rule, field.name)
        fields[field.name] = value.name if isinstance(value, (Severity, Confidence)) else value
    return fields


def _rule_from_fields(fields: dict[str, Any]) -> SecretRule:
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
    values["severity"] = Severity.parse(str(values["severity"]))
    values["confidence"] = Confidence.parse(str(values["confidence"]))
    return SecretRule(**values)


def load_rules(
    paths: Iterable[Path], *, validate: bool = True, cache_dir: Path | None = None
) -> RuleSet:
    """Load rule files; duplicate ids across files are an error.

    ``validate`` compiles every regex now. ``cache_dir`` keeps the checked rules between runs
    (parsing and checking 400 rules of TOML costs more than the pre-commit budget allows);
    the cache is used only without ``validate``, keyed by the digest of the rule files.
    """
    files = [(path.name, path.read_bytes()) for path in sorted(paths)]
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode() + b"\0" + data + b"\0")
    hexdigest = digest.hexdigest()
    if cache_dir is not None and not validate:
        cached = _cached_rules(cache_dir, hexdigest)
        if cached is not None:
            return RuleSet(rules=cached, digest=hexdigest)
    rules: list[SecretRule] = []
    seen: dict[str, str] = {}
    for name, doc in _parse_documents(files):
        entries = doc.get("rule", [])
        if not isinstance(entries, list):
            raise RuleError(f"{name}: expected [[rule]] tables")
        defaults = doc.get("defaults", {})
        if not isinstance(defaults, dict) or set(defaults) - {"priority"}:
            raise RuleError(f"{name}: [defaults] may only set 'priority'")
        unknown = sorted(set(doc) - {"rule", "defaults"})
        if unknown:
            raise RuleError(f"{name}: unknown top-level key(s) {', '.join(unknown)}")
        for raw in entries:
            rule = parse_rule(raw, name, defaults, validate=validate)
            if rule.id in seen:
                raise RuleError(f"{name}: rule id {rule.id!r} already defined in {seen[rule.id]}")
            seen[rule.id] = name
            rules.append(rule)
    if cache_dir is not None:
        _cache_rules(cache_dir, hexdigest, tuple(rules))
    return RuleSet(rules=tuple(rules), digest=hexdigest)


@lru_cache(maxsize=4)
def builtin_rules(cache_dir: Path | None = None, *, validate: bool = True) -> RuleSet:
    """The rules shipped with lockgate (``scanners/secrets/rules/*.toml``).

    The test-suite validates them; a scan passes ``validate=False`` so that their regexes
    compile lazily, and a ``cache_dir`` to skip parsing the TOML again.
    """
    root = resources.files("lockgate.scanners.secrets") / "rules"
    return load_rules(
        (Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml")),
        validate=validate,
        cache_dir=cache_dir,
    )
