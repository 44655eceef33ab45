"""GitLab CI files as checks see them: jobs listed, extends and references followed."""

from __future__ import annotations

from pathlib import Path

from lockgate.model import ErrorKind, SkipReason
from lockgate.scanners.iac.parsers import gitlab_ci

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "iac" / "gitlab"


def test_pipeline_resource_and_jobs() -> None:
    result = gitlab_ci.parse(FIXTURES, [".gitlab-ci.yml"])
    assert result.errors == ()
    (pipeline,) = result.resources
    assert (pipeline.kind, pipeline.type, pipeline.address) == (
        "gitlab-ci",
        "gitlab_ci",
        "gitlab-ci",
    )
    assert (pipeline.start_line, pipeline.end_line) == (1, 45)
    data = pipeline.data
    assert data["variables"]["AWS_SECRET_ACCESS_KEY"] == "fake-secret-for-tests"
    assert data["default"] == {"image": "alpine:3.20"}
    assert [(j["name"], j["line"]) for j in data["_jobs"]] == [("build", 29), ("deploy", 40)]
    assert [(t["name"], t["line"]) for t in data["_templates"]] == [(".setup", 17), (".python", 21)]


def test_extends_one_level_for_image_and_variables() -> None:
    (pipeline,) = gitlab_ci.parse(FIXTURES, [".gitlab-ci.yml"]).resources
    build, deploy = pipeline.data["_jobs"]
    assert build["image"] == "python:latest"
    assert build["variables"] == {"PIP_CACHE_DIR": ".cache/pip", "LEVEL": "job"}
    assert deploy["image"] == "registry.example.com/deployer"
    # the document itself stays as written
    assert "image" not in pipeline.data["build"]


def test_anchors_merge_keys_and_references_are_resolved() -> None:
    (pipeline,) = gitlab_ci.parse(FIXTURES, [".gitlab-ci.yml"]).resources
    build = pipeline.data["_jobs"][0]
    assert build["before_script"] == ["echo setting up"]
    assert build["script"] == ["pip install -r requirements.txt", "python -m build"]


def test_includes_are_reported_as_not_followed() -> None:
    result = gitlab_ci.parse(FIXTURES, [".gitlab-ci.yml", "one-include.gitlab-ci.yml"])
    assert all(s.reason is SkipReason.UNSUPPORTED for s in result.skipped)
    assert [(s.path, s.detail) for s in result.skipped] == [
        (".gitlab-ci.yml", "include not followed (local): /ci/templates/build.yml"),
        (".gitlab-ci.yml", "include not followed (remote): https://example.com/ci/security.yml"),
        (".gitlab-ci.yml", "include not followed (project): group/shared-ci /templates/deploy.yml"),
        (".gitlab-ci.yml", "include not followed (template): Security/SAST.gitlab-ci.yml"),
        ("one-include.gitlab-ci.yml", "include not followed (local): templates/common.yml"),
    ]
    # the file itself is still checked
    assert [r.path for r in result.resources] == [".gitlab-ci.yml", "one-include.gitlab-ci.yml"]


def test_suppression_marker_in_the_file() -> None:
    (pipeline,) = gitlab_ci.parse(FIXTURES, [".gitlab-ci.yml"]).resources
    assert [(s.check_id, s.line) for s in pipeline.suppressions] == [("LG-GLCI-001", 39)]


def test_spec_header_document_is_read_past() -> None:
    (pipeline,) = gitlab_ci.parse(FIXTURES, ["with-spec.gitlab-ci.yml"]).resources
    assert [(j["name"], j["image"], j["line"]) for j in pipeline.data["_jobs"]] == [
        ("lint", "node:20", 6)
    ]
    assert "spec" not in pipeline.data


def test_malformed_file_is_located_and_the_others_go_on() -> None:
    result = gitlab_ci.parse(FIXTURES, ["broken.gitlab-ci.yml", "with-spec.gitlab-ci.yml"])
    assert [r.path for r in result.resources] == ["with-spec.gitlab-ci.yml"]
    (error,) = result.errors
    assert (error.kind, error.path, error.line, error.fatal) == (
        ErrorKind.INPUT,
        "broken.gitlab-ci.yml",
        4,
        False,
    )


def test_unresolvable_and_cyclic_references_stay_marked(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_text(
        ".a:\n  script: [!reference [.a, script], echo a]\n"
        "job:\n  script:\n    - !reference [.missing, script]\n    - !reference [.a, script]\n"
    )
    (pipeline,) = gitlab_ci.parse(tmp_path, [".gitlab-ci.yml"]).resources
    script = pipeline.data["_jobs"][0]["script"]
    assert script[0] == {"!reference": [".missing", "script"]}
    assert "echo a" in script
    assert {"!reference": [".a", "script"]} in script  # the cycle stops after 10 levels


def test_reference_fan_out_is_bounded(tmp_path: Path) -> None:
    lines = [".t0:\n  s: [a, b, c, d, e, f, g, h]"]
    for level in range(1, 10):
        refs = ", ".join(f"!reference [.t{level - 1}, s]" for _ in range(8))
        lines.append(f".t{level}:\n  s: [{refs}]")
    lines.append("job:\n  script: [!reference [.t9, s]]")
    (tmp_path / ".gitlab-ci.yml").write_text("\n".join(lines) + "\n")
    result = gitlab_ci.parse(tmp_path, [".gitlab-ci.yml"])
    assert result.resources == ()
    (error,) = result.errors
    assert "!reference expansion" in error.message


def test_other_shapes(tmp_path: Path) -> None:
    (tmp_path / "a.gitlab-ci.yml").write_text("[a, b]\n")
    (tmp_path / "b.gitlab-ci.yml").write_text("")
    (tmp_path / "c.gitlab-ci.yml").write_text("job: {script: [x]}\n---\nother: {script: [y]}\n")
    result = gitlab_ci.parse(tmp_path, ["a.gitlab-ci.yml", "b.gitlab-ci.yml", "c.gitlab-ci.yml"])
    assert result.resources == ()
    assert [(e.path, e.line) for e in result.errors] == [
        ("a.gitlab-ci.yml", 1),
        ("c.gitlab-ci.yml", 3),
    ]
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("b.gitlab-ci.yml", SkipReason.NOT_APPLICABLE)
    ]
