# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import jwt


def claims(token, key):
    # ruleid: lockgate.python.jwt.signature-verification-disabled
    data = jwt.decode(token, options={"verify_signature": False})
    # ruleid: lockgate.python.jwt.signature-verification-disabled
    data = jwt.decode(token, key, verify=False)
    # ok: lockgate.python.jwt.signature-verification-disabled
    data = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["exp"]})
    # ruleid: lockgate.python.jwt.none-algorithm
    data = jwt.decode(token, key, algorithms=["HS256", "none"])
    # ok: lockgate.python.jwt.none-algorithm
    data = jwt.decode(token, key, algorithms=["RS256"])
    return data


def issue(payload):
    # ruleid: lockgate.python.jwt.none-algorithm
    return jwt.encode(payload, None, algorithm="none")
