const express = require("express");
const mysql = require("mysql");
const { Pool } = require("pg");
const SQL = require("sql-template-strings");

const app = express();
const connection = mysql.createConnection({ host: "db" });
const pool = new Pool();

app.get("/users", (req, res) => {
  const id = req.query.id;
  // ruleid: lockgate.javascript.sql-injection.string-built-query
  connection.query("SELECT * FROM users WHERE id = " + id, (err, rows) => res.json(rows));
});

app.get("/users/:name", async (req, res) => {
  const sql = `SELECT * FROM users WHERE name = '${req.params.name}'`;
  // ruleid: lockgate.javascript.sql-injection.string-built-query
  const result = await pool.query(sql);
  res.json(result.rows);
});

app.post("/search", async (req, res) => {
  // ruleid: lockgate.javascript.sql-injection.string-built-query
  const rows = await sequelize.query("SELECT * FROM items WHERE title LIKE '%" + req.body.q + "%'");
  // ruleid: lockgate.javascript.sql-injection.string-built-query
  const more = await knex("items").whereRaw(`owner = '${req.body.owner}'`);
  // ruleid: lockgate.javascript.sql-injection.string-built-query
  await knex.raw("DELETE FROM items WHERE id = " + req.body.id);
  // ruleid: lockgate.javascript.sql-injection.string-built-query
  await pool.query({ text: "SELECT * FROM t WHERE a = '" + req.body.a + "'", values: [] });
  // ruleid: lockgate.javascript.sql-injection.string-built-query
  await prisma.$queryRawUnsafe(`SELECT * FROM t WHERE a = '${req.body.a}'`);
  res.json({ rows, more });
});

app.get("/safe", async (req, res) => {
  // ok: lockgate.javascript.sql-injection.string-built-query
  connection.query("SELECT * FROM users WHERE id = ?", [req.query.id]);
  // ok: lockgate.javascript.sql-injection.string-built-query
  await pool.query("SELECT * FROM users WHERE name = $1", [req.query.name]);
  // ok: lockgate.javascript.sql-injection.string-built-query
  await pool.query({ text: "SELECT * FROM users WHERE name = $1", values: [req.query.name] });
  // ok: lockgate.javascript.sql-injection.string-built-query
  await sequelize.query("SELECT * FROM items WHERE id = ?", { replacements: [req.query.id] });
  // ok: lockgate.javascript.sql-injection.string-built-query
  await knex.raw("DELETE FROM items WHERE id = ?", [req.query.id]);
  // ok: lockgate.javascript.sql-injection.string-built-query
  connection.query("SELECT * FROM users WHERE id = " + connection.escape(req.query.id));
  // ok: lockgate.javascript.sql-injection.string-built-query
  connection.query("SELECT * FROM users LIMIT " + parseInt(req.query.limit, 10));
  // ok: lockgate.javascript.sql-injection.string-built-query
  await pool.query(SQL`SELECT * FROM users WHERE name = ${req.query.name}`);
  // ok: lockgate.javascript.sql-injection.string-built-query
  await prisma.$queryRaw`SELECT * FROM t WHERE a = ${req.query.a}`;
  // ok: lockgate.javascript.sql-injection.string-built-query
  connection.query("SELECT * FROM users");
});

function buildReport(db, table) {
  // ok: lockgate.javascript.sql-injection.string-built-query
  return db.query("SELECT count(*) FROM " + table);
}
