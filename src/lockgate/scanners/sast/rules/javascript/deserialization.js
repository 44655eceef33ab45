const express = require("express");
const cookieParser = require("cookie-parser");
const serialize = require("node-serialize");
const yaml = require("js-yaml");

const app = express();
app.use(cookieParser());

app.get("/profile", (req, res) => {
  const raw = Buffer.from(req.cookies.profile, "base64").toString();
  // ruleid: lockgate.javascript.deserialization.code-executing-deserializer
  const profile = serialize.unserialize(raw);
  res.json({ name: profile.name });
});

app.post("/import", (req, res) => {
  // ruleid: lockgate.javascript.deserialization.code-executing-deserializer
  const doc = yaml.load(req.body.config, { schema: yaml.DEFAULT_FULL_SCHEMA });
  res.json(doc);
});

app.post("/import-safe", (req, res) => {
  // ok: lockgate.javascript.deserialization.code-executing-deserializer
  const doc = yaml.load(req.body.config);
  // ok: lockgate.javascript.deserialization.code-executing-deserializer
  const data = JSON.parse(req.body.data);
  // ok: lockgate.javascript.deserialization.code-executing-deserializer
  const fixed = serialize.unserialize('{"a":1}');
  res.json({ doc, data, fixed });
});
