# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import ast
import importlib

from flask import Flask, request

app = Flask(__name__)
PLUGINS = ("csv", "json")


@app.route("/calc")
def calc():
    expr = request.args.get("expr", "")
    # ruleid: lockgate.python.code-injection.tainted-eval
    result = eval(expr)
    # ruleid: lockgate.python.code-injection.tainted-eval
    exec("x = " + expr)
    # ruleid: lockgate.python.code-injection.tainted-eval
    code = compile(expr, "<input>", "eval")
    # ok: lockgate.python.code-injection.tainted-eval
    value = ast.literal_eval(expr)
    # ok: lockgate.python.code-injection.tainted-eval
    result = eval("1 + 2")
    return str(result)


@app.post("/plugin/<name>")
def plugin(name):
    # ruleid: lockgate.python.code-injection.tainted-eval
    module = importlib.import_module(name)
    if name in PLUGINS:
        # ok: lockgate.python.code-injection.tainted-eval
        module = importlib.import_module(name)
    return module.__name__


# One sink per request source, so every framework source of the shared block is exercised.
from fastapi import Body, Cookie, Depends, FastAPI, File, Header, UploadFile
from fastapi import Path as PathParam
from typing import Annotated, Optional

api = FastAPI()


@api.post("/items/{item_id}")
async def fastapi_sources(
    item_id: str,
    count: int,
    body: dict = Body(...),
    agent: Optional[str] = Header(None),
    session_id: str | None = Cookie(None),
    upload: UploadFile = File(...),
    slug: Annotated[str, PathParam()] = "x",
    untyped=None,
    db=Depends(get_db),
):
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(item_id)
    # ok: lockgate.python.code-injection.tainted-eval
    eval(count)
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(body["code"])
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(agent)
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(session_id)
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(upload.filename)
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(slug)
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(untyped)
    # ok: lockgate.python.code-injection.tainted-eval
    eval(db)


@app.route("/flask-sources", methods=["POST"])
def flask_sources():
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.form["a"])
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.values.get("a"))
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.json["a"])
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.get_json()["a"])
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.data)
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.headers["X-Code"])
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.cookies.get("code"))
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.files["f"].read())
    # ok: lockgate.python.code-injection.tainted-eval
    eval(request.method)


def django_sources(request, pk):
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(pk)
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.body)
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.META["HTTP_X_CODE"])
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.COOKIES["code"])
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.FILES["f"].read())
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.headers["X-Code"])


class CodeView(View):
    def post(self, request, slug):
        # ruleid: lockgate.python.code-injection.tainted-eval
        eval(slug)
        # ruleid: lockgate.python.code-injection.tainted-eval
        eval(self.request.POST["code"])


async def aiohttp_sources(request):
    data = await request.json()
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(data["code"])
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.query["code"])
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.match_info["code"])
    # ruleid: lockgate.python.code-injection.tainted-eval
    eval(request.cookies["code"])
    # ok: lockgate.python.code-injection.tainted-eval
    eval(request.app["code"])


@pytest.fixture
def a_fixture(request, tmp_path):
    # ok: lockgate.python.code-injection.tainted-eval
    eval(tmp_path)


def helper(value):
    # ok: lockgate.python.code-injection.tainted-eval
    eval(value)
