const express = require("express");
const libxmljs = require("libxmljs");

const app = express();
app.use(express.text({ type: "application/xml" }));

app.post("/upload", (req, res) => {
  // ruleid: lockgate.javascript.xxe.libxmljs-noent
  const doc = libxmljs.parseXml(req.body, { noent: true, nonet: false });
  res.type("text/plain").send(doc.root().text());
});

app.post("/upload2", (req, res) => {
  const xml = req.body.toString();
  // ruleid: lockgate.javascript.xxe.libxmljs-noent
  const doc = libxmljs.parseXmlString(xml, { noblanks: true, noent: true });
  res.json({ name: doc.root().name() });
});

app.post("/upload-safe", (req, res) => {
  // ok: lockgate.javascript.xxe.libxmljs-noent
  const doc = libxmljs.parseXml(req.body, { nonet: true });
  // ok: lockgate.javascript.xxe.libxmljs-noent
  const doc2 = libxmljs.parseXml(req.body, { noent: false });
  // ok: lockgate.javascript.xxe.libxmljs-noent
  const doc3 = libxmljs.parseXml(TEMPLATE_XML, { noent: true });
  res.json({ a: doc.root().name(), b: doc2.root().name(), c: doc3.root().name() });
});
