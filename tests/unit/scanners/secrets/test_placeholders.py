"""The placeholder filter: templates, references and fillers out, real random tokens in."""

from __future__ import annotations

import random
import string

import pytest

from lockgate.scanners.secrets.placeholders import is_placeholder

TEMPLATES = [
    "${DB_PASSWORD}",
    "${DB_PASSWORD:-fallback}",
    "$(cat /run/secrets/db)",
    "$DB_PASS",
    "$env:DEPLOY_PASSWORD",
    "{{ .Values.db.password }}",
    "{{vault_db_password}}",
    "{% raw %}",
    "<%= ENV['SECRET_KEY_BASE'] %>",
    "{password}",
    "{env:API_TOKEN}",
    "%(password)s",
    "%DB_PASSWORD%",
    "%{password}",
    "#{db.password}",
    "@db.password@",
    "__API_TOKEN__",
    "<password>",
    "<YOUR-TOKEN>",
    "[password]",
    "process.env.API_KEY",
    "import.meta.env.VITE_TOKEN",
    'os.environ["DB_PASSWORD"]',
    'os.getenv("DB_PASSWORD")',
    'System.getenv("DB_PASSWORD")',
    'ENV["SECRET"]',
    "secrets.DEPLOY_TOKEN",
    "self.password",
    'config["db"]["password"]',
    "settings.DATABASE_PASSWORD",
    "var.db_password",
    "get_password()",
    'vault.read("secret/db")',
    "prefix-${SUFFIX}",
    "Bearer <token>",
    "sk-<your key>",
]

FILLERS = [
    "",
    "   ",
    "password",
    "PASSWORD",
    "'password'",
    '"secret"',
    "changeme",
    "change_me_please",
    "changeit",
    "example",
    "AKIAIOSFODNN7EXAMPLE",
    "dummy-token",
    "placeholder",
    "your_password_here",
    "YOUR_API_KEY",
    "insert-your-key",
    "REPLACE_WITH_TOKEN",
    "redacted",
    "[REDACTED]",
    "not-a-real-secret",
    "xxxx",
    "xxxxxxxxxxxxxxxx",
    "xxxx-xxxx-xxxx",
    "sk_live_xxxxxxxxxxxxxxxx",
    "AKIAXXXXXXXXXXXXXXXX",
    "********",
    "abc...xyz",
    "\u2022\u2022\u2022\u2022\u2022\u2022",
    "none",
    "None",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "123456",
    "12345678",
    "abcdef",
    "abc123",
    "abcd1234",
    "987654",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "aaaaaaa",
    "aaaaaaa1",
    "0000-0000-0000",
    "my_secret_password",
    "MySecretPassword",
    "TestPassword123",
    "your-api-key",
    "test-token-1",
    "SuperSecretPassword!",
    "admin123",
    "hunter2",
    "Lorem ipsum dolor",
    "sflkxwrjsmekkf2qt4fwpmejf36pok6yjv_adqssw5c",
]

REAL = [
    # Values from real-format credentials (made up, random-looking).
    "AIhq5Xyb1Gga9Q0",
    "dipPr10Gg!",
    "Prl23Db#@",
    "IhqSb1Gg",
    "cackle!",
    "dkajco1",
    "peace_for_ukraine",
    "MYPSWRD!@#$%^&*",
    "SqLpa5sW0rD",
    "PaS5w0rD2#",
    "g1re0g1Pa5$w0Rd",
    "FlUgeGeHeImEn01",
    "nCzx8A8#!",
    "F1lT3ReDw17hQoT3s",
    "exord13Paw64",
    "Ce7shE0ENPiBlE_EdEose0cBAA",
    "R15br4jtfcFbWh9G7EZTb6jR12c9We",
    "master/iPp27@GRq",
    "$2y$10$XUxuBDpjEVj8xZzTVzr5uPij6MXdG.0ySi5x5eRozs2uucmat6Zi0",
    "$6$JwtFZBYQX.mx.Lt2$yFZ5IxalLhcfZKTJwkWXuF4Ooo3VZuSEyH5Uv76thC4",
    "fa87409ad3a4589fd279c501b3d2e174855ee9f4",
    "1ace4d19-fa7e-b4e2-c3f0-9129474bcd81",
    "ghp_R3aLt0kenW1thN0Placeh0lderAtA11xyz",
    "sk_test_51NcR3aLt0kenW1thN0Placeh0lder",
    # Word lists must not reject a random token that merely contains a filler word.
    "xnilTrue9Q2kLm8Zp",
    "k8TestQ7zNullWx3Pv9Lm2Rb",
    "Vq7rNoneZ4Lw9mKe2Xt",
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gt",
]


@pytest.mark.parametrize("value", TEMPLATES)
def test_templates_and_references_are_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", FILLERS)
def test_fillers_and_masks_are_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", REAL)
def test_real_looking_values_are_kept(value: str) -> None:
    assert not is_placeholder(value)


def test_random_tokens_are_never_rejected() -> None:
    rng = random.Random(20261130)
    alphabets = [
        string.ascii_letters + string.digits,
        string.ascii_letters + string.digits + "+/",
        string.hexdigits.lower()[:16],
        string.ascii_letters + string.digits + "!@#$%^&*-_",
    ]
    rejected = []
    for alphabet in alphabets:
        for length in (12, 20, 32, 40, 64):
            for _ in range(400):
                token = "".join(rng.choice(alphabet) for _ in range(length))
                if is_placeholder(token):
                    rejected.append(token)
    # A few thousand random tokens: at most a handful may hit a marker by chance.
    assert len(rejected) <= 2, rejected


def test_long_key_material_is_not_judged_by_words() -> None:
    rng = random.Random(7)
    body = "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(3000))
    block = f"-----BEGIN PRIVATE KEY-----\n{body}Test<br>nullXXXXyour\n-----END PRIVATE KEY-----"
    assert not is_placeholder(block)
    assert is_placeholder(block.replace("Test", "${KEY}"))


def test_quotes_and_whitespace_are_ignored() -> None:
    assert is_placeholder("  'changeme'  ")
    assert is_placeholder('"<password>"')
    assert not is_placeholder("  'Vq7#rT2zLm9'  ")
