"""Recognise a license from the text of a LICENSE or COPYING file.

The text is reduced to lower-case words (every other character becomes a space) and checked
for the phrases that characterise each license's standard wording: the grant sentence of
MIT, the conditions of the BSD family (the endorsement clause separates BSD-3-Clause from
BSD-2-Clause), the title and version of the GNU licenses. When a file holds several licenses
(a dual-license file, bundled third-party notices), the one whose wording comes first wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_text(text: str) -> str:
    """Lower-case words separated by single spaces; British 'licence' spelled 'license'."""
    lowered = text.lower().replace("licence", "license")
    return " " + _NON_WORD.sub(" ", lowered).strip() + " "


@dataclass(frozen=True, slots=True)
class _Signature:
    """A license recognised when every phrase of ``all_of`` occurs and none of ``none_of``.

    Phrases are regular expressions over :func:`normalise_text` output. Signatures of one
    ``family`` are tried in order, the most specific first; the position of the first phrase
    of the winning signature places the family in the file.
    """

    spdx: str
    family: str
    all_of: tuple[str, ...]
    none_of: tuple[str, ...] = ()


_BSD_GRANT = r"redistribution and use in source and binary forms with or without modification"
_MIT_GRANT = r"permission is hereby granted free of charge to any person obtaining a copy"
_MIT_NOTICE = r"permission notice(?: including the next paragraph)? shall be included in all copies"
_ISC_GRANT = (
    r"permission to use copy modify and(?: or)? distribute this software for any purpose "
    r"with or without fee is hereby granted"
)

SIGNATURES: tuple[_Signature, ...] = (
    # MIT family: X11 adds the advertising clause; MIT-0 drops the notice condition.
    _Signature(
        "X11", "mit", (_MIT_GRANT, _MIT_NOTICE, r"except as contained in this notice the name")
    ),
    _Signature("MIT", "mit", (_MIT_GRANT, _MIT_NOTICE)),
    _Signature("MIT-0", "mit", (_MIT_GRANT,), none_of=(_MIT_NOTICE,)),
    # BSD family: the advertising clause (4), the endorsement clause (3), neither (2).
    _Signature(
        "BSD-4-Clause",
        "bsd",
        (_BSD_GRANT, r"all advertising materials mentioning features or use of this software"),
    ),
    _Signature(
        "BSD-3-Clause",
        "bsd",
        (_BSD_GRANT, r"endorse or promote products derived from this software"),
    ),
    _Signature("BSD-2-Clause", "bsd", (_BSD_GRANT,)),
    # ISC keeps the notice condition, 0BSD drops it.
    _Signature(
        "ISC",
        "isc",
        (_ISC_GRANT, r"provided that the above copyright notice and this permission notice appear"),
    ),
    _Signature("0BSD", "isc", (_ISC_GRANT,)),
    _Signature(
        "PostgreSQL",
        "postgresql",
        (
            r"permission to use copy modify and distribute this software and its documentation "
            r"for any purpose without fee and without a written agreement is hereby granted",
        ),
    ),
    # Apache: the title or the notice; a full text cut before its title by its sections.
    _Signature("Apache-2.0", "apache", (r"apache license(?: version)? 2 0",)),
    _Signature(
        "Apache-2.0",
        "apache",
        (
            r"terms and conditions for use reproduction and distribution",
            r"grant of patent license",
            r"submission of contributions",
        ),
    ),
    _Signature("Apache-1.1", "apache-1", (r"apache software license version 1 1",)),
    _Signature("MPL-2.0", "mpl", (r"mozilla public license(?: version| v)? ?2 0",)),
    _Signature("MPL-1.1", "mpl", (r"mozilla public license(?: version| v)? ?1 1",)),
    _Signature("MPL-1.0", "mpl", (r"mozilla public license(?: version| v)? ?1 0",)),
    _Signature("EPL-2.0", "epl", (r"eclipse public license(?: version| v)? ?2 0",)),
    _Signature("EPL-1.0", "epl", (r"eclipse public license(?: version| v)? ?1 0",)),
    _Signature("EUPL-1.2", "eupl", (r"european union public license(?: version| v)? ?1 2",)),
    _Signature("EUPL-1.1", "eupl", (r"european union public license(?: version| v)? ?1 1",)),
    _Signature(
        "CDDL-1.1", "cddl", (r"common development and distribution license cddl version 1 1",)
    ),
    _Signature(
        "CDDL-1.0", "cddl", (r"common development and distribution license cddl version 1 0",)
    ),
    _Signature(
        "Unlicense",
        "unlicense",
        (r"this is free and unencumbered software released into the public domain",),
    ),
    _Signature(
        "CC0-1.0",
        "cc0",
        (r"(?:cc0 1 0 universal|creative commons zero|associated cc0 with|associating cc0 with)",),
    ),
    _Signature(
        "CC-BY-NC-SA-4.0",
        "cc",
        (r"attribution noncommercial sharealike 4 0 international",),
    ),
    _Signature("CC-BY-NC-4.0", "cc", (r"attribution noncommercial 4 0 international",)),
    _Signature("CC-BY-SA-4.0", "cc", (r"attribution sharealike 4 0 international",)),
    _Signature("CC-BY-4.0", "cc", (r"creative commons attribution 4 0 international",)),
    _Signature(
        "Zlib",
        "zlib",
        (
            r"in no event will the authors be held liable for any damages arising from the use "
            r"of this software",
            r"altered source versions must be plainly marked as such",
        ),
    ),
    _Signature(
        "BSL-1.0",
        "boost",
        (
            r"(?:boost software license(?: version)? 1 0|permission is hereby granted free of "
            r"charge to any person or organization obtaining a copy of the software and "
            r"accompanying documentation covered by this license)",
        ),
    ),
    # Python: the full history file stacks the PSF, BeOpen, CNRI and CWI agreements.
    _Signature(
        "Python-2.0",
        "python",
        (r"python software foundation", r"beopen python open source license agreement"),
    ),
    _Signature(
        "PSF-2.0",
        "python",
        (
            r"(?:python software foundation license version 2|this license agreement is between "
            r"the python software foundation)",
        ),
    ),
    _Signature("UPL-1.0", "upl", (r"universal permissive license upl version 1 0",)),
    _Signature("Artistic-2.0", "artistic", (r"the artistic license 2 0",)),
    _Signature("OFL-1.1", "ofl", (r"sil open font license version 1 1",)),
    _Signature("MS-PL", "ms-pl", (r"microsoft public license ms pl",)),
    _Signature("BlueOak-1.0.0", "blueoak", (r"blue oak model license",)),
    _Signature("WTFPL", "wtfpl", (r"do what the fuck you want to public license",)),
    _Signature("NCSA", "ncsa", (r"university of illinois ncsa open source license",)),
    _Signature("BUSL-1.1", "busl", (r"business source license 1 1",)),
    _Signature("SSPL-1.0", "sspl", (r"server side public license version 1",)),
    _Signature("Elastic-2.0", "elastic", (r"elastic license 2 0",)),
)
_COMPILED = tuple(
    (sig, tuple(re.compile(p) for p in sig.all_of), tuple(re.compile(p) for p in sig.none_of))
    for sig in SIGNATURES
)

# -- the GNU family: title, version and "or (at your option) any later version" ------------
_GNU_TITLE = re.compile(r" gnu (affero |lesser |library )?general public license")
_GNU_VERSION_AFTER_TITLE = re.compile(
    r"(?: as published by the free software foundation)?(?: either)?"
    r" (?:version |v ?)?(\d)(?: (\d)(?!\d))?(?= )"
)
_GNU_VERSION_ANYWHERE = re.compile(r" either version (\d)(?: (\d)(?!\d))? of the license")
_OR_LATER = re.compile(r" or at your option any later version")
_APPENDIX = re.compile(r" how to apply these terms to your new")
_GNU_IDS = {
    ("gpl", "1"): "GPL-1.0",
    ("gpl", "2"): "GPL-2.0",
    ("gpl", "3"): "GPL-3.0",
    ("library", "2"): "LGPL-2.0",
    ("lesser", "2"): "LGPL-2.1",
    ("lesser", "2.1"): "LGPL-2.1",
    ("lesser", "3"): "LGPL-3.0",
    ("affero", "1"): "AGPL-1.0",
    ("affero", "3"): "AGPL-3.0",
}


def _gnu(text: str) -> tuple[int, str] | None:
    """The GNU license whose title comes first, with its version and or-later flag."""
    title = _GNU_TITLE.search(text)
    if title is None:
        if " remote network interaction " in text and " general public license " in text:
            return text.index(" remote network interaction "), "AGPL-3.0-only"
        return None
    variant = (title.group(1) or "gpl ").strip()
    found = _GNU_VERSION_AFTER_TITLE.match(text, title.end()) or _GNU_VERSION_ANYWHERE.search(text)
    if found is None:
        return None
    major, minor = found.group(1), found.group(2)
    version = f"{major}.{minor}" if variant == "lesser" and minor == "1" else major
    base = _GNU_IDS.get((variant, version))
    if base is None:
        return None
    # The appendix of a full GPL text shows the notice an author would add; only a notice
    # before it (in the file's own header) says "or any later version" for this work.
    appendix = _APPENDIX.search(text)
    end = appendix.start() if appendix else len(text)
    later = _OR_LATER.search(text, 0, end) is not None
    return title.start(), f"{base}-{'or-later' if later else 'only'}"


def identify_license_text(text: str) -> str | None:
    """The SPDX id of the license written in ``text`` (a LICENSE or COPYING file), or None.

    Recognises the common licenses by their standard wording; returns the one that comes
    first when the file holds several, and None when no known wording is found.
    """
    normal = normalise_text(text)
    best: tuple[int, str] | None = None
    decided: set[str] = set()
    for sig, required, forbidden in _COMPILED:
        if sig.family in decided:
            continue
        first = required[0].search(normal)
        if first is None or not all(p.search(normal) for p in required[1:]):
            continue
        if any(p.search(normal) for p in forbidden):
            continue
        decided.add(sig.family)
        if best is None or first.start() < best[0]:
            best = (first.start(), sig.spdx)
    gnu = _gnu(normal)
    if gnu is not None and (best is None or gnu[0] < best[0]):
        best = gnu
    return best[1] if best else None
