const express = require("express");
const http = require("http");

const app = express();
const ALLOWED_TARGETS = new Set(["/", "/account", "https://docs.example.com/"]);

app.get("/login", (req, res) => {
  const next = req.query.next;
  // ruleid: lockgate.javascript.open-redirect.tainted-redirect
  res.redirect(next);
});

app.get("/go", function (req, res) {
  // ruleid: lockgate.javascript.open-redirect.tainted-redirect
  res.redirect(302, req.query.url);
  // ruleid: lockgate.javascript.open-redirect.tainted-redirect
  res.location("/" + req.query.path);
  // ruleid: lockgate.javascript.open-redirect.tainted-redirect
  res.redirect("https://" + req.headers.host + "/welcome");
});

http.createServer((req, res) => {
  const target = new URL(req.url, "http://localhost").searchParams.get("to");
  // ruleid: lockgate.javascript.open-redirect.tainted-redirect
  res.writeHead(302, { Location: target });
  res.end();
});

app.get("/safe-prefix", (req, res) => {
  // ok: lockgate.javascript.open-redirect.tainted-redirect
  res.redirect("/account/" + req.query.id);
  // ok: lockgate.javascript.open-redirect.tainted-redirect
  res.redirect(`/items/${req.params.id}/edit`);
  // ok: lockgate.javascript.open-redirect.tainted-redirect
  res.redirect("https://docs.example.com/" + req.query.page);
});

app.get("/safe-allow", (req, res) => {
  const next = req.query.next;
  if (!ALLOWED_TARGETS.has(next)) {
    return res.redirect("/");
  }
  // ok: lockgate.javascript.open-redirect.tainted-redirect
  res.redirect(next);
});

app.get("/safe-inline-allow", (req, res) => {
  if (req.query.next && ALLOWED_TARGETS.has(req.query.next)) {
    // ok: lockgate.javascript.open-redirect.tainted-redirect
    res.redirect(req.query.next);
  } else {
    // ok: lockgate.javascript.open-redirect.tainted-redirect
    res.redirect("/");
  }
  if (!ALLOWED_TARGETS.has(req.query.back)) {
    // ruleid: lockgate.javascript.open-redirect.tainted-redirect
    res.redirect(req.query.back);
  }
});

app.get("/safe-validator", (req, res) => {
  const next = req.query.next;
  if (!isSafeRedirect(next)) {
    return res.redirect("/");
  }
  // ok: lockgate.javascript.open-redirect.tainted-redirect
  res.redirect(next);
});

app.get("/safe-const", (req, res) => {
  // ok: lockgate.javascript.open-redirect.tainted-redirect
  res.redirect("/home");
});
