# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import html

import jinja2
from fastapi import FastAPI
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from flask import Flask, jsonify, make_response, render_template, request
from markupsafe import Markup, escape

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    # ruleid: lockgate.python.xss.tainted-markup-safe
    greeting = Markup("<b>" + name + "</b>")
    # ok: lockgate.python.xss.tainted-markup-safe
    greeting = Markup("<b>%s</b>") % escape(name)
    # ok: lockgate.python.xss.tainted-markup-safe
    greeting = Markup("<b>" + escape(name) + "</b>")
    return render_template("hello.html", greeting=greeting)


@app.route("/greet/<name>")
def greet(name):
    # ruleid: lockgate.python.xss.tainted-html-response
    return f"<h1>Hello {name}</h1>"


@app.route("/greet2/<name>")
def greet_escaped(name):
    # ok: lockgate.python.xss.tainted-html-response
    return f"<h1>Hello {html.escape(name)}</h1>"


@app.route("/echo")
def echo():
    q = request.args.get("q", "")
    # ruleid: lockgate.python.xss.tainted-html-response
    return "Results for " + q


@app.route("/api/echo")
def api_echo():
    # ok: lockgate.python.xss.tainted-html-response
    return jsonify({"q": request.args.get("q")})


@app.route("/search")
def search():
    q = request.args.get("q", "")
    body = "<p>No results for %s</p>" % q
    # ruleid: lockgate.python.xss.tainted-html-response
    resp = make_response(body)
    return resp


def django_view(request):
    comment = request.POST["comment"]
    # ruleid: lockgate.python.xss.tainted-markup-safe
    rendered = mark_safe(f"<p>{comment}</p>")
    # ok: lockgate.python.xss.tainted-markup-safe
    rendered = format_html("<p>{}</p>", comment)
    # ruleid: lockgate.python.xss.tainted-html-response
    return HttpResponse(comment)


def django_json(request):
    # ok: lockgate.python.xss.tainted-html-response
    return HttpResponse(request.body, content_type="application/json")


def django_safe_html(request):
    comment = request.POST["comment"]
    # ok: lockgate.python.xss.tainted-html-response
    return HttpResponse("<p>" + html.escape(comment) + "</p>")


def make_env(path):
    # ruleid: lockgate.python.xss.jinja2-autoescape-disabled
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(path))
    # ruleid: lockgate.python.xss.jinja2-autoescape-disabled
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(path), autoescape=False)
    # ok: lockgate.python.xss.jinja2-autoescape-disabled
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(path), autoescape=jinja2.select_autoescape())
    # ok: lockgate.python.xss.jinja2-autoescape-disabled
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(path), autoescape=True)
    return env


api = FastAPI()


@api.get("/hello/{name}")
async def fastapi_hello(name: str):
    # ok: lockgate.python.xss.tainted-html-response
    return f"Hello {name}"
