# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import jinja2
from flask import Flask, render_template_string, request

app = Flask(__name__)
env = jinja2.Environment(autoescape=True)


@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    # ruleid: lockgate.python.ssti.tainted-template-source
    return render_template_string("<h1>Hello " + name + "</h1>")


@app.route("/hello2")
def hello_safe():
    name = request.args.get("name", "world")
    # ok: lockgate.python.ssti.tainted-template-source
    return render_template_string("<h1>Hello {{ name }}</h1>", name=name)


@app.route("/preview", methods=["POST"])
def preview():
    source = request.form["template"]
    # ruleid: lockgate.python.ssti.tainted-template-source
    html = jinja2.Template(source).render()
    # ruleid: lockgate.python.ssti.tainted-template-source
    html = env.from_string(source).render(user="x")
    # ok: lockgate.python.ssti.tainted-template-source
    html = env.get_template("preview.html").render(source=source)
    return html
