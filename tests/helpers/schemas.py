"""Schema validation for tests: the native report schema and the official SARIF schema.

Import ``validate_native`` / ``validate_sarif`` in any test that produces one of these
documents; a failure lists every violation with its JSON path.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema  # type: ignore[import-untyped]

from tests.conftest import REPO_ROOT, shared_schema

NATIVE_SCHEMA = REPO_ROOT / "schemas" / "report-1.0.schema.json"
SARIF_SCHEMA_NAME = "sarif-schema-2.1.0.json"


@cache
def _native_validator() -> Any:
    schema = json.loads(NATIVE_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _sarif_validator() -> Any:
    path = shared_schema(SARIF_SCHEMA_NAME)  # skips the test when the schema is absent
    return _cached_validator(str(path))


@cache
def _cached_validator(path: str) -> Any:
    with open(path, encoding="utf-8") as handle:
        schema = json.load(handle)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _assert_valid(validator: Any, document: dict[str, Any], what: str) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"  - {e.json_path}: {e.message[:300]}" for e in errors[:25]]
        if len(errors) > 25:
            lines.append(f"  … and {len(errors) - 25} more")
        raise AssertionError(f"{what} is invalid ({len(errors)} error(s)):\n" + "\n".join(lines))


def validate_native(document: dict[str, Any]) -> None:
    """Assert that a native JSON report document matches schemas/report-1.0.schema.json."""
    _assert_valid(_native_validator(), document, "native lockgate report")


def validate_sarif(document: dict[str, Any]) -> None:
    """Assert that a SARIF log matches the official SARIF 2.1.0 schema (../shared/schemas)."""
    _assert_valid(_sarif_validator(), document, "SARIF log")


CYCLONEDX_SCHEMA_NAME = "cyclonedx-1.6.schema.json"
CYCLONEDX_HELPER_SCHEMAS = {
    # the CycloneDX schema names its helpers by these relative references
    "spdx.SNAPSHOT.schema.json": "cyclonedx-spdx-licenses.schema.json",
    "spdx.schema.json": "cyclonedx-spdx-licenses.schema.json",
    "jsf-0.82.SNAPSHOT.schema.json": "cyclonedx-jsf-0.82.schema.json",
    "jsf-0.82.schema.json": "cyclonedx-jsf-0.82.schema.json",
}
SPDX_SCHEMA_NAME = "spdx-2.3.schema.json"


def _cyclonedx_validator() -> Any:
    path = shared_schema(CYCLONEDX_SCHEMA_NAME)  # skips the test when the schema is absent
    for helper in sorted(set(CYCLONEDX_HELPER_SCHEMAS.values())):
        shared_schema(helper)
    return _cached_cyclonedx_validator(str(path))


@cache
def _cached_cyclonedx_validator(path: str) -> Any:
    """The CycloneDX validator with its helper schemas registered, so no $ref goes online."""
    from pathlib import Path

    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    base = Path(path).parent
    with open(path, encoding="utf-8") as handle:
        schema = json.load(handle)
    schema_id = str(schema.get("$id", "http://cyclonedx.org/schema/bom-1.6.schema.json"))
    prefix = schema_id.rpartition("/")[0] + "/"
    resources = []
    for ref, filename in CYCLONEDX_HELPER_SCHEMAS.items():
        contents = json.loads((base / filename).read_text(encoding="utf-8"))
        resources.append(
            (prefix + ref, Resource.from_contents(contents, default_specification=DRAFT7))
        )
    registry: Any = Registry().with_resources(resources)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def validate_cyclonedx(document: dict[str, Any]) -> None:
    """Assert that a BOM matches the official CycloneDX 1.6 JSON schema (../shared/schemas),
    helper schemas resolved offline."""
    _assert_valid(_cyclonedx_validator(), document, "CycloneDX BOM")


def validate_spdx(document: dict[str, Any]) -> None:
    """Assert that a document matches the official SPDX 2.3 JSON schema (../shared/schemas)."""
    _assert_valid(
        _cached_validator(str(shared_schema(SPDX_SCHEMA_NAME))), document, "SPDX document"
    )
