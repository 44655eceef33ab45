# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import hashlib
import random
import secrets
import string


def keygen(username):
    # ruleid: lockgate.python.insecure-random.random-for-secret
    key = hashlib.sha256(str(random.getrandbits(2048)).encode()).hexdigest()
    return key


def new_password(length=12):
    alphabet = string.ascii_letters + string.digits
    # ruleid: lockgate.python.insecure-random.random-for-secret
    return "".join(random.choice(alphabet) for _ in range(length))


def issue(user):
    # ruleid: lockgate.python.insecure-random.random-for-secret
    user.reset_token = "%030x" % random.randrange(16**30)
    # ok: lockgate.python.insecure-random.random-for-secret
    user.reset_token = secrets.token_urlsafe(32)
    # ok: lockgate.python.insecure-random.random-for-secret
    delay = random.uniform(0.5, 1.5)
    # ok: lockgate.python.insecure-random.random-for-secret
    colour = random.choice(["red", "green"])
    return delay, colour


def sample_rows(rows):
    # ok: lockgate.python.insecure-random.random-for-secret
    return random.sample(rows, 10)
