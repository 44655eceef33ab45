# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
from urllib.parse import urlparse

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from flask import Flask, redirect, request, url_for

app = Flask(__name__)
api = FastAPI()
ALLOWED_HOSTS = {"example.com"}


@app.route("/login")
def login():
    next_url = request.args.get("next")
    # ruleid: lockgate.python.open-redirect.tainted-redirect
    return redirect(next_url)


@app.route("/go")
def go():
    # ruleid: lockgate.python.open-redirect.tainted-redirect
    return redirect(request.values["to"], code=302)


@app.route("/home")
def home():
    # ok: lockgate.python.open-redirect.tainted-redirect
    return redirect(url_for("index", tab=request.args.get("tab")))


@app.route("/profile/<user>")
def profile(user):
    # ok: lockgate.python.open-redirect.tainted-redirect
    return redirect(f"/users/{user}")


@app.route("/checked")
def checked():
    target = request.args.get("next", "/")
    parsed = urlparse(target)
    if parsed.netloc not in ALLOWED_HOSTS:
        target = "/"
    # ok: lockgate.python.open-redirect.tainted-redirect
    return redirect(target)


def django_login(request):
    next_url = request.GET.get("next", "/")
    # ruleid: lockgate.python.open-redirect.tainted-redirect
    return HttpResponseRedirect(next_url)


def django_login_safe(request):
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    # ok: lockgate.python.open-redirect.tainted-redirect
    return HttpResponseRedirect(next_url)


@api.get("/out")
async def out(url: str):
    # ruleid: lockgate.python.open-redirect.tainted-redirect
    return RedirectResponse(url)


@app.route("/bounce")
def bounce():
    response = app.make_response(("", 302))
    # ruleid: lockgate.python.open-redirect.tainted-redirect
    response.headers["Location"] = request.args["to"]
    return response


@app.route("/bounce-home")
def bounce_home():
    response = app.make_response(("", 302))
    # ok: lockgate.python.open-redirect.tainted-redirect
    response.headers["Location"] = url_for("index", ref=request.args.get("ref"))
    return response
