# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
from flask import Flask, request
from lxml import etree

app = Flask(__name__)
TREE = etree.parse("users.xml")


@app.route("/login", methods=["POST"])
def login():
    user = request.form["user"]
    # ruleid: lockgate.python.xpath-injection.tainted-xpath-expression
    found = TREE.xpath(f"//user[@name='{user}']")
    # ok: lockgate.python.xpath-injection.tainted-xpath-expression
    found = TREE.xpath("//user[@name=$name]", name=user)
    who = request.args.get("who")
    # ruleid: lockgate.python.xpath-injection.tainted-xpath-expression
    email = TREE.getroot().find(f"user[@name='{who}']/email")
    # ok: lockgate.python.xpath-injection.tainted-xpath-expression
    position = "some text".find(who)
    # ok: lockgate.python.xpath-injection.tainted-xpath-expression
    email = TREE.getroot().find("user/email")
    return str(found)
