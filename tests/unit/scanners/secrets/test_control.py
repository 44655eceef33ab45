"""The secrets control as users meet it: findings, redaction, suppression, targets."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from lockgate.model import ControlStatus, FindingKind, Severity, Stage, TargetRef
from lockgate.model.fingerprint import secret_value_hash
from lockgate.scanners.interface import ScanContext
from lockgate.scanners.secrets.control import SecretsControl
from lockgate.scanners.secrets.rules import RuleSet
from lockgate.sources.interface import FileInfo, Workspace

TOKEN = "tkn_Zq8XbV2mN4pL7rT1wY9sK3dF"
OTHER = "tkn_Hh3JkL9mNbV5cX1zQw8ErT6y"


def workspace(
    root: Path,
    files: dict[str, bytes | str],
    *,
    changed: dict[str, frozenset[int]] | None = None,
    repository: Path | None = None,
) -> Workspace:
    infos = []
    for name, content in sorted(files.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
        infos.append(FileInfo(path=name, size=len(data)))
    return Workspace(
        root=root,
        target=TargetRef(kind="directory", name="t"),
        files=tuple(infos),
        changed_lines=changed,
        repository=repository,
    )


def run(rule_set: RuleSet, ws: Workspace, **options: object) -> object:
    control = SecretsControl(rule_set)
    context = ScanContext(workspace=ws, files=ws.files, options=options, cancel=threading.Event())
    return control.scan(context)


def test_findings_carry_location_rule_and_a_redacted_snippet(
    rule_set: RuleSet, tmp_path: Path
) -> None:
    ws = workspace(tmp_path, {"app/settings.py": f"DEBUG = True\nAPI = '{TOKEN}'\n"})
    out = run(rule_set, ws)
    (finding,) = out.findings  # type: ignore[attr-defined]
    assert finding.kind is FindingKind.SECRET and finding.stage is Stage.CODE
    assert finding.rule_id == "secrets/test-token" and finding.severity is Severity.HIGH
    loc = finding.location
    assert (loc.path, loc.start_line, loc.start_column) == ("app/settings.py", 2, 8)
    assert TOKEN not in loc.snippet and loc.snippet == "API = 'tkn_****'"
    assert finding.prop("value_hash") == secret_value_hash(TOKEN)
    assert TOKEN not in repr(finding)


def test_every_secret_on_a_line_is_masked(rule_set: RuleSet, tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"a.env": f"A={TOKEN} B={OTHER}\n"})
    findings = run(rule_set, ws).findings  # type: ignore[attr-defined]
    assert len(findings) == 2
    for f in findings:
        assert TOKEN not in f.location.snippet and OTHER not in f.location.snippet


def test_the_same_secret_twice_in_a_file_is_one_finding(rule_set: RuleSet, tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"a.txt": f"{TOKEN}\nx\n{TOKEN}\n", "b.txt": TOKEN})
    findings = sorted(run(rule_set, ws).findings, key=lambda f: f.location.path)  # type: ignore[attr-defined]
    assert [f.location.path for f in findings] == ["a.txt", "b.txt"]
    assert findings[0].prop("also_at_lines") == "3"
    assert findings[0].prop("value_hash") == findings[1].prop("value_hash")
    assert findings[0].fingerprint != findings[1].fingerprint


def test_inline_allow_marks_the_finding_suppressed_with_its_reason(
    rule_set: RuleSet, tmp_path: Path
) -> None:
    ws = workspace(tmp_path, {"t.py": f"key = '{TOKEN}'  # lockgate:allow test fixture\n"})
    (finding,) = run(rule_set, ws).findings  # type: ignore[attr-defined]
    assert finding.prop("suppressed") == "inline lockgate:allow (test fixture)"


def test_staged_scans_only_added_lines(rule_set: RuleSet, tmp_path: Path) -> None:
    ws = workspace(
        tmp_path, {"a.py": f"old = '{TOKEN}'\nnew = '{OTHER}'\n"}, changed={"a.py": frozenset({2})}
    )
    (finding,) = run(rule_set, ws).findings  # type: ignore[attr-defined]
    assert finding.location.start_line == 2


def test_archives_one_level_deep_with_limits(rule_set: RuleSet, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config/app.properties", f"token={TOKEN}\n")
        zf.writestr("../../evil.txt", f"token={OTHER}\n")
        zf.writestr("bomb.txt", b"0" * 5_000_000)
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:gz") as tf:
        data = f"k={OTHER}\n".encode()
        info = tarfile.TarInfo("etc/secret.env")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    ws = workspace(
        tmp_path,
        {
            "lib/app.jar": buf.getvalue(),
            "dist/bundle.tar.gz": tbuf.getvalue(),
            "broken.zip": b"PK\x03\x04 not really",
        },
    )
    out = run(rule_set, ws)
    paths = sorted(f.location.path for f in out.findings)  # type: ignore[attr-defined]
    assert paths == [
        "dist/bundle.tar.gz!/etc/secret.env",
        "lib/app.jar!/config/app.properties",
        "lib/app.jar!/evil.txt",
    ]
    skipped = {s.path: s.detail for s in out.skipped}  # type: ignore[attr-defined]
    assert "zip bomb" in skipped["lib/app.jar!/bomb.txt"]
    (error,) = out.errors  # type: ignore[attr-defined]
    assert error.path == "broken.zip" and not error.fatal


def test_decoding_finds_a_base64_wrapped_token_without_leaking_it(
    rule_set: RuleSet, tmp_path: Path
) -> None:
    import base64

    blob = base64.b64encode(f"token={TOKEN}".encode()).decode()
    ws = workspace(tmp_path, {"k8s.yaml": f"data:\n  creds: {blob}\n"})
    assert not run(rule_set, ws).findings  # type: ignore[attr-defined]
    (finding,) = run(rule_set, ws, decode=True).findings  # type: ignore[attr-defined]
    assert finding.prop("encoding") == "base64" and finding.location.start_line == 2
    assert blob not in finding.location.snippet and TOKEN not in finding.location.snippet


def test_binary_and_unreadable_files(rule_set: RuleSet, tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"img.txt": b"\x00\x01\x02" + TOKEN.encode()})
    out = run(rule_set, ws)
    assert not out.findings and out.skipped[0].reason.value == "binary"  # type: ignore[attr-defined]
    gone = Workspace(root=tmp_path, target=ws.target, files=(FileInfo(path="gone.txt", size=1),))
    out = run(rule_set, gone)
    assert out.errors[0].path == "gone.txt"  # type: ignore[attr-defined]


def test_unknown_engine_is_a_control_failure(rule_set: RuleSet, tmp_path: Path) -> None:
    from lockgate.scanners.interface import ControlFailure

    with pytest.raises(ControlFailure, match="engine must be"):
        run(rule_set, workspace(tmp_path, {}), engine="fast")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=30,
    )


def test_history_attributes_each_secret_to_the_commit_that_introduced_it(
    rule_set: RuleSet, tmp_path: Path
) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "a.py").write_text(f"k = '{TOKEN}'\n")
    _git(tmp_path, "add", "a.py")
    _git(tmp_path, "commit", "-q", "-m", "add key")
    (tmp_path / "a.py").write_text("k = None\n")
    (tmp_path / "b.py").write_text(f"k2 = '{OTHER}'\n")
    _git(tmp_path, "add", "a.py", "b.py")
    _git(tmp_path, "commit", "-q", "-m", "remove key, add another")
    ws = workspace(tmp_path, {"b.py": f"k2 = '{OTHER}'\n"}, repository=tmp_path)
    out = run(rule_set, ws, history=True)
    by_path = {f.location.path: f for f in out.findings}  # type: ignore[attr-defined]
    removed = by_path["a.py"]
    assert removed.location.commit is not None and removed.prop("author") == "Ada"
    assert removed.prop("introduced_in") == "add key"
    current = by_path["b.py"]
    assert current.location.commit is None  # still in the tree: points at the file
    assert current.prop("introduced_in") == "remove key, add another"
    assert json.dumps([f.location.snippet for f in out.findings]).count("tkn_****") == 2  # type: ignore[attr-defined]


def test_control_runs_through_the_engine(rule_set: RuleSet, tmp_path: Path) -> None:
    from lockgate.engine.pipeline import Pipeline, RunOptions
    from lockgate.engine.registry import ControlRegistry

    ws = workspace(tmp_path, {"a.txt": TOKEN})
    run_ = Pipeline(ControlRegistry([SecretsControl(rule_set)])).run(
        ws, RunOptions(stages=(Stage.CODE,), cache_dir=tmp_path / "cache")
    )
    (result,) = run_.report.results
    assert result.status is ControlStatus.OK and len(result.findings) == 1
    versions = dict(result.data_versions)
    assert versions["secret-engine"] in ("hyperscan", "re")
    assert versions["secret-rule-count"] == "3"


def test_a_file_that_grew_after_listing_is_scanned_whole(rule_set: RuleSet, tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"a.txt": "short\n"})
    (tmp_path / "a.txt").write_text("short\n" + "x\n" * 5000 + f"k = {TOKEN}\n")
    out = run(rule_set, ws)
    assert [f.location.start_line for f in out.findings] == [5002]  # type: ignore[attr-defined]


def test_a_file_larger_than_a_window_is_streamed_with_exact_positions(
    rule_set: RuleSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lockgate.scanners.secrets import file_scan, scanner

    for module in (file_scan, scanner):
        monkeypatch.setattr(module, "WINDOW", 4096)
        monkeypatch.setattr(module, "OVERLAP", 512)
    lines = [f"line {i:05d} " + "y" * 30 for i in range(1000)]
    lines[10], lines[700] = f"a = {TOKEN}", f"b = {OTHER}"
    ws = workspace(tmp_path, {"big.txt": "\n".join(lines) + "\n"})
    out = run(rule_set, ws, engine="re")
    found = sorted((f.location.start_line, f.location.start_column) for f in out.findings)  # type: ignore[attr-defined]
    assert found == [(11, 5), (701, 5)]
