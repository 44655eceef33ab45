# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
from flask import Flask, make_response

app = Flask(__name__)
# ruleid: lockgate.python.cookies.insecure-session-cookie-setting
app.config["SESSION_COOKIE_SECURE"] = False
# ok: lockgate.python.cookies.insecure-session-cookie-setting
app.config["SESSION_COOKIE_SECURE"] = True

# ruleid: lockgate.python.cookies.insecure-session-cookie-setting
SESSION_COOKIE_HTTPONLY = False
# ruleid: lockgate.python.cookies.insecure-session-cookie-setting
CSRF_COOKIE_SECURE = False
# ok: lockgate.python.cookies.insecure-session-cookie-setting
SESSION_COOKIE_SAMESITE = "Lax"
# ruleid: lockgate.python.cookies.insecure-session-cookie-setting
app.config.update(SECRET_KEY=load_key(), SESSION_COOKIE_SECURE=False)
# ok: lockgate.python.cookies.insecure-session-cookie-setting
app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True)


def create(response, session):
    # ruleid: lockgate.python.cookies.set-cookie-without-security-flags
    response.set_cookie("app_session", session)
    # ruleid: lockgate.python.cookies.set-cookie-without-security-flags
    response.set_cookie("app_session", session, secure=True, httponly=True)
    # ruleid: lockgate.python.cookies.set-cookie-without-security-flags
    response.set_cookie("app_session", session, secure=False, httponly=True, samesite="Lax")
    # ok: lockgate.python.cookies.set-cookie-without-security-flags
    response.set_cookie("app_session", session, secure=True, httponly=True, samesite="Lax")
    # ok: lockgate.python.cookies.set-cookie-without-security-flags
    response.set_cookie("app_session", session, samesite="Strict", httponly=True, secure=True, max_age=3600)
    return response


def remember(jar, cookie):
    # ok: lockgate.python.cookies.set-cookie-without-security-flags
    jar.set_cookie(cookie)


def destroy(response):
    # ok: lockgate.python.cookies.set-cookie-without-security-flags
    response.set_cookie("app_session", "", expires=0)
    return response
