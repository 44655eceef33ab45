# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import os

import jwt
from cryptography.fernet import Fernet
from flask import Flask

app = Flask(__name__)
# ruleid: lockgate.python.hardcoded-secrets.hardcoded-signing-key
app.config["SECRET_KEY"] = "aaaaaaa"
# ok: lockgate.python.hardcoded-secrets.hardcoded-signing-key
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
# ruleid: lockgate.python.hardcoded-secrets.hardcoded-signing-key
app.secret_key = b"\x8f\x12\x9a\x01\xff"
# ruleid: lockgate.python.hardcoded-secrets.hardcoded-signing-key
SECRET_KEY = "django-insecure-0123456789abcdefghijklmnopqrstuvwxyz"
# ruleid: lockgate.python.hardcoded-secrets.hardcoded-signing-key
JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", "dev-secret")
# ok: lockgate.python.hardcoded-secrets.hardcoded-signing-key
JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY")
# ok: lockgate.python.hardcoded-secrets.hardcoded-signing-key
SECRET_KEY_FILE = "/run/secrets/key"

secret = "MYSUPERSECRETKEY"
# ruleid: lockgate.python.hardcoded-secrets.hardcoded-signing-key
fernet = Fernet("JHtM1wEt1I1J9N_Evjwqr3yYauXIqSxYzFnRhcf0ZG0=")


def issue(username):
    # ruleid: lockgate.python.hardcoded-secrets.hardcoded-signing-key
    return jwt.encode({"sub": username}, secret, algorithm="HS256")


def issue_from_env(username):
    # ok: lockgate.python.hardcoded-secrets.hardcoded-signing-key
    return jwt.encode({"sub": username}, os.environ["JWT_KEY"], algorithm="HS256")
