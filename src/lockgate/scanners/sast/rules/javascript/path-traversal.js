const express = require("express");
const fs = require("fs");
const path = require("path");
const { readFile } = require("fs/promises");

const app = express();
const ROOT = path.resolve(__dirname, "public");

app.get("/file", (req, res) => {
  const name = req.query.name;
  // ruleid: lockgate.javascript.path-traversal.tainted-file-path
  fs.readFile(path.join(ROOT, name), "utf8", (err, data) => res.type("text/plain").send(data));
});

app.get("/download/:file", (req, res) => {
  // ruleid: lockgate.javascript.path-traversal.tainted-file-path
  res.sendFile(path.join(__dirname, "uploads", req.params.file));
});

app.get("/stream", async (req, res) => {
  // ruleid: lockgate.javascript.path-traversal.tainted-file-path
  fs.createReadStream(`./reports/${req.query.report}`).pipe(res);
  // ruleid: lockgate.javascript.path-traversal.tainted-file-path
  const text = await readFile(req.query.p);
  // ruleid: lockgate.javascript.path-traversal.tainted-file-path
  await fs.promises.unlink(ROOT + "/" + req.body.name);
  res.end();
});

app.get("/safe-basename", (req, res) => {
  const name = path.basename(req.query.name);
  // ok: lockgate.javascript.path-traversal.tainted-file-path
  fs.readFile(path.join(ROOT, name), (err, data) => res.end());
});

app.get("/safe-root-check", (req, res) => {
  const target = path.resolve(ROOT, req.query.name);
  if (!target.startsWith(ROOT + path.sep)) {
    return res.sendStatus(403);
  }
  // ok: lockgate.javascript.path-traversal.tainted-file-path
  fs.createReadStream(target).pipe(res);
});

app.get("/safe-sendfile", (req, res) => {
  // ok: lockgate.javascript.path-traversal.tainted-file-path
  res.sendFile(req.params.file, { root: ROOT });
});

app.get("/static", (req, res) => {
  // ok: lockgate.javascript.path-traversal.tainted-file-path
  fs.readFile(path.join(ROOT, "index.html"), (err, data) => res.end());
});
