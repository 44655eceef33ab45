"""The rule pack on disk: which semgrep rule files apply to which languages, and the
documentation of every rule (read lazily from the YAML metadata, for ``lockgate explain``).

Layout (binding): ``rules/<language>/<topic>.yaml`` with annotated fixtures beside them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lockgate.model import Confidence, Severity

PACK_DIR = Path(__file__).resolve().parent / "rules"

LANGUAGE_EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "python": (".py",),
    "javascript": (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx"),
    "java": (".java",),
    "go": (".go",),
}
"""Languages of the pack (its directory names) and the file extensions each covers."""

TEMPLATE_EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "python": (".html", ".htm", ".jinja", ".jinja2", ".j2", ".djhtml"),
}
"""Template files a language's pack also reads (Jinja2/Django templates of Python web apps:
auto-escaping switched off). Semgrep reads them with the pack's ``generic`` rules; bandit,
a Python-only engine, never sees them."""

EXTENSION_LANGUAGE: Mapping[str, str] = {
    ext: language
    for table in (LANGUAGE_EXTENSIONS, TEMPLATE_EXTENSIONS)
    for language, exts in table.items()
    for ext in exts
}

RULE_FILE_SUFFIXES = (".yaml", ".yml")

_SEMGREP_SEVERITY = {
    "ERROR": Severity.HIGH,
    "WARNING": Severity.MEDIUM,
    "INFO": Severity.LOW,
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
    "INVENTORY": Severity.INFO,
    "EXPERIMENT": Severity.INFO,
}
_CWE = re.compile(r"CWE-(\d+)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
MAX_TITLE = 140


def language_of(path: str) -> str | None:
    """The pack language of a file, by extension (``None`` when no language covers it)."""
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return None
    return EXTENSION_LANGUAGE.get(path[dot:].lower())


def is_template(path: str) -> bool:
    """Whether the file is a template (read by a pack's generic rules), not source code."""
    dot = path.rfind(".")
    suffix = path[dot:].lower() if dot >= 0 else ""
    return any(suffix in exts for exts in TEMPLATE_EXTENSIONS.values())


def severity_of(semgrep_severity: object, metadata: Mapping[str, Any]) -> Severity:
    """ERROR→HIGH, WARNING→MEDIUM, INFO→LOW; ``metadata.lockgate_severity`` overrides."""
    override = metadata.get("lockgate_severity")
    if isinstance(override, str):
        try:
            return Severity.parse(override)
        except ValueError:
            pass
    return _SEMGREP_SEVERITY.get(str(semgrep_severity).upper(), Severity.UNKNOWN)


def confidence_of(metadata: Mapping[str, Any]) -> Confidence:
    """``metadata.confidence`` (HIGH, MEDIUM, LOW); MEDIUM when absent or unreadable."""
    value = metadata.get("confidence")
    if isinstance(value, str):
        try:
            return Confidence.parse(value)
        except ValueError:
            pass
    return Confidence.MEDIUM


def cwe_ids(value: object) -> tuple[str, ...]:
    """``("CWE-89",)`` from semgrep-style ``["CWE-89: SQL Injection"]`` (or a bare string)."""
    items = [value] if isinstance(value, str | int) else value
    if not isinstance(items, list | tuple):
        return ()
    found: list[str] = []
    for item in items:
        text = str(item)
        match = _CWE.search(text)
        if match:
            found.append(f"CWE-{int(match.group(1))}")
        elif text.isdigit():
            found.append(f"CWE-{int(text)}")
    return tuple(dict.fromkeys(found))


def strings(value: object) -> tuple[str, ...]:
    """A metadata field that may be a string or a list of strings, as a tuple."""
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if str(v).strip())
    return ()


def title_from_message(message: str) -> str:
    """The first sentence of a rule message, on one line and bounded."""
    text = " ".join(message.split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""
    if len(first) > MAX_TITLE:
        first = first[: MAX_TITLE - 1].rstrip() + "…"
    return first


def pack_configs(rules_dir: Path, languages: Iterable[str]) -> list[Path]:
    """The rule directories (or top-level rule files) of the pack that apply to ``languages``.

    Directories named after a pack language are included only when that language is
    present; any other directory or top-level rule file is always included.
    """
    if not rules_dir.is_dir():
        return []
    wanted = set(languages)
    configs: list[Path] = []
    for entry in sorted(rules_dir.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir():
            if entry.name in LANGUAGE_EXTENSIONS and entry.name not in wanted:
                continue
            if any(_rule_files(entry)):
                configs.append(entry)
        elif entry.suffix in RULE_FILE_SUFFIXES:
            configs.append(entry)
    return configs


def _rule_files(path: Path) -> Iterable[Path]:
    if path.is_file():
        return [path] if path.suffix in RULE_FILE_SUFFIXES else []
    return sorted(
        p
        for p in path.rglob("*")
        if p.suffix in RULE_FILE_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


def pack_digest(files: Iterable[Path]) -> str:
    """A digest of the rule files (their names within the pack and their content): it names
    the rule pack version in evidence and the merged file of :func:`merged_pack`."""
    import hashlib

    sha = hashlib.sha256()
    for path in files:
        sha.update("/".join(path.parts[-2:]).encode())
        try:
            sha.update(path.read_bytes())
        except OSError:
            continue
    return sha.hexdigest()[:16]


def merged_pack(files: Sequence[Path], digest: str, directory: Path) -> Path | None:
    """One rule file holding every rule of ``files`` (whose :func:`pack_digest` is
    ``digest``), written once per pack content into ``directory``: semgrep validates each
    configuration file on its own, and the Python pack as 26 files costs about two seconds
    more per scan than as one. ``None`` when a file cannot be read or the merged file cannot
    be written: the caller passes the files as they are."""
    import json
    import os
    import tempfile

    import yaml

    if not files:
        return None
    target = directory / f"pack-{digest}.yaml"
    if target.is_file():
        return target
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    rules: list[Any] = []
    try:
        for path in files:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
            if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
                return None
            rules.extend(document["rules"])
        directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".pack-", suffix=".yaml")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"rules": rules}, handle, default=str)  # JSON is YAML to semgrep
        os.replace(temporary, target)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return target


def rule_files(configs: Iterable[Path]) -> list[Path]:
    """Every rule file of the given files and directories, sorted."""
    return [f for c in configs for f in _rule_files(c)]


@dataclass(frozen=True, kw_only=True)
class PackRule:
    """The documentation of one semgrep rule, from its YAML."""

    id: str
    title: str
    message: str
    severity: Severity
    confidence: Confidence
    languages: tuple[str, ...]
    cwe: tuple[str, ...]
    owasp: tuple[str, ...]
    remediation: str
    references: tuple[str, ...]
    source: Path


def _load_yaml(path: Path) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as stream:
        return yaml.load(stream, Loader=loader)  # noqa: S506 - a safe loader


def read_rules(path: Path) -> list[PackRule]:
    """The rules of one rule file. Raises OSError or yaml.YAMLError when unreadable."""
    document = _load_yaml(path)
    items = document.get("rules") if isinstance(document, dict) else None
    out: list[PackRule] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        raw_metadata = item.get("metadata")
        metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
        message = str(item.get("message") or "")
        title = str(metadata.get("title") or "") or title_from_message(message) or item["id"]
        out.append(
            PackRule(
                id=item["id"],
                title=title,
                message=" ".join(message.split()),
                severity=severity_of(item.get("severity"), metadata),
                confidence=confidence_of(metadata),
                languages=strings(item.get("languages")),
                cwe=cwe_ids(metadata.get("cwe")),
                owasp=strings(metadata.get("owasp")),
                remediation=" ".join(str(metadata.get("remediation") or "").split()),
                references=strings(metadata.get("references")),
                source=path,
            )
        )
    return out


@functools.lru_cache(maxsize=8)
def _pack_rules_cached(rules_dir: Path, stamp: tuple[tuple[str, int], ...]) -> tuple[PackRule, ...]:
    del stamp  # part of the cache key only: a changed file is read again
    found: list[PackRule] = []
    for path in rule_files([rules_dir]):
        try:
            found.extend(read_rules(path))
        except Exception:  # noqa: S112 - documentation only; semgrep reports a broken file
            continue
    return tuple(sorted(found, key=lambda r: r.id))


def pack_rules(rules_dir: Path = PACK_DIR) -> Sequence[PackRule]:
    """Every rule of the pack (files that do not parse are left out here: the scan itself
    reports them through semgrep)."""
    if not rules_dir.is_dir():
        return ()
    files = rule_files([rules_dir])
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    return _pack_rules_cached(rules_dir, stamp)


def rule_ids(paths: Iterable[Path]) -> dict[str, Path]:
    """Rule id -> file for user rule files; unreadable files are skipped (semgrep reports
    them when it loads them)."""
    ids: dict[str, Path] = {}
    for path in rule_files(paths):
        try:
            for rule in read_rules(path):
                ids.setdefault(rule.id, path)
        except Exception:  # noqa: S112 - semgrep reports the file with its location
            continue
    return ids
