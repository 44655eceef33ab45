# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
from urllib.parse import quote

from django.http import HttpResponse
from flask import Flask, make_response, request

app = Flask(__name__)
ORIGINS = {"https://app.example.com"}


@app.route("/download")
def download():
    name = request.args.get("name", "file.txt")
    resp = make_response("data")
    # ruleid: lockgate.python.header-injection.tainted-response-header
    resp.headers["Content-Disposition"] = "attachment; filename=" + name
    # ok: lockgate.python.header-injection.tainted-response-header
    resp.headers["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(name)
    origin = request.headers.get("Origin")
    if origin in ORIGINS:
        # ok: lockgate.python.header-injection.tainted-response-header
        resp.headers["Access-Control-Allow-Origin"] = origin
    # ok: lockgate.python.header-injection.tainted-response-header
    resp.headers["X-Frame-Options"] = "DENY"
    return resp


def django_view(request):
    lang = request.GET.get("lang", "en")
    response = HttpResponse("ok")
    # ruleid: lockgate.python.header-injection.tainted-response-header
    response["Content-Language"] = lang
    # ok: lockgate.python.header-injection.tainted-response-header
    response["X-Clean"] = lang.replace("\r", "").replace("\n", "")
    return response
