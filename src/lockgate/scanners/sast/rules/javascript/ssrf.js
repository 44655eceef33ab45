const express = require("express");
const axios = require("axios");
const https = require("https");

const app = express();
const ALLOWED_HOSTS = new Set(["api.example.com"]);

app.get("/preview", async (req, res) => {
  // ruleid: lockgate.javascript.ssrf.tainted-outbound-url
  const page = await axios.get(req.query.url);
  res.json({ title: page.data.slice(0, 100) });
});

app.post("/webhook-test", async (req, res) => {
  const target = req.body.callback;
  // ruleid: lockgate.javascript.ssrf.tainted-outbound-url
  const r = await fetch(target, { method: "POST" });
  // ruleid: lockgate.javascript.ssrf.tainted-outbound-url
  https.get(`https://${req.body.host}/health`, (resp) => resp.resume());
  // ruleid: lockgate.javascript.ssrf.tainted-outbound-url
  https.request({ hostname: req.body.host, path: "/" }).end();
  res.sendStatus(r.ok ? 204 : 502);
});

app.get("/items/:id", async (req, res) => {
  // ok: lockgate.javascript.ssrf.tainted-outbound-url
  const item = await axios.get("https://api.example.com/items/" + encodeURIComponent(req.params.id));
  // ok: lockgate.javascript.ssrf.tainted-outbound-url
  const other = await fetch(`https://api.example.com/search?q=${req.query.q}`);
  res.json({ item: item.data, other: await other.json() });
});

app.get("/proxy", async (req, res) => {
  const url = new URL(req.query.url);
  if (!ALLOWED_HOSTS.has(url.hostname)) {
    return res.sendStatus(400);
  }
  // ok: lockgate.javascript.ssrf.tainted-outbound-url
  const r = await fetch(url);
  res.send(await r.text());
});
