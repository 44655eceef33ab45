"""A small rule set of our own for engine tests, independent of the shipped rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.scanners.secrets.rules import RuleSet, load_rules

RULES_TOML = r"""
[[rule]]
id = "test-token"
family = "test"
title = "Test token"
severity = "HIGH"
confidence = "HIGH"
regex = '''\b(?P<secret>tkn_[A-Za-z0-9]{24})\b'''
keywords = ["tkn_"]
[rule.examples]
positives = ["x = tkn_Zq8XbV2mN4pL7rT1wY9sK3dF"]

[[rule]]
id = "test-password"
family = "generic"
title = "Password assignment"
severity = "MEDIUM"
confidence = "MEDIUM"
regex = '''(?i)\bpassword\s*[=:]\s*["']?(?P<secret>[^\s"']{8,64})'''
keywords = ["password"]
entropy = 2.5
[rule.examples]
positives = ["password = 'Vb7#kQ2!pLm9'"]

[[rule]]
id = "test-pem"
family = "private-key"
title = "PEM private key"
severity = "CRITICAL"
confidence = "HIGH"
regex = '''(?P<secret>-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\s]{32,8192}?-----END PRIVATE KEY-----)'''
keywords = ["-----begin private key-----"]
placeholder_filter = false
[rule.examples]
positives = ['''-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7
-----END PRIVATE KEY-----''']
"""


@pytest.fixture
def rule_set(tmp_path: Path) -> RuleSet:
    path = tmp_path / "test-rules.toml"
    path.write_text(RULES_TOML)
    return load_rules([path])
