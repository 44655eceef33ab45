"""License identification: the raw license strings of package metadata as SPDX expressions.

Lockfiles and package metadata write licenses in many ways: SPDX ids and expressions
(``Apache-2.0 OR MIT``), names (``Apache License, Version 2.0``, ``new BSD``, ``GPLv3+``),
trove classifiers (``License :: OSI Approved :: MIT License``), npm's ``UNLICENSED`` and
``SEE LICENSE IN …``, URLs and pasted license texts. :func:`normalize_license` turns each
into one canonical SPDX expression (operands sorted, deprecated ids replaced), keeps the
parts it cannot recognise as ``LicenseRef-lockgate-…`` stand-ins and says which they were.
:func:`license_files` recognises LICENSE and COPYING files by their wording.

The alias table is data (``inventory/data/license_aliases.toml``); the SPDX license list
comes from ``license-expression``, loaded on first use.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from lockgate.inventory.license_texts import identify_license_text, normalise_text

__all__ = [
    "PROPRIETARY",
    "PUBLIC_DOMAIN",
    "STAND_IN_PREFIX",
    "LicenseGroup",
    "LicenseNode",
    "LicenseTerm",
    "NormalizedLicense",
    "alias_key",
    "aliases_digest",
    "alternatives",
    "identify_license_text",
    "is_license_file",
    "known_license_ids",
    "license_directory",
    "license_files",
    "normalize_license",
    "render",
]

PROPRIETARY = "LicenseRef-Proprietary"
"""Stand-in for 'no license granted' (npm ``UNLICENSED``, 'Proprietary', 'Commercial')."""
PUBLIC_DOMAIN = "LicenseRef-Public-Domain"
"""Stand-in for a public-domain dedication without a named instrument (such as CC0)."""
MAX_ALTERNATIVES = 256
"""Choices an expression may offer before :func:`alternatives` stops enumerating them."""


# -- the expression tree ------------------------------------------------------------------
@dataclass(frozen=True, slots=True, order=True)
class LicenseTerm:
    """One license, optionally with an exception: ``GPL-2.0-only WITH Classpath-exception-2.0``."""

    license: str
    exception: str | None = None

    def __str__(self) -> str:
        return f"{self.license} WITH {self.exception}" if self.exception else self.license


@dataclass(frozen=True, slots=True)
class LicenseGroup:
    """Licenses that all apply (``AND``) or one of which may be chosen (``OR``)."""

    operator: Literal["AND", "OR"]
    items: tuple[LicenseNode, ...]


LicenseNode = LicenseTerm | LicenseGroup


def render(node: LicenseNode) -> str:
    """The SPDX expression text of a tree; nested groups are parenthesised."""
    if isinstance(node, LicenseTerm):
        return str(node)
    parts = (render(i) if isinstance(i, LicenseTerm) else f"({render(i)})" for i in node.items)
    return f" {node.operator} ".join(parts)


def _group(operator: Literal["AND", "OR"], items: Iterable[LicenseNode]) -> LicenseNode:
    """A canonical group: nested groups of the same operator flattened, duplicates dropped,
    operands sorted, so the same license written in another order gets the same id."""
    flat: dict[str, LicenseNode] = {}
    for item in items:
        inner = item.items if isinstance(item, LicenseGroup) and item.operator == operator else ()
        for part in inner or (item,):
            flat.setdefault(render(part), part)
    ordered = tuple(flat[k] for k in sorted(flat, key=lambda k: (k.lower(), k)))
    if len(ordered) == 1:
        return ordered[0]
    return LicenseGroup(operator=operator, items=ordered)


def alternatives(node: LicenseNode) -> tuple[tuple[LicenseTerm, ...], ...]:
    """The choices an expression offers: each a set of terms that apply together.

    ``MIT AND (Apache-2.0 OR GPL-2.0-only)`` offers ``(Apache-2.0, MIT)`` and
    ``(GPL-2.0-only, MIT)``. At most :data:`MAX_ALTERNATIVES` are enumerated.
    """
    if isinstance(node, LicenseTerm):
        return ((node,),)
    if node.operator == "OR":
        out: dict[tuple[LicenseTerm, ...], None] = {}
        for item in node.items:
            out.update(dict.fromkeys(alternatives(item)))
        return tuple(out)[:MAX_ALTERNATIVES]
    combined: dict[tuple[LicenseTerm, ...], None] = {}
    choices = [alternatives(item) for item in node.items]
    for pick in itertools.islice(itertools.product(*choices), MAX_ALTERNATIVES):
        combined[tuple(sorted({t for terms in pick for t in terms}))] = None
    return tuple(combined)


# -- normalisation result -----------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class NormalizedLicense:
    """A raw license string as an SPDX expression, and how sure lockgate is about it.

    ``expression`` is None when the string carried no license information at all
    (empty, ``UNKNOWN``, ``NOASSERTION``). Parts that could not be recognised appear in the
    expression as ``LicenseRef-lockgate-<name>`` stand-ins and are listed in ``unknown``.
    ``approximate`` is set when a name that does not say which variant or version
    (``BSD``, ``Apache Software License``, ``GPL``) was mapped to the most likely one.
    """

    raw: str
    tree: LicenseNode | None = None
    expression: str | None = None
    unknown: tuple[str, ...] = ()
    approximate: bool = False
    from_text: bool = False
    """Recognised from a license text pasted into the metadata."""
    license_file: str | None = None
    """The file named by ``SEE LICENSE IN <file>`` (npm) or a bare ``LICENSE`` value."""

    @property
    def known(self) -> bool:
        """Every part of the license was recognised."""
        return self.tree is not None and not self.unknown

    @property
    def missing(self) -> bool:
        """The raw string said nothing about the license."""
        return self.tree is None


def _result(
    raw: str,
    tree: LicenseNode | None,
    *,
    unknown: Iterable[str] = (),
    approximate: bool = False,
    from_text: bool = False,
    license_file: str | None = None,
) -> NormalizedLicense:
    return NormalizedLicense(
        raw=raw,
        tree=tree,
        expression=None if tree is None else render(tree),
        unknown=tuple(dict.fromkeys(unknown)),
        approximate=approximate,
        from_text=from_text,
        license_file=license_file,
    )


# -- tables -------------------------------------------------------------------------------
_PUNCT = re.compile(r"[\"'`,;:()\[\]{}]")
_AFTER_LETTER_V = re.compile(r"(?<=[a-z])v\.?\s*(?=\d)")
_VERSION_WORD = re.compile(r"\b(?:version|ver\.?|v\.?)\s*(?=\d)")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)")
_DOT_ZERO = re.compile(r"(\d)\.0(?![\d.])")
_PLUS = re.compile(r"\s*\+")
_LATER = re.compile(r"\b(?:or\s+)?(?:any\s+)?later(?:\s+version)?\b")
_FILLER = re.compile(r"\b(?:the|licen[cs]e[sd]?)\b")
_SPACES = re.compile(r"\s+")


def alias_key(name: str) -> str:
    """The lookup key of a license name: case, punctuation, 'the', the word 'license',
    'version'/'v' before a number, a trailing '.0' and '+'/'or later' spellings removed."""
    s = name.lower().replace("licence", "license")
    s = _PUNCT.sub(" ", s).replace("-", " ").replace("_", " ")
    s = _AFTER_LETTER_V.sub(" ", s)
    s = _VERSION_WORD.sub(" ", s)
    s = _LETTER_DIGIT.sub(" ", s)
    s = _DOT_ZERO.sub(r"\1", s)
    s = _PLUS.sub(" or later ", s)
    s = _LATER.sub(" or later ", s)
    s = _FILLER.sub(" ", s)
    return _SPACES.sub(" ", s).strip()


def _url_key(url: str) -> str:
    s = url.strip().lower().split("#", 1)[0].split("?", 1)[0]
    s = re.sub(r"^[a-z]+://", "", s)
    s = s.removeprefix("www.").rstrip("/")
    for suffix in (".txt", ".html", ".htm", ".php"):
        s = s.removesuffix(suffix)
    return s.rstrip("/")


@dataclass(frozen=True, slots=True)
class _Tables:
    aliases: Mapping[str, str]
    approximate: Mapping[str, str]
    urls: Mapping[str, str]
    no_information: frozenset[str]
    digest: str


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    raw = (resources.files("lockgate.inventory") / "data" / "license_aliases.toml").read_bytes()
    data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    return _Tables(
        aliases={alias_key(k): v for k, v in data["aliases"].items()},
        approximate={alias_key(k): v for k, v in data["approximate"].items()},
        urls={_url_key(k): v for k, v in data["urls"].items()},
        no_information=frozenset(v.lower() for v in data["no_information"]["values"]),
        digest=hashlib.sha256(raw).hexdigest(),
    )


def aliases_digest() -> str:
    """SHA-256 of the shipped alias table (a data version recorded in reports)."""
    return _tables().digest


@lru_cache(maxsize=1)
def _licensing() -> Any:
    """The SPDX licensing of ``license-expression`` (built once, on first use)."""
    from license_expression import get_spdx_licensing  # type: ignore[import-untyped]

    return get_spdx_licensing()


@lru_cache(maxsize=1)
def _spdx_names() -> Mapping[str, str]:
    """alias_key of every SPDX license id and official alias -> the canonical id."""
    names: dict[str, str] = {}
    for symbol in sorted(set(_licensing().known_symbols.values()), key=lambda s: s.key):
        if symbol.is_exception or symbol.key.startswith("LicenseRef-"):
            continue
        for name in (symbol.key, *symbol.aliases):
            if not name.startswith("LicenseRef-"):
                names.setdefault(alias_key(name), symbol.key)
    return names


@lru_cache(maxsize=1)
def known_license_ids() -> frozenset[str]:
    """Every SPDX license and exception id lockgate recognises (not ``LicenseRef-`` ids)."""
    return frozenset(k for k in _licensing().known_symbols if not k.startswith("LicenseRef-"))


# -- name resolution ----------------------------------------------------------------------
@dataclass
class _State:
    unknown: list[str] = field(default_factory=list)
    approximate: bool = False


_PARENS = re.compile(r"\(([^()]*)\)")


def _candidates(text: str) -> list[str]:
    """The text, the text without its parenthesised parts, and each parenthesised part."""
    found = [text]
    bare = _PARENS.sub(" ", text).strip()
    if bare and bare != text:
        found.append(bare)
    found += [m.strip() for m in _PARENS.findall(text) if m.strip()]
    return found


@lru_cache(maxsize=512)
def _alias_tree(expression: str) -> LicenseNode:
    """The tree of an alias table value (always a valid SPDX expression)."""
    state = _State()
    tree = _convert(_licensing().parse(expression, validate=False), state, use_aliases=False)
    if state.unknown:
        raise ValueError(f"license alias value is not SPDX: {expression!r}")
    return tree


def _curated(text: str, state: _State) -> LicenseNode | None:
    tables = _tables()
    key = alias_key(text)
    if not key:
        return None
    if key in tables.aliases:
        return _alias_tree(tables.aliases[key])
    if key in tables.approximate:
        state.approximate = True
        return _alias_tree(tables.approximate[key])
    return None


def _resolve_name(text: str, state: _State) -> LicenseNode | None:
    """A license name (not an expression) by the alias table, then by SPDX ids and aliases."""
    for candidate in _candidates(text):
        tree = _curated(candidate, state)
        if tree is not None:
            return tree
        spdx = _spdx_names().get(alias_key(candidate))
        if spdx is not None:
            return LicenseTerm(spdx)
    return None


_SLUG = re.compile(r"[^A-Za-z0-9.]+")


STAND_IN_PREFIX = "LicenseRef-lockgate-"
"""Prefix of the ids standing for unrecognised names (kept apart from other tools' refs)."""


def _stand_in(text: str, prefix: str = "") -> str:
    """A ``LicenseRef-lockgate-`` id standing for an unrecognised license name, stable for
    the name."""
    flat = _SPACES.sub(" ", text).strip()
    slug = _SLUG.sub("-", prefix + flat).strip("-.")
    if len(slug) > 48 or not slug:
        digest = hashlib.sha256(flat.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = f"{slug[:40].rstrip('-.')}-{digest}".lstrip("-")
    return f"{STAND_IN_PREFIX}{slug}"


def _symbol(key: str, state: _State, *, use_aliases: bool = True) -> LicenseNode:
    if use_aliases:
        tree = _curated(key, state)
        if tree is not None:
            return tree
    known = _licensing().known_symbols.get(key)
    if known is not None:
        # Outside WITH, even ids the library files as exceptions are licenses
        # (MPL-2.0-no-copyleft-exception, SHL-2.1).
        return LicenseTerm(known.key)
    if key.startswith(("LicenseRef-", "DocumentRef-")):
        return LicenseTerm(key)
    if use_aliases:
        tree = _resolve_name(key, state)
        if tree is not None:
            return tree
    state.unknown.append(key)
    return LicenseTerm(_stand_in(key))


def _convert(expr: Any, state: _State, *, use_aliases: bool = True) -> LicenseNode:
    from license_expression import (
        AND,
        OR,
        LicenseSymbol,
        LicenseWithExceptionSymbol,
    )

    if isinstance(expr, LicenseWithExceptionSymbol):
        base = _symbol(expr.license_symbol.key, state, use_aliases=use_aliases)
        exception = expr.exception_symbol.key
        known = _licensing().known_symbols.get(exception)
        usable = isinstance(base, LicenseTerm) and base.exception is None
        if known is not None and known.is_exception and isinstance(base, LicenseTerm) and usable:
            return LicenseTerm(base.license, known.key)
        # An unknown exception, or one added to a name that stands for several licenses.
        whole = f"{expr.license_symbol.key} WITH {exception}"
        state.unknown.append(whole)
        return LicenseTerm(_stand_in(whole))
    if isinstance(expr, LicenseSymbol):
        return _symbol(expr.key, state, use_aliases=use_aliases)
    if isinstance(expr, (AND, OR)):
        operator: Literal["AND", "OR"] = "AND" if isinstance(expr, AND) else "OR"
        return _group(operator, (_convert(a, state, use_aliases=use_aliases) for a in expr.args))
    raise TypeError(f"unexpected license expression node {type(expr).__name__}")


# -- the special forms --------------------------------------------------------------------
_CLASSIFIER = re.compile(r"^\s*License\s*::")
_CLASSIFIER_SPLIT = re.compile(r"[\s,;|]*(?=\bLicense\s*::)")
_SEE_FILE = re.compile(r"^see\s+licen[cs]e(?:\s+(?:in|file))?\s*[:\-]?\s*(?P<file>.*)$", re.I)
_FILE_VALUE = re.compile(r"^(?:file\s+)?(?P<file>(?:licen[cs]e|copying)(?:[-._][\w.-]*)?)$", re.I)
_PROSE = re.compile(r"[.,;:!?]\s|\s(?:the|of|to|in|is|this|software)\s")
"""Words and punctuation of sentences, which a long expression never has."""
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_URL_ID = re.compile(r"(?:opensource\.org|spdx\.org)/licenses/([^/]+)$")
_FALLBACK_OR = re.compile(r"\s+or\s+|\s*/\s*|\s*\|\|?\s*", re.I)
_FALLBACK_AND = re.compile(r"\s+and\s+|\s*&\s*", re.I)


def _classifiers(raw: str, text: str, state: _State) -> NormalizedLicense:
    trees: list[LicenseNode] = []
    for part in _CLASSIFIER_SPLIT.split(text):
        leaf = part.split("::")[-1].strip()
        if not part.strip() or leaf.lower() in _tables().no_information:
            continue
        tree = _resolve_name(leaf, state)
        if tree is None:
            state.unknown.append(leaf)
            tree = LicenseTerm(_stand_in(leaf))
        trees.append(tree)
    if not trees:
        return _result(raw, None)
    # Several license classifiers most often mean a choice (dual licensing).
    return _result(raw, _group("OR", trees), unknown=state.unknown, approximate=state.approximate)


def _url(raw: str, text: str) -> NormalizedLicense:
    key = _url_key(text)
    known = _tables().urls.get(key)
    if known is not None:
        return _result(raw, _alias_tree(known))
    found = _URL_ID.search(key)
    if found is not None:
        spdx = _licensing().known_symbols_lowercase.get(found.group(1))
        if spdx is not None and not spdx.is_exception:
            return _result(raw, LicenseTerm(spdx.key))
    return _result(raw, LicenseTerm(_stand_in(key)), unknown=(text,))


def _fallback(raw: str, text: str, state: _State) -> NormalizedLicense:
    """Strings the SPDX parser rejects (commas, ``MIT/Apache-2.0``): split on or/and."""
    options: list[LicenseNode] = []
    for option in _FALLBACK_OR.split(text):
        terms: list[LicenseNode] = []
        for part in _FALLBACK_AND.split(option):
            name = part.strip().strip("()").strip()
            if not name:
                continue
            tree = _resolve_name(name, state)
            if tree is None:
                state.unknown.append(name)
                tree = LicenseTerm(_stand_in(name))
            terms.append(tree)
        if terms:
            options.append(_group("AND", terms))
    if not options or (len(options) == 1 and state.unknown):
        state.unknown = [text]
        options = [LicenseTerm(_stand_in(text))]
    return _result(raw, _group("OR", options), unknown=state.unknown, approximate=state.approximate)


@lru_cache(maxsize=8192)
def normalize_license(raw: str) -> NormalizedLicense:
    """The SPDX expression a raw license string from a lockfile or metadata stands for.

    Recognises SPDX expressions (deprecated ids such as ``GPL-2.0+`` become
    ``GPL-2.0-or-later``), common names and misspellings, trove classifiers, license URLs,
    npm's ``UNLICENSED`` and ``SEE LICENSE IN <file>``, and license texts pasted into the
    metadata. Never raises: what is not recognised is marked unknown.
    """
    text = raw.strip()
    if not text or text.lower() in _tables().no_information:
        return _result(raw, None)
    special = _special_form(raw, text)
    if special is not None:
        return special
    state = _State()
    whole = _resolve_name(text, state)
    if whole is not None:
        return _result(raw, whole, approximate=state.approximate)
    try:
        parsed = _licensing().parse(text, validate=False)
    except Exception:
        # Besides its own ExpressionError, the library (and boolean.py under it) raises
        # IndexError, AssertionError and others on degenerate input such as "()" or
        # "( OR MIT". Metadata is untrusted text: read it with the plain fallback instead.
        return _fallback(raw, text, _State())
    if parsed is None:
        return _result(raw, None)
    tree = _convert(parsed, state)
    return _result(raw, tree, unknown=state.unknown, approximate=state.approximate)


def _special_form(raw: str, text: str) -> NormalizedLicense | None:
    """Classifiers, pasted license texts, file pointers and URLs; None for anything else."""
    if _CLASSIFIER.match(text):
        return _classifiers(raw, text, _State())
    if text.count("\n") >= 2 or (len(text) > 200 and _PROSE.search(text)):
        found = identify_license_text(text)
        if found is not None:
            return _result(raw, LicenseTerm(found), from_text=True)
        first = next(line for line in text.splitlines() if line.strip())
        return _result(raw, LicenseTerm(_stand_in(first[:60] + " " + text)), unknown=(text,))
    see = _SEE_FILE.match(text) or _FILE_VALUE.match(text)
    if see is not None:
        name = see.group("file").strip() or "LICENSE"
        return _result(
            raw,
            LicenseTerm(_stand_in(name, prefix="SEE-LICENSE-IN ")),
            unknown=(text,),
            license_file=name,
        )
    if _URL.match(text):
        return _url(raw, text)
    return None


# -- license files ------------------------------------------------------------------------
_LICENSE_NAME = re.compile(r"^(?:licen[cs]e|copying|unlicense)(?:[-._][\w.+-]*)?$", re.I)
_LICENSES_DIR = frozenset({"licenses", "licences"})
_NOT_LICENSE = re.compile(
    r"^(?:notice|authors|readme|change|code[-_]of[-_]conduct|contributing|contributors|history"
    r"|news)",
    re.I,
)
_DUAL = re.compile(r" either of the licenses | dual licensed | licensed under either ")
_NOT_TEXT = frozenset(
    {
        "py", "pyc", "js", "mjs", "cjs", "ts", "go", "rs", "java", "class", "rb", "php", "c",
        "h", "cc", "cpp", "hpp", "cs", "json", "yaml", "yml", "toml", "xml", "html", "htm",
        "css", "sh", "pl", "pm", "swift", "kt", "png", "svg", "jpg", "gif", "pdf", "map",
    }
)  # fmt: skip


def _extension(base: str) -> str:
    return base.rpartition(".")[2].lower() if "." in base else ""


def is_license_file(path: str) -> bool:
    """Whether a file is a license text: LICENSE*, LICENCE*, COPYING* (NOTICE files are
    not), or a text file in a ``licenses/`` directory (PEP 639 metadata, REUSE)."""
    directory, _, base = path.rpartition("/")
    if _extension(base) in _NOT_TEXT or _NOT_LICENSE.match(base):
        return False
    if directory.rpartition("/")[2].lower() in _LICENSES_DIR:
        return True
    return _LICENSE_NAME.match(base) is not None


def license_directory(path: str) -> str:
    """The directory a license file applies to: its own, or the parent of ``licenses/``."""
    directory = path.rpartition("/")[0]
    head, _, last = directory.rpartition("/")
    return head if last.lower() in _LICENSES_DIR else directory


def license_files(paths: Iterable[str], read: Callable[[str], str | None]) -> dict[str, str]:
    """Directory -> SPDX expression of the license files found there.

    ``read(path)`` returns a file's text, or None when it cannot be read. Files whose
    wording is not recognised are left out. Several recognised files in one directory are
    combined with AND (each applies, as far as lockgate can tell), or with OR when another
    file there says the licenses are a choice ("either of the licenses", "dual licensed").
    """
    found: dict[str, list[LicenseNode]] = {}
    choice: set[str] = set()
    for path in sorted(set(paths)):
        if not is_license_file(path):
            continue
        text = read(path)
        if text is None:
            continue
        directory = license_directory(path)
        spdx = identify_license_text(text)
        if spdx is None and path.rpartition("/")[0].rpartition("/")[2].lower() in _LICENSES_DIR:
            # REUSE names the file after its SPDX id: LICENSES/MIT.txt.
            stem = path.rpartition("/")[2].removesuffix(".txt").removesuffix(".md")
            symbol = _licensing().known_symbols.get(stem)
            spdx = symbol.key if symbol is not None and not symbol.is_exception else None
        if spdx is not None:
            found.setdefault(directory, []).append(LicenseTerm(spdx))
        elif _DUAL.search(normalise_text(text)):
            choice.add(directory)
    return {
        directory: render(_group("OR" if directory in choice else "AND", terms))
        for directory, terms in found.items()
    }
