"""Recognise values that are obviously not real credentials: placeholders, templates,
variable references, masked values and documentation examples."""

from __future__ import annotations

import re

_WORDS = (
    "changeme", "change_me", "change-me", "example", "dummy", "placeholder", "sample",
    "your_", "your-", "yourpassword", "yourtoken", "insert", "replace", "redacted",
    "fake", "foobar", "notreal", "not_real", "not-a-real", "secret_here", "password_here",
    "todo", "fixme", "xxxx", "****", "....", "<", ">", "lorem", "ipsum", "undefined",
    "null", "none", "nil", "false", "true", "empty",
)
_EXACT = {
    "password", "passwd", "pass", "secret", "token", "apikey", "api_key", "key", "test",
    "testing", "admin", "root", "user", "username", "default", "string", "value", "str",
    "pwd", "1234", "12345", "123456", "12345678", "123456789", "qwerty", "letmein",
    "abc123", "password1", "password123", "hunter2", "foo", "bar", "baz", "demo", "guest",
}
_TEMPLATE = re.compile(
    r"""^(?:
        \$\{[^}]*\}?            # ${VAR}
      | \$\([^)]*\)?            # $(cmd)
      | \$[A-Za-z_][A-Za-z0-9_]*  # $VAR
      | \{\{.*\}\}              # {{ template }}
      | \{[A-Za-z_][A-Za-z0-9_.]*\}  # {name}
      | %\([^)]*\)s             # %(name)s
      | %[A-Za-z_][A-Za-z0-9_]*%  # %VAR%
      | <[^>]*>                 # <password>
      | \[[A-Za-z_ -]+\]        # [password]
      | process\.env\.\w+       # JS env access
      | os\.environ.*           # python env access
      | env\(.*\)               # env("X")
      | getenv\(.*\)
    )$""",
    re.VERBOSE | re.IGNORECASE,
)
_REPEATED = re.compile(r"^(.)\1{3,}$")
_SEQUENCE = "0123456789abcdefghijklmnopqrstuvwxyz"


def is_placeholder(value: str) -> bool:
    """True for values that are templates, variable references or documentation fillers."""
    text = value.strip().strip("'\"`")
    if not text:
        return True
    lowered = text.lower()
    if lowered in _EXACT or _TEMPLATE.match(text) or _REPEATED.match(text):
        return True
    if "${" in text or "{{" in text:
        return True
    if any(word in lowered for word in _WORDS):
        return True
    # 'abcdef…' or '123456…' runs of the alphabet are documentation values.
    return len(lowered) >= 6 and lowered in _SEQUENCE
