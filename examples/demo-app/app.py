"""A tiny shop API with planted problems for the lockgate demo. Do not deploy."""

import sqlite3

from flask import Flask, request

app = Flask(__name__)


def db() -> sqlite3.Connection:
    return sqlite3.connect("shop.db")


@app.get("/products")
def products():
    # Planted: SQL injection — the query string goes straight into the SQL text.
    name = request.args.get("name", "")
    rows = db().execute("SELECT id, name, price FROM products WHERE name = '" + name + "'")
    return {"products": [dict(zip(("id", "name", "price"), r)) for r in rows]}


@app.get("/products/<int:product_id>")
def product(product_id: int):
    # Fine: a parameterised query.
    row = db().execute("SELECT id, name, price FROM products WHERE id = ?", (product_id,))
    return {"product": row.fetchone()}
