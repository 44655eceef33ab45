const express = require("express");
const vm = require("vm");

const app = express();

app.post("/calc", (req, res) => {
  // ruleid: lockgate.javascript.code-injection.eval-like
  const result = eval(req.body.expression);
  res.json({ result });
});

app.get("/filter", (req, res) => {
  const expr = req.query.filter;
  // ruleid: lockgate.javascript.code-injection.eval-like
  const predicate = new Function("item", "return " + expr);
  // ruleid: lockgate.javascript.code-injection.eval-like
  const out = vm.runInNewContext(expr, { items: [] });
  // ruleid: lockgate.javascript.code-injection.eval-like
  const script = new vm.Script(`(${req.query.code})`);
  // ruleid: lockgate.javascript.code-injection.eval-like
  setTimeout("tick(" + req.query.n + ")", 10);
  res.json({ out });
});

app.get("/safe", (req, res) => {
  // ok: lockgate.javascript.code-injection.eval-like
  const data = JSON.parse(req.query.data);
  // ok: lockgate.javascript.code-injection.eval-like
  const n = eval("1 + " + parseInt(req.query.n, 10));
  // ok: lockgate.javascript.code-injection.eval-like
  setTimeout(() => res.json({ data, n }), 10);
  // ok: lockgate.javascript.code-injection.eval-like
  vm.runInNewContext("x + 1", { x: req.query.x });
});
