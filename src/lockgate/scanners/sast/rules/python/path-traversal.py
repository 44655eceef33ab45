# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import os
from pathlib import Path

from django.http import FileResponse as DjangoFileResponse
from fastapi import FastAPI
from fastapi.responses import FileResponse
from flask import Flask, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
api = FastAPI()
BASE_DIR = "/srv/files"


@app.route("/download")
def download():
    name = request.args.get("name")
    # ruleid: lockgate.python.path-traversal.tainted-file-path
    return send_file(os.path.join(BASE_DIR, name))


@app.route("/download2")
def download_safe():
    name = request.args.get("name")
    # ok: lockgate.python.path-traversal.tainted-file-path
    return send_from_directory(BASE_DIR, name)


@app.route("/read/<path:filename>")
def read(filename):
    # ruleid: lockgate.python.path-traversal.tainted-file-path
    with open(BASE_DIR + "/" + filename) as handle:
        data = handle.read()
    # ok: lockgate.python.path-traversal.tainted-file-path
    with open(os.path.join(BASE_DIR, os.path.basename(filename))) as handle:
        data = handle.read()
    full = os.path.realpath(os.path.join(BASE_DIR, filename))
    if not full.startswith(BASE_DIR + os.sep):
        return "forbidden", 403
    # ok: lockgate.python.path-traversal.tainted-file-path
    with open(full) as handle:
        data = handle.read()
    return data


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    # ruleid: lockgate.python.path-traversal.tainted-file-path
    f.save(os.path.join("/srv/uploads", f.filename))
    # ok: lockgate.python.path-traversal.tainted-file-path
    f.save(os.path.join("/srv/uploads", secure_filename(f.filename)))
    return "ok"


def django_report(request):
    report = request.GET["report"]
    # ruleid: lockgate.python.path-traversal.tainted-file-path
    return DjangoFileResponse(open(f"/srv/reports/{report}", "rb"))


@api.get("/static/{path}")
async def static(path: str, version: int = 1):
    # ruleid: lockgate.python.path-traversal.tainted-file-path
    return FileResponse(Path("/srv/static") / path)


@api.get("/report/{year}")
async def report(year: int):
    # ok: lockgate.python.path-traversal.tainted-file-path
    return FileResponse(f"/srv/reports/{year}.pdf")


async def aio_delete(request):
    name = request.match_info["name"]
    # ruleid: lockgate.python.path-traversal.tainted-file-path
    (Path("/srv/tmp") / name).unlink()
