# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
from flask import Flask, request, session

app = Flask(__name__)
ROLES = ("reader", "editor")


@app.route("/prefs", methods=["POST"])
def prefs():
    # ruleid: lockgate.python.trust-boundary.session-set-from-request
    session["username"] = request.form.get("username")
    # ruleid: lockgate.python.trust-boundary.session-set-from-request
    session["role"] = request.form["role"]
    role = request.form["role"]
    if role in ROLES:
        # ok: lockgate.python.trust-boundary.session-set-from-request
        session["role"] = role
    # ok: lockgate.python.trust-boundary.session-set-from-request
    session["username"] = login(request.form.get("username"), request.form.get("password"))
    return "ok"


def django_view(request):
    theme = request.GET.get("theme")
    # ruleid: lockgate.python.trust-boundary.session-set-from-request
    request.session["theme"] = theme
    # ok: lockgate.python.trust-boundary.session-set-from-request
    request.session["visits"] = request.session.get("visits", 0) + 1
