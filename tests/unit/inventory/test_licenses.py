"""License identification as users meet it: raw metadata strings and LICENSE files become
SPDX ids they can write policies against."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockgate.inventory.licenses import (
    PROPRIETARY,
    PUBLIC_DOMAIN,
    LicenseTerm,
    alias_key,
    alternatives,
    identify_license_text,
    is_license_file,
    known_license_ids,
    license_directory,
    license_files,
    normalize_license,
)
from tests.conftest import shared_dataset

# raw string as lockfiles and metadata write it -> expected SPDX expression
SPELLINGS = [
    ("MIT", "MIT"),
    ("mit", "MIT"),
    ("MIT License", "MIT"),
    ("The MIT License", "MIT"),
    ("Expat", "MIT"),
    ("Apache-2.0", "Apache-2.0"),
    ("Apache 2.0", "Apache-2.0"),
    ("Apache License, Version 2.0", "Apache-2.0"),
    ("Apache License 2.0", "Apache-2.0"),
    ("Apache2", "Apache-2.0"),
    ("ASL 2.0", "Apache-2.0"),
    ("new BSD", "BSD-3-Clause"),
    ("Modified BSD License", "BSD-3-Clause"),
    ("BSD 3-Clause", "BSD-3-Clause"),
    ("3-clause BSD", "BSD-3-Clause"),
    ("Simplified BSD", "BSD-2-Clause"),
    ("BSD 2-Clause License", "BSD-2-Clause"),
    ("GPLv2", "GPL-2.0-only"),
    ("GPL-2.0", "GPL-2.0-only"),
    ("GPL-2.0+", "GPL-2.0-or-later"),
    ("GPLv2 or later", "GPL-2.0-or-later"),
    ("GPLv3+", "GPL-3.0-or-later"),
    ("GPL v3", "GPL-3.0-only"),
    ("gpl-3.0-or-later", "GPL-3.0-or-later"),
    ("LGPL-2.1+", "LGPL-2.1-or-later"),
    ("LGPLv2.1", "LGPL-2.1-only"),
    ("LGPLv3+", "LGPL-3.0-or-later"),
    ("AGPLv3", "AGPL-3.0-only"),
    ("AGPL-3.0", "AGPL-3.0-only"),
    ("MPL 2.0", "MPL-2.0"),
    ("Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
    ("EPL-2.0", "EPL-2.0"),
    ("Eclipse Public License - v 1.0", "EPL-1.0"),
    ("Python Software Foundation License", "PSF-2.0"),
    ("PSFL", "PSF-2.0"),
    ("ISC License (ISCL)", "ISC"),
    ("Public Domain", PUBLIC_DOMAIN),
    ("UNLICENSED", PROPRIETARY),
    ("Proprietary", PROPRIETARY),
    ("Unlicense", "Unlicense"),
    ("The Unlicense", "Unlicense"),
    ("CC0", "CC0-1.0"),
    ("zlib/libpng", "Zlib"),
    ("Boost Software License 1.0 (BSL-1.0)", "BSL-1.0"),
    ("MIT No Attribution", "MIT-0"),
    ("License :: OSI Approved :: MIT License", "MIT"),
    ("License :: OSI Approved :: ISC License (ISCL)", "ISC"),
    (
        "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
        "GPL-2.0-or-later",
    ),
    ("License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
    ("License :: Other/Proprietary License", PROPRIETARY),
    ("License :: Public Domain", PUBLIC_DOMAIN),
    ("Apache-2.0 OR MIT", "Apache-2.0 OR MIT"),
    ("MIT OR Apache-2.0", "Apache-2.0 OR MIT"),
    ("MIT OR BSD-3-Clause", "BSD-3-Clause OR MIT"),
    ("MIT/Apache-2.0", "Apache-2.0 OR MIT"),
    ("Apache License 2.0 or MIT", "Apache-2.0 OR MIT"),
    ("Apache License, Version 2.0 OR MIT", "Apache-2.0 OR MIT"),
    ("(MIT OR Apache-2.0) AND Unicode-DFS-2016", "(Apache-2.0 OR MIT) AND Unicode-DFS-2016"),
    ("GPL-2.0 WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"),
    ("GPL-2.0-with-classpath-exception", "GPL-2.0-only WITH Classpath-exception-2.0"),
    ("Perl", "Artistic-1.0-Perl OR GPL-1.0-or-later"),
    ("https://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0"),
    ("http://opensource.org/licenses/MIT", "MIT"),
    ("https://spdx.org/licenses/BSD-2-Clause.html", "BSD-2-Clause"),
    ("http://www.gnu.org/licenses/lgpl-3.0.html", "LGPL-3.0-only"),
]


@pytest.mark.parametrize(("raw", "expected"), SPELLINGS)
def test_common_spellings_become_spdx_expressions(raw: str, expected: str) -> None:
    result = normalize_license(raw)
    assert result.expression == expected
    assert result.known and not result.unknown


def test_the_table_covers_at_least_forty_spellings() -> None:
    assert len(SPELLINGS) >= 40


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("BSD", "BSD-3-Clause"),
        ("BSD License", "BSD-3-Clause"),
        ("Apache Software License", "Apache-2.0"),
        ("LGPL", "LGPL-2.0-or-later"),
        ("GPL", "GPL-1.0-or-later"),
        ("License :: OSI Approved :: BSD License", "BSD-3-Clause"),
    ],
)
def test_names_without_a_version_or_variant_are_flagged_as_guesses(raw: str, expected: str) -> None:
    result = normalize_license(raw)
    assert result.expression == expected
    assert result.approximate


def test_an_exact_name_is_not_a_guess() -> None:
    assert not normalize_license("BSD-3-Clause").approximate
    assert not normalize_license("new BSD").approximate


@pytest.mark.parametrize(
    "raw", ["", "   ", "UNKNOWN", "NOASSERTION", "None", "License :: OSI Approved"]
)
def test_values_that_say_nothing_are_missing_not_unknown(raw: str) -> None:
    result = normalize_license(raw)
    assert result.missing
    assert result.expression is None and not result.known


def test_an_unrecognised_name_gets_a_stable_licenseref_stand_in() -> None:
    first = normalize_license("Acme Corp Source License v1")
    assert first.expression == "LicenseRef-lockgate-Acme-Corp-Source-License-v1"
    assert first.unknown == ("Acme Corp Source License v1",)
    assert not first.known and not first.missing
    assert normalize_license("Acme Corp Source License v1 ").expression == first.expression


def test_a_partly_recognised_expression_keeps_the_known_part() -> None:
    result = normalize_license("MIT OR Acme-Custom")
    assert result.expression == "LicenseRef-lockgate-Acme-Custom OR MIT"
    assert result.unknown == ("Acme-Custom",)


def test_a_very_long_unknown_name_gets_a_short_hashed_id() -> None:
    raw = "Licensed to customers of Example Corporation under their master agreement " * 2
    result = normalize_license(raw)
    assert result.expression is not None
    ref = result.expression.removeprefix("LicenseRef-lockgate-")
    assert len(ref) <= 49 and ref != result.expression


def test_see_license_in_points_at_the_file() -> None:
    result = normalize_license("SEE LICENSE IN LICENSE.md")
    assert result.license_file == "LICENSE.md"
    assert not result.known
    assert result.expression == "LicenseRef-lockgate-SEE-LICENSE-IN-LICENSE.md"


def test_a_pasted_license_text_is_identified() -> None:
    result = normalize_license(MIT_TEXT)
    assert result.expression == "MIT" and result.from_text and result.known


def test_operand_order_does_not_change_the_id() -> None:
    a = normalize_license("MIT OR Apache-2.0 OR ISC")
    b = normalize_license("ISC OR (Apache-2.0 OR MIT)")
    assert a.expression == b.expression == "Apache-2.0 OR ISC OR MIT"


def test_repeated_licenses_collapse() -> None:
    assert normalize_license("MIT OR MIT").expression == "MIT"


def test_several_classifiers_are_read_as_a_choice() -> None:
    raw = (
        "License :: OSI Approved :: Apache Software License\nLicense :: OSI Approved :: BSD License"
    )
    assert normalize_license(raw).expression == "Apache-2.0 OR BSD-3-Clause"


_PIECES = st.sampled_from(
    ["MIT", "GPL-2.0+", "Apache 2.0", " OR ", " AND ", " WITH ", "Classpath-exception-2.0",
     "(", ")", "/", ",", "License :: OSI Approved :: ", "SEE LICENSE IN ", "http://", "Acme"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=10).map("".join) | st.text(max_size=120))
def test_any_string_normalises_without_error_and_stays_stable(raw: str) -> None:
    result = normalize_license(raw)
    if result.expression is not None:
        assert normalize_license(result.expression).expression == result.expression


def test_alternatives_of_an_expression() -> None:
    tree = normalize_license("MIT AND (Apache-2.0 OR GPL-2.0-only)").tree
    assert tree is not None
    assert alternatives(tree) == (
        (LicenseTerm("Apache-2.0"), LicenseTerm("MIT")),
        (LicenseTerm("GPL-2.0-only"), LicenseTerm("MIT")),
    )


def test_alias_keys_ignore_spelling_noise() -> None:
    assert alias_key("Apache License, Version 2.0") == alias_key("apache-2") == "apache 2"
    assert alias_key("GPLv2+") == alias_key("GPL 2.0 or later")


def test_every_alias_in_the_shipped_table_resolves_to_known_spdx() -> None:
    path = resources.files("lockgate.inventory") / "data" / "license_aliases.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    keys: dict[str, str] = {}
    for section in ("aliases", "approximate"):
        for name, value in data[section].items():
            key = alias_key(name)
            assert key, f"{name!r} normalises to nothing"
            assert keys.setdefault(key, value) == value, f"{name!r} clashes with another entry"
            result = normalize_license(value)
            assert result.known, f"{section}: {name!r} -> {value!r} is not SPDX"
    for url, value in data["urls"].items():
        assert normalize_license(value).known, url
        assert normalize_license(f"https://{url}").expression == normalize_license(value).expression


# -- license texts (short excerpts of each license's standard wording) ---------------------
MIT_TEXT = """MIT License

Copyright (c) 2024 Example Author

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software.

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
"""
MIT_0_TEXT = """MIT No Attribution

Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software
without restriction, to permit persons to whom the Software is furnished to do so.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
"""
X11_TEXT = (
    MIT_TEXT
    + """
Except as contained in this notice, the name of the X Consortium shall not be used in
advertising or otherwise to promote the sale, use or other dealings in this Software.
"""
)
BSD_2_TEXT = """Copyright (c) 2020, Example

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation.
"""
BSD_3_TEXT = (
    BSD_2_TEXT
    + """3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.
"""
)
BSD_4_TEXT = (
    BSD_3_TEXT
    + """4. All advertising materials mentioning features or use of this software
   must display the following acknowledgement: This product includes software
   developed by Example.
"""
)
ISC_TEXT = """ISC License

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.
"""
ZERO_BSD_TEXT = """Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
"""
APACHE_TEXT = """
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION
"""
APACHE_NOTICE = """Copyright 2021 Example

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
"""
GPL_2_TEXT = """                    GNU GENERAL PUBLIC LICENSE
                       Version 2, June 1991

 Copyright (C) 1989, 1991 Free Software Foundation, Inc.
 Everyone is permitted to copy and distribute verbatim copies
 of this license document, but changing it is not allowed.

Some other Free Software Foundation software is covered by
the GNU Lesser General Public License instead.

            How to Apply These Terms to Your New Programs

    This program is free software; you can redistribute it and/or modify
    it under the terms of the GNU General Public License as published by
    the Free Software Foundation; either version 2 of the License, or
    (at your option) any later version.
"""
GPL_2_OR_LATER_NOTICE = """Copyright (C) 2019 Example

This program is free software; you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation; either version 2 of the License, or
(at your option) any later version.
"""
GPL_3_TEXT = """                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>

  13. Use with the GNU Affero General Public License.

  If the Program specifies that a certain numbered version of the GNU General
Public License "or any later version" applies to it, you have the option of
following the terms and conditions either of that numbered version or of any
later version published by the Free Software Foundation.

                     How to Apply These Terms to Your New Programs

    This program is free software: you can redistribute it and/or modify
    it under the terms of the GNU General Public License as published by
    the Free Software Foundation, either version 3 of the License, or
    (at your option) any later version.
"""
GPL_3_OR_LATER_NOTICE = """This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version.
"""
LGPL_2_1_TEXT = """                  GNU LESSER GENERAL PUBLIC LICENSE
                       Version 2.1, February 1999

[This is the first released version of the Lesser GPL.  It also counts
 as the successor of the GNU Library Public License, version 2, hence
 the version number 2.1.]
"""
LGPL_2_1_OR_LATER_NOTICE = """This library is free software; you can redistribute it and/or
modify it under the terms of the GNU Lesser General Public
License as published by the Free Software Foundation; either
version 2.1 of the License, or (at your option) any later version.
"""
LGPL_3_TEXT = """                   GNU LESSER GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

  This version of the GNU Lesser General Public License incorporates
the terms and conditions of version 3 of the GNU General Public
License, supplemented by the additional permissions listed below.
"""
LGPL_2_0_TEXT = """                  GNU LIBRARY GENERAL PUBLIC LICENSE
                       Version 2, June 1991
"""
AGPL_3_TEXT = """                    GNU AFFERO GENERAL PUBLIC LICENSE
                       Version 3, 19 November 2007

  13. Remote Network Interaction; Use with the GNU General Public License.
"""
AGPL_3_OR_LATER_NOTICE = """This program is free software: you can redistribute it and/or modify
it under the terms of the GNU Affero General Public License as published
by the Free Software Foundation, either version 3 of the License, or
(at your option) any later version.
"""
MPL_2_TEXT = """Mozilla Public License Version 2.0
==================================

1. Definitions
"""
MPL_2_NOTICE = """This Source Code Form is subject to the terms of the Mozilla Public
License, v. 2.0. If a copy of the MPL was not distributed with this
file, You can obtain one at https://mozilla.org/MPL/2.0/.
"""
EPL_1_TEXT = """Eclipse Public License - v 1.0

THE ACCOMPANYING PROGRAM IS PROVIDED UNDER THE TERMS OF THIS ECLIPSE PUBLIC LICENSE.
"""
EPL_2_TEXT = """Eclipse Public License - v 2.0

    THE ACCOMPANYING PROGRAM IS PROVIDED UNDER THE TERMS OF THIS ECLIPSE
    PUBLIC LICENSE ("AGREEMENT").
"""
UNLICENSE_TEXT = """This is free and unencumbered software released into the public domain.

Anyone is free to copy, modify, publish, use, compile, sell, or
distribute this software, either in source code form or as a compiled
binary, for any purpose, commercial or non-commercial, and by any means.
"""
CC0_TEXT = """Creative Commons Legal Code

CC0 1.0 Universal

    CREATIVE COMMONS CORPORATION IS NOT A LAW FIRM AND DOES NOT PROVIDE
    LEGAL SERVICES.
"""
ZLIB_TEXT = """This software is provided 'as-is', without any express or implied
warranty.  In no event will the authors be held liable for any damages
arising from the use of this software.

2. Altered source versions must be plainly marked as such, and must not be
   misrepresented as being the original software.
"""
BOOST_TEXT = """Boost Software License - Version 1.0 - August 17th, 2003

Permission is hereby granted, free of charge, to any person or organization
obtaining a copy of the software and accompanying documentation covered by
this license (the "Software") to use, reproduce, display, distribute,
execute, and transmit the Software.
"""
PSF_TEXT = """PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
--------------------------------------------

1. This LICENSE AGREEMENT is between the Python Software Foundation
("PSF"), and the Individual or Organization ("Licensee") accessing and
otherwise using this software ("Python") in source or binary form.
"""
PYTHON_TEXT = (
    PSF_TEXT
    + """
BEOPEN.COM LICENSE AGREEMENT FOR PYTHON 2.0
-------------------------------------------

BEOPEN PYTHON OPEN SOURCE LICENSE AGREEMENT VERSION 1
"""
)
EUPL_TEXT = """EUROPEAN UNION PUBLIC LICENCE v. 1.2
EUPL © the European Union 2007, 2016
"""
POSTGRESQL_TEXT = """Permission to use, copy, modify, and distribute this software and its
documentation for any purpose, without fee, and without a written agreement
is hereby granted, provided that the above copyright notice and this
paragraph and the following two paragraphs appear in all copies.
"""
UPL_TEXT = """The Universal Permissive License (UPL), Version 1.0

Subject to the condition set forth below, permission is hereby granted to any person.
"""
WTFPL_TEXT = """            DO WHAT THE FUCK YOU WANT TO PUBLIC LICENSE
                    Version 2, December 2004
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MIT_TEXT, "MIT"),
        (MIT_0_TEXT, "MIT-0"),
        (X11_TEXT, "X11"),
        (BSD_2_TEXT, "BSD-2-Clause"),
        (BSD_3_TEXT, "BSD-3-Clause"),
        (BSD_4_TEXT, "BSD-4-Clause"),
        (ISC_TEXT, "ISC"),
        (ZERO_BSD_TEXT, "0BSD"),
        (APACHE_TEXT, "Apache-2.0"),
        (APACHE_NOTICE, "Apache-2.0"),
        (GPL_2_TEXT, "GPL-2.0-only"),
        (GPL_2_OR_LATER_NOTICE, "GPL-2.0-or-later"),
        (GPL_3_TEXT, "GPL-3.0-only"),
        (GPL_3_OR_LATER_NOTICE, "GPL-3.0-or-later"),
        (GPL_3_OR_LATER_NOTICE + "\n" + GPL_3_TEXT, "GPL-3.0-or-later"),
        (LGPL_2_1_TEXT, "LGPL-2.1-only"),
        (LGPL_2_1_OR_LATER_NOTICE, "LGPL-2.1-or-later"),
        (LGPL_3_TEXT, "LGPL-3.0-only"),
        (LGPL_2_0_TEXT, "LGPL-2.0-only"),
        (AGPL_3_TEXT, "AGPL-3.0-only"),
        (AGPL_3_OR_LATER_NOTICE, "AGPL-3.0-or-later"),
        (MPL_2_TEXT, "MPL-2.0"),
        (MPL_2_NOTICE, "MPL-2.0"),
        (EPL_1_TEXT, "EPL-1.0"),
        (EPL_2_TEXT, "EPL-2.0"),
        (UNLICENSE_TEXT, "Unlicense"),
        (CC0_TEXT, "CC0-1.0"),
        (ZLIB_TEXT, "Zlib"),
        (BOOST_TEXT, "BSL-1.0"),
        (PSF_TEXT, "PSF-2.0"),
        (PYTHON_TEXT, "Python-2.0"),
        (EUPL_TEXT, "EUPL-1.2"),
        (POSTGRESQL_TEXT, "PostgreSQL"),
        (UPL_TEXT, "UPL-1.0"),
        (WTFPL_TEXT, "WTFPL"),
    ],
)
def test_license_texts_are_identified_by_their_wording(text: str, expected: str) -> None:
    assert identify_license_text(text) == expected
    assert expected in known_license_ids()


def test_reflowed_and_recased_text_is_still_identified() -> None:
    squashed = " ".join(BSD_3_TEXT.upper().split())
    assert identify_license_text(squashed) == "BSD-3-Clause"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# Example\n\nA library for parsing things. See the docs for details.\n",
        "This product includes software developed at The Apache Software Foundation.\n",
        "Copyright (c) 2024 Example Corp. All rights reserved.\n",
    ],
)
def test_texts_without_license_wording_are_not_identified(text: str) -> None:
    assert identify_license_text(text) is None


def test_the_license_that_comes_first_wins() -> None:
    bundled = MIT_TEXT + "\n\nThird-party code:\n\n" + APACHE_TEXT
    assert identify_license_text(bundled) == "MIT"
    assert identify_license_text(APACHE_TEXT + "\n" + MIT_TEXT) == "Apache-2.0"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (("containers", "trivy-fixtures.LICENSE"), "Apache-2.0"),
        (("osv", "Go.LICENSE"), "BSD-3-Clause"),
        (("sast", "vulpy.LICENSE"), "MIT"),
        (("lockfiles", "osv-detector.LICENSE"), "MIT"),
        (("osv", "PyPI.LICENSE"), "CC-BY-4.0"),
    ],
)
def test_real_license_files_of_the_shared_datasets(name: tuple[str, ...], expected: str) -> None:
    path = shared_dataset(*name)
    assert identify_license_text(path.read_text(encoding="utf-8", errors="replace")) == expected


# -- license files ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("LICENSE", True),
        ("LICENSE.txt", True),
        ("LICENCE.md", True),
        ("license", True),
        ("COPYING", True),
        ("COPYING.LESSER", True),
        ("LICENSE-MIT", True),
        ("LICENSE-APACHE", True),
        ("UNLICENSE", True),
        ("pkg-1.0.dist-info/licenses/LICENSE", True),
        ("LICENSES/MIT.txt", True),
        ("NOTICE", False),
        ("pkg-1.0.dist-info/licenses/NOTICE", False),
        ("pkg-1.0.dist-info/licenses/AUTHORS.rst", False),
        ("src/license.py", False),
        ("lib/license.js", False),
        ("README.md", False),
    ],
)
def test_license_file_names(path: str, expected: bool) -> None:
    assert is_license_file(path) is expected


def test_license_files_apply_to_their_package_directory() -> None:
    assert license_directory("foo-1.0.dist-info/licenses/LICENSE") == "foo-1.0.dist-info"
    assert license_directory("node_modules/left-pad/LICENSE") == "node_modules/left-pad"
    assert license_directory("LICENSE") == ""


def test_license_files_maps_directories_to_licenses() -> None:
    files = {
        "LICENSE": MIT_TEXT,
        "node_modules/a/LICENSE": ISC_TEXT,
        "node_modules/b/COPYING": GPL_3_TEXT,
        "node_modules/b/NOTICE": APACHE_NOTICE,
        "node_modules/c/LICENSE": "All rights reserved by nobody in particular.",
        "node_modules/d/LICENSE-MIT": MIT_TEXT,
        "node_modules/d/LICENSE-APACHE": APACHE_TEXT,
        "pkg-1.0.dist-info/licenses/LICENSE": BSD_3_TEXT,
        "proj/LICENSES/Apache-2.0.txt": "(the full text, shortened here)",
    }
    found = license_files(files, files.get)
    assert found == {
        "": "MIT",
        "node_modules/a": "ISC",
        "node_modules/b": "GPL-3.0-only",
        "node_modules/d": "Apache-2.0 AND MIT",
        "pkg-1.0.dist-info": "BSD-3-Clause",
        "proj": "Apache-2.0",
    }


def test_a_pointer_to_either_license_makes_a_choice() -> None:
    files = {
        "packaging-24.0.dist-info/LICENSE": "This software is made available under the terms of "
        "*either* of the licenses found in LICENSE.APACHE or LICENSE.BSD.",
        "packaging-24.0.dist-info/LICENSE.APACHE": APACHE_TEXT,
        "packaging-24.0.dist-info/LICENSE.BSD": BSD_2_TEXT,
    }
    assert license_files(files, files.get) == {
        "packaging-24.0.dist-info": "Apache-2.0 OR BSD-2-Clause"
    }


def test_unreadable_license_files_are_left_out() -> None:
    assert license_files(["LICENSE"], lambda _path: None) == {}
