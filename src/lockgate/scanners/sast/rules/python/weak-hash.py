# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import hashlib
import hmac


def store_user(user, password):
    # ruleid: lockgate.python.weak-hash.weak-hash-for-security
    user.password_hash = hashlib.md5(password.encode()).hexdigest()
    # ruleid: lockgate.python.weak-hash.fast-hash-for-password
    user.password_hash = hashlib.sha256(password.encode()).hexdigest()
    # ok: lockgate.python.weak-hash.fast-hash-for-password
    user.password_hash = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


def make_reset_token(user_id):
    # ruleid: lockgate.python.weak-hash.weak-hash-for-security
    return hashlib.sha1(str(user_id).encode()).hexdigest()


def sign(message, key):
    # ruleid: lockgate.python.weak-hash.weak-hash-for-security
    signature = hmac.new(key, message, hashlib.md5).hexdigest()
    # ok: lockgate.python.weak-hash.weak-hash-for-security
    signature = hmac.new(key, message, hashlib.sha256).hexdigest()
    return signature


def cache_key(url):
    # ok: lockgate.python.weak-hash.weak-hash-for-security
    return hashlib.md5(url.encode()).hexdigest()


def etag(body):
    # ok: lockgate.python.weak-hash.weak-hash-for-security
    digest = hashlib.sha1(body)
    return digest.hexdigest()


def legacy_token_digest(token):
    # ok: lockgate.python.weak-hash.weak-hash-for-security
    return hashlib.md5(token, usedforsecurity=False).hexdigest()


def audit(password):
    # ruleid: lockgate.python.weak-hash.weak-hash-for-security
    print(hashlib.md5(password.encode()).hexdigest())
