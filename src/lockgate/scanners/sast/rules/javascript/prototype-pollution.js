const express = require("express");
const _ = require("lodash");

const app = express();
app.use(express.json());
const settings = {};

app.post("/settings", (req, res) => {
  const { section, key, value } = req.body;
  // ruleid: lockgate.javascript.prototype-pollution.tainted-nested-key-assignment
  settings[section][key] = value;
  res.sendStatus(204);
});

app.post("/settings/path", (req, res) => {
  const parts = req.query.path.split(".");
  // ruleid: lockgate.javascript.prototype-pollution.tainted-nested-key-assignment
  settings[parts[0]][parts[1]] = req.body.value;
  res.sendStatus(204);
});

app.post("/settings-safe", (req, res) => {
  const { section, key, value } = req.body;
  if (section === "__proto__" || section === "constructor" || section === "prototype") {
    return res.sendStatus(400);
  }
  // ok: lockgate.javascript.prototype-pollution.tainted-nested-key-assignment
  settings[section][key] = value;
  // ok: lockgate.javascript.prototype-pollution.tainted-nested-key-assignment
  settings["display"][key] = value;
  res.sendStatus(204);
});

app.post("/settings-allow", (req, res) => {
  const section = req.body.section;
  if (!["display", "privacy"].includes(section)) {
    return res.sendStatus(400);
  }
  // ok: lockgate.javascript.prototype-pollution.tainted-nested-key-assignment
  settings[section][req.body.key] = req.body.value;
  res.sendStatus(204);
});

app.put("/profile", (req, res) => {
  const profile = loadProfile(req.user);
  // ruleid: lockgate.javascript.prototype-pollution.tainted-deep-merge
  _.merge(profile, req.body);
  // ruleid: lockgate.javascript.prototype-pollution.tainted-deep-merge
  _.defaultsDeep(profile, req.body.defaults);
  // ruleid: lockgate.javascript.prototype-pollution.tainted-deep-merge
  _.set(profile, req.query.field, req.query.value);
  // ok: lockgate.javascript.prototype-pollution.tainted-deep-merge
  _.merge(profile, { updatedAt: Date.now() });
  // ok: lockgate.javascript.prototype-pollution.tainted-deep-merge
  _.set(profile, "name", req.body.name);
  // ok: lockgate.javascript.prototype-pollution.tainted-deep-merge
  const copy = Object.assign({}, req.body);
  res.json(profile);
});

class Widget {}

app.post("/widget", (req, res) => {
  // ruleid: lockgate.javascript.prototype-pollution.tainted-prototype-assign
  Object.assign(Widget.prototype, req.body);
  // ok: lockgate.javascript.prototype-pollution.tainted-prototype-assign
  Object.assign(new Widget(), req.body);
  // ok: lockgate.javascript.prototype-pollution.tainted-prototype-assign
  Object.assign(Widget.prototype, { kind: "widget" });
  res.sendStatus(204);
});

function deepMerge(target, source) {
  // ruleid: lockgate.javascript.prototype-pollution.unguarded-recursive-merge
  for (const key in source) {
    if (typeof source[key] === "object" && source[key] !== null) {
      if (!target[key]) target[key] = {};
      deepMerge(target[key], source[key]);
    } else {
      target[key] = source[key];
    }
  }
  return target;
}

const extendDeep = (dst, src) => {
  // ruleid: lockgate.javascript.prototype-pollution.unguarded-recursive-merge
  for (const k of Object.keys(src)) {
    dst[k] = isObject(src[k]) ? extendDeep(dst[k] || {}, src[k]) : src[k];
  }
  return dst;
};

function safeMerge(target, source) {
  // ok: lockgate.javascript.prototype-pollution.unguarded-recursive-merge
  for (const key in source) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    if (typeof source[key] === "object") {
      safeMerge(target[key], source[key]);
    } else {
      target[key] = source[key];
    }
  }
  return target;
}

function shallowCopy(target, source) {
  // ok: lockgate.javascript.prototype-pollution.unguarded-recursive-merge
  for (const key in source) {
    target[key] = source[key];
  }
  return target;
}

function mergeInto(dst, src) {
  // ruleid: lockgate.javascript.prototype-pollution.unguarded-recursive-merge
  Object.keys(src).forEach((name) => {
    if (isObject(src[name])) {
      dst[name] = mergeInto(dst[name] || {}, src[name]);
      return;
    }
    dst[name] = src[name];
  });
  return dst;
}
