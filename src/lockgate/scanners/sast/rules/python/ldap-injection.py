# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import ldap
import ldap.filter
from flask import Flask, request
from ldap3.utils.conv import escape_filter_chars

app = Flask(__name__)


@app.route("/lookup")
def lookup():
    user = request.args.get("user")
    conn = ldap.initialize("ldap://ldap.example.com")
    # ruleid: lockgate.python.ldap-injection.tainted-ldap-filter
    conn.search_s("ou=people,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=" + user + ")")
    # ok: lockgate.python.ldap-injection.tainted-ldap-filter
    conn.search_s("ou=people,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(uid=%s)" % ldap.filter.escape_filter_chars(user))
    # ok: lockgate.python.ldap-injection.tainted-ldap-filter
    conn.search_s("ou=people,dc=example,dc=com", ldap.SCOPE_SUBTREE, ldap.filter.filter_format("(uid=%s)", [user]))
    # ruleid: lockgate.python.ldap-injection.tainted-ldap-filter
    conn.simple_bind_s(f"uid={user},ou=people,dc=example,dc=com", request.form["password"])
    return "ok"


def ldap3_lookup(request):
    name = request.POST["name"]
    # ruleid: lockgate.python.ldap-injection.tainted-ldap-filter
    conn.search("dc=example,dc=com", f"(&(objectClass=person)(cn={name}))", attributes=["mail"])
    # ok: lockgate.python.ldap-injection.tainted-ldap-filter
    conn.search("dc=example,dc=com", f"(&(objectClass=person)(cn={escape_filter_chars(name)}))", attributes=["mail"])
