# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import sqlite3

import sqlalchemy
from django.db.models.expressions import RawSQL
from fastapi import FastAPI, Query
from flask import Flask, request
from sqlalchemy import text

app = Flask(__name__)
api = FastAPI()
ALLOWED_COLUMNS = {"name", "email"}


@app.route("/users/<name>")
def flask_user(name):
    conn = sqlite3.connect("app.db")
    cur = conn.cursor()
    # ruleid: lockgate.python.sql-injection.tainted-dbapi-query
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
    # ok: lockgate.python.sql-injection.tainted-dbapi-query
    cur.execute("SELECT * FROM users WHERE name = ?", (name,))
    order = request.args.get("order")
    query = "SELECT * FROM users ORDER BY " + order
    # ruleid: lockgate.python.sql-injection.tainted-dbapi-query
    conn.execute(query)
    uid = int(request.args["id"])
    # ok: lockgate.python.sql-injection.tainted-dbapi-query
    cur.execute(f"SELECT * FROM users WHERE id = {uid}")
    column = request.args.get("column")
    if column not in ALLOWED_COLUMNS:
        return "bad column", 400
    # ok: lockgate.python.sql-injection.tainted-dbapi-query
    cur.execute(f"SELECT {column} FROM users")
    return "ok"


def django_search(request):
    term = request.GET.get("q", "")
    with connection.cursor() as cursor:
        # ruleid: lockgate.python.sql-injection.tainted-dbapi-query
        cursor.execute(f"SELECT * FROM app_item WHERE title LIKE '%{term}%'")
        # ok: lockgate.python.sql-injection.tainted-dbapi-query
        cursor.execute("SELECT * FROM app_item WHERE title LIKE %s", ["%" + term + "%"])
    # ruleid: lockgate.python.sql-injection.tainted-django-raw-sql
    items = Item.objects.raw("SELECT * FROM app_item WHERE owner = '%s'" % term)
    # ok: lockgate.python.sql-injection.tainted-django-raw-sql
    items = Item.objects.raw("SELECT * FROM app_item WHERE owner = %s", [term])
    # ruleid: lockgate.python.sql-injection.tainted-django-raw-sql
    items = Item.objects.extra(where=["title = '%s'" % term])
    # ok: lockgate.python.sql-injection.tainted-django-raw-sql
    items = Item.objects.extra(where=["title = %s"], params=[term])
    # ruleid: lockgate.python.sql-injection.tainted-django-raw-sql
    items = Item.objects.annotate(x=RawSQL("SELECT 1 WHERE a = '" + term + "'", ()))
    # ok: lockgate.python.sql-injection.tainted-django-raw-sql
    items = Item.objects.annotate(x=RawSQL("SELECT 1 WHERE a = %s", (term,)))
    return items


def django_detail(request, slug):
    # ruleid: lockgate.python.sql-injection.tainted-django-raw-sql
    return Item.objects.raw(f"SELECT * FROM app_item WHERE slug = '{slug}'")


@api.get("/search")
async def fastapi_search(q: str = Query(...), limit: int = 10):
    # ruleid: lockgate.python.sql-injection.tainted-sqlalchemy-text
    stmt = text(f"SELECT * FROM items WHERE name = '{q}' LIMIT {limit}")
    # ok: lockgate.python.sql-injection.tainted-sqlalchemy-text
    stmt = text("SELECT * FROM items WHERE name = :q LIMIT :limit").bindparams(q=q, limit=limit)
    # ok: lockgate.python.sql-injection.tainted-dbapi-query
    session.execute(text("SELECT * FROM items WHERE name = :q"), {"q": q})
    # ok: lockgate.python.sql-injection.tainted-sqlalchemy-text
    stmt = text(f"SELECT * FROM items LIMIT {limit}")
    # ruleid: lockgate.python.sql-injection.tainted-sqlalchemy-text
    engine.connect().exec_driver_sql("DELETE FROM items WHERE name = '%s'" % q)
    return stmt


async def aiohttp_handler(request):
    params = await request.post()
    # ruleid: lockgate.python.sql-injection.tainted-dbapi-query
    await db.execute("UPDATE t SET a = '{}'".format(params["a"]))


def login(username, password):
    c = sqlite3.connect("db.sqlite").cursor()
    # ruleid: lockgate.python.sql-injection.sql-formatted-from-argument
    user = c.execute("SELECT * FROM users WHERE username = '{}' and password = '{}'".format(username, password)).fetchone()
    # ok: lockgate.python.sql-injection.sql-formatted-from-argument
    user = c.execute("SELECT * FROM users WHERE username = ? and password = ?", (username, password)).fetchone()
    return user


def create(username):
    c = sqlite3.connect("db.sqlite").cursor()
    # ruleid: lockgate.python.sql-injection.sql-formatted-from-argument
    sql = "INSERT INTO users (username) VALUES ('%s')" % username
    c.execute(sql)


def seed():
    c = sqlite3.connect("db.sqlite").cursor()
    for user, pw in [("admin", "x")]:
        # ok: lockgate.python.sql-injection.sql-formatted-from-argument
        c.execute("INSERT INTO users VALUES ('%s', '%s')" % (user, pw))


def run_query(sql):
    # ok: lockgate.python.sql-injection.sql-formatted-from-argument
    return db.execute(sql)


def count(table_name):
    # ok: lockgate.python.sql-injection.sql-formatted-from-argument
    return db.execute("SELECT count(*) FROM users WHERE id = ?", (table_name,))
