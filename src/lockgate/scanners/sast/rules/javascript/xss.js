const express = require("express");
const escapeHtml = require("escape-html");
const he = require("he");
const fs = require("fs");
const path = require("path");

const app = express();

app.get("/hello", (req, res) => {
  const name = req.query.name;
  // ruleid: lockgate.javascript.xss.response-send-html
  res.send("<h1>Hello " + name + "</h1>");
});

app.get("/search", function (req, res) {
  res.write("<p>Results for ");
  // ruleid: lockgate.javascript.xss.response-send-html
  res.write(req.query.q);
  // ruleid: lockgate.javascript.xss.response-send-html
  res.end(`<p>${req.headers["user-agent"]}</p>`);
});

app.get("/status", (req, res) => {
  // ruleid: lockgate.javascript.xss.response-send-html
  res.status(404).send(`No page ${req.path}`);
});

app.get("/hello-safe", (req, res) => {
  // ok: lockgate.javascript.xss.response-send-html
  res.send("<h1>Hello " + escapeHtml(req.query.name) + "</h1>");
  // ok: lockgate.javascript.xss.response-send-html
  res.send(`<p>${he.encode(req.query.name)}</p>`);
});

app.get("/json", (req, res) => {
  // ok: lockgate.javascript.xss.response-send-html
  res.json({ echo: req.query.q });
});

app.get("/plain", (req, res) => {
  res.type("text/plain");
  // ok: lockgate.javascript.xss.response-send-html
  res.send(req.query.q);
});

app.get("/plain2", (req, res) => {
  res.setHeader("Content-Type", "application/json");
  // ok: lockgate.javascript.xss.response-send-html
  res.end(JSON.stringify({ q: req.query.q }));
});

app.get("/render", (req, res) => {
  // ok: lockgate.javascript.xss.response-send-html
  res.render("hello", { name: req.query.name });
});

app.get("/count", (req, res) => {
  // ok: lockgate.javascript.xss.response-send-html
  res.send("<p>" + parseInt(req.query.n, 10) + "</p>");
});

app.get("/page/:name", (req, res) => {
  const file = path.join(__dirname, "pages", path.basename(req.params.name) + ".html");
  // ok: lockgate.javascript.xss.response-send-html
  res.send(fs.readFileSync(file, "utf8"));
});
