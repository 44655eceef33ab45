"""License categories: what a license asks of a product, for single ids and expressions."""

from __future__ import annotations

import pytest

from lockgate.inventory.licenses import LicenseTerm, known_license_ids, normalize_license
from lockgate.scanners.licenses.categories import (
    LicenseCategory,
    category_table,
    expression_category,
    term_category,
)

P = LicenseCategory.PERMISSIVE
W = LicenseCategory.WEAK_COPYLEFT
S = LicenseCategory.STRONG_COPYLEFT
N = LicenseCategory.NETWORK_COPYLEFT
X = LicenseCategory.PROPRIETARY
U = LicenseCategory.UNKNOWN


def category(raw: str) -> LicenseCategory:
    tree = normalize_license(raw).tree
    assert tree is not None
    return expression_category(tree)


@pytest.mark.parametrize(
    ("spdx", "expected"),
    [
        ("MIT", P),
        ("Apache-2.0", P),
        ("BSD-3-Clause", P),
        ("ISC", P),
        ("CC0-1.0", P),
        ("Unlicense", P),
        ("LicenseRef-Public-Domain", P),
        ("LGPL-2.1-only", W),
        ("MPL-2.0", W),
        ("EPL-2.0", W),
        ("GPL-2.0-only", S),
        ("GPL-3.0-or-later", S),
        ("AGPL-3.0-only", N),
        ("SSPL-1.0", N),
        ("BUSL-1.1", X),
        ("LicenseRef-Proprietary", X),
        ("LicenseRef-Acme", U),
        ("Vim", P),
        ("mit", P),
    ],
)
def test_single_licenses(spdx: str, expected: LicenseCategory) -> None:
    assert term_category(LicenseTerm(spdx)) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("MIT OR GPL-3.0-only", P),
        ("GPL-3.0-only OR MIT", P),
        ("MIT AND GPL-3.0-only", S),
        ("MIT AND LGPL-2.1-only", W),
        ("AGPL-3.0-only OR GPL-2.0-only", S),
        ("AGPL-3.0-only AND GPL-2.0-only", N),
        ("MIT AND (GPL-2.0-only OR Apache-2.0)", P),
        ("(MIT OR GPL-2.0-only) AND AGPL-3.0-only", N),
        ("MIT OR Acme-Custom", P),
        ("MIT AND Acme-Custom", U),
        ("LicenseRef-Proprietary OR MIT", P),
    ],
)
def test_or_takes_the_most_permissive_and_the_most_restrictive(
    expression: str, expected: LicenseCategory
) -> None:
    assert category(expression) is expected


def test_an_exception_that_limits_copyleft_lowers_the_category() -> None:
    assert category("GPL-2.0-only WITH Classpath-exception-2.0") is W
    assert category("Apache-2.0 WITH LLVM-exception") is P
    assert category("GPL-3.0-only WITH Autoconf-exception-3.0") is S


def test_the_table_covers_common_licenses_with_valid_spdx_ids() -> None:
    table = category_table()
    assert len(table.licenses) >= 60
    known = {i.lower() for i in known_license_ids()}
    invalid = [i for i in table.licenses if not i.startswith("licenseref-") and i not in known]
    assert invalid == []
    assert all(c is not U for c in table.licenses.values())


def test_categories_parse_by_name() -> None:
    assert LicenseCategory.parse("Strong-Copyleft") is S
    with pytest.raises(ValueError, match="network-copyleft"):
        LicenseCategory.parse("copyleft")
