"""Raw secrets from other tools' reports never survive an import, and a leaked credential
has one identity whichever tool found it, lockgate's own secrets control included."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from lockgate.importers.secrets import redact_snippet, redact_value, secret_family
from lockgate.model import TargetRef
from lockgate.model.codec import to_jsonable
from lockgate.scanners.interface import ScanContext
from lockgate.scanners.secrets.control import SecretsControl
from lockgate.sources.interface import FileInfo, Workspace
from tests.unit.importers import FIXTURES, imported

AWS_KEY_ID = "AKIA4HKQ2W7ZT5NPLMQX"
#: Every credential planted in the sample reports (Secret, Match, Line, Raw, RawV2, the Code
#: lines of Trivy, the SARIF snippet of Gitleaks, the secret hash Checkov puts in resource).
PLANTED = (
    AWS_KEY_ID,
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ9Lk3tRbH",
    "ghp_R8tLk2Vq9XwZ3mNp7Yc4Hj6Dg1Fs0Ba5Ue2K",
    "9f3c2b7e1a4d6f8b0c5e2a7d9b1f3e6c",
    "S3cr3t-Passw0rd!2024",
    "T04A1B2C3/B04X5Y6Z7/q9Wm2Lr7Tn4Kp8Vx3Hs6Jd1F",  # the secret part of a Slack webhook
    "25910f981e85ca04baf359199dd0bd4a3ae738b6",
)
#: Personal data the secret scanners add (authors, e-mails, commit messages, cloud accounts).
PERSONAL = ("dana@example.com", "Dana Developer", "add deployment settings", "123456789012")


def _all_imports() -> str:
    texts = []
    for path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
        report = imported(path.relative_to(FIXTURES).as_posix())
        texts.append(json.dumps(to_jsonable(report), ensure_ascii=False))
    return "\n".join(texts)


def test_the_planted_secrets_are_in_the_sample_reports() -> None:
    raw = "\n".join(p.read_text(encoding="utf-8") for p in FIXTURES.rglob("*") if p.is_file())
    for value in PLANTED + PERSONAL:
        assert value in raw, f"the samples no longer plant {value!r}: the test below is void"


@pytest.mark.parametrize("value", PLANTED)
def test_no_imported_finding_skip_or_error_contains_a_raw_secret(value: str) -> None:
    text = _all_imports()
    assert value not in text
    # Not even a recognisable part: at most the first four characters are ever shown.
    for start in range(len(value) - 7):
        assert value[start : start + 8] not in text, f"8 characters of {value!r} leaked"


@pytest.mark.parametrize("value", PERSONAL)
def test_authors_emails_and_commit_messages_are_not_imported(value: str) -> None:
    assert value not in _all_imports()


def test_snippets_show_at_most_four_characters_of_the_value() -> None:
    assert redact_value(AWS_KEY_ID) == "AKIA…"
    assert redact_value("hunter2") == "…"  # short values show nothing
    assert redact_snippet(f"aws_key = '{AWS_KEY_ID}'  # prod", [AWS_KEY_ID]) == (
        "aws_key = 'AKIA…'  # prod"
    )
    multi = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"
    assert redact_snippet(multi, [multi]) == "----…"


@pytest.mark.parametrize(
    ("rule", "family"),
    [
        ("aws-access-token", "aws"),  # Gitleaks
        ("AWS", "aws"),  # TruffleHog
        ("aws-access-key-id", "aws"),  # Trivy
        ("github-pat", "github"),
        ("GitHubOauth2", "github"),
        ("PrivateKey", "private-key"),
        ("private-key", "private-key"),
        ("SlackWebhook", "slack"),
        ("slack-bot-token", "slack"),
        ("OpenAI", "openai"),
        ("generic-api-key", "generic-secret"),
        ("URI", "uri-credentials"),
        ("gcp-api-key", "gcp"),
        ("google-api-key", "gcp"),
        ("azure-devops-pat", "azure-devops"),
        ("sumologic-access-id", "sumologic-access-id"),  # unknown: its own family
    ],
)
def test_other_tools_rules_map_to_lockgate_secret_families(rule: str, family: str) -> None:
    assert secret_family(rule) == family


def _own_fingerprint(tmp_path: Path) -> str:
    data = f"# deployment\n\nAWS_ACCESS_KEY_ID={AWS_KEY_ID}\n".encode()
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / ".env").write_bytes(data)
    workspace = Workspace(
        root=tmp_path,
        target=TargetRef(kind="directory", name="shop"),
        files=(FileInfo(path="deploy/.env", size=len(data)),),
    )
    context = ScanContext(workspace=workspace, files=workspace.files, cancel=threading.Event())
    (finding,) = SecretsControl().scan(context).findings
    return finding.fingerprint


def test_one_leaked_key_is_one_finding_whichever_tool_found_it(tmp_path: Path) -> None:
    expected = _own_fingerprint(tmp_path)
    for name in ("gitleaks/report.json", "sarif/gitleaks.sarif", "trufflehog/results.jsonl"):
        found = [
            f.fingerprint
            for f in imported(name).findings
            if f.location is not None and f.location.path == "deploy/.env"
        ]
        assert found == [expected], name


def test_the_secret_hash_key_keys_the_identity() -> None:
    default = imported("gitleaks/report.json").findings
    keyed = imported("gitleaks/report.json", secret_hash_key=b"my-org-key").findings
    assert [f.fingerprint for f in default] != [f.fingerprint for f in keyed]
    assert {f.prop("value_hash") for f in default}.isdisjoint({f.prop("value_hash") for f in keyed})
