const express = require("express");
const cp = require("child_process");
const { exec, execSync, spawn, execFile } = require("child_process");
const shellQuote = require("shell-quote");

const app = express();
const ALLOWED_HOSTS = ["example.com", "example.org"];

app.get("/ping", (req, res) => {
  const host = req.query.host;
  // ruleid: lockgate.javascript.command-injection.child-process-exec
  cp.exec("ping -c 1 " + host, (err, out) => res.send(out));
});

app.post("/convert", function (req, res) {
  const { name } = req.body;
  // ruleid: lockgate.javascript.command-injection.child-process-exec
  const out = execSync(`convert uploads/${name} out.png`);
  res.send(out);
});

app.get("/lookup", (req, res) => {
  // ruleid: lockgate.javascript.command-injection.child-process-exec
  require("child_process").exec("nslookup " + req.params.domain);
});

function handler(req, res) {
  const cmd = req.headers["x-cmd"];
  // ruleid: lockgate.javascript.command-injection.child-process-exec
  exec(cmd);
}

app.get("/safe-quote", (req, res) => {
  const host = shellQuote.quote([req.query.host]);
  // ok: lockgate.javascript.command-injection.child-process-exec
  cp.exec("ping -c 1 " + host);
});

app.get("/safe-allow", (req, res) => {
  const host = req.query.host;
  if (!ALLOWED_HOSTS.includes(host)) {
    return res.status(400).send("bad host");
  }
  // ok: lockgate.javascript.command-injection.child-process-exec
  cp.exec("ping -c 1 " + host);
});

app.get("/safe-inline-allow", (req, res) => {
  if (ALLOWED_HOSTS.includes(req.query.host)) {
    // ok: lockgate.javascript.command-injection.child-process-exec
    cp.exec("ping -c 1 " + req.query.host);
  }
});

app.get("/safe-const", (req, res) => {
  // ok: lockgate.javascript.command-injection.child-process-exec
  cp.exec("uptime", (err, out) => res.send(out));
});

app.get("/regex", (req, res) => {
  const re = /a(b)/;
  // ok: lockgate.javascript.command-injection.child-process-exec
  const m = re.exec(req.query.s);
  res.json(m);
});

app.get("/execfile", (req, res) => {
  // ok: lockgate.javascript.command-injection.child-process-exec
  execFile("ping", ["-c", "1", req.query.host]);
  // ok: lockgate.javascript.command-injection.spawn-shell
  spawn("git", ["log", "--", req.query.ref]);
});

app.get("/spawn", (req, res) => {
  const ref = req.query.ref;
  // ruleid: lockgate.javascript.command-injection.spawn-shell
  spawn("git", ["log", ref], { shell: true });
  // ruleid: lockgate.javascript.command-injection.spawn-shell
  cp.spawnSync("/bin/sh", ["-c", "tar xf " + ref]);
  // ruleid: lockgate.javascript.command-injection.spawn-shell
  execFile("bash", ["-c", `grep ${ref} log.txt`], (e, out) => res.send(out));
  // ok: lockgate.javascript.command-injection.spawn-shell
  spawn("git", ["log", ref], { shell: false });
  // ok: lockgate.javascript.command-injection.spawn-shell
  spawn("/bin/sh", ["-c", "make clean"]);
});
