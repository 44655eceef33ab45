# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import base64
import json
import pickle

import jsonpickle
import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/restore", methods=["POST"])
def restore():
    blob = base64.b64decode(request.form["state"])
    # ruleid: lockgate.python.deserialization.tainted-unsafe-deserialization
    state = pickle.loads(blob)
    # ruleid: lockgate.python.deserialization.tainted-unsafe-deserialization
    obj = jsonpickle.decode(request.get_data())
    # ok: lockgate.python.deserialization.tainted-unsafe-deserialization
    data = json.loads(request.get_data())
    with open("cache.pkl", "rb") as handle:
        # ok: lockgate.python.deserialization.tainted-unsafe-deserialization
        cached = pickle.load(handle)
    return "ok"


def load_config(path):
    with open(path) as handle:
        # ruleid: lockgate.python.deserialization.yaml-unsafe-load
        config = yaml.load(handle, Loader=yaml.Loader)
        # ruleid: lockgate.python.deserialization.yaml-unsafe-load
        config = yaml.load(handle)
        # ruleid: lockgate.python.deserialization.yaml-unsafe-load
        config = yaml.unsafe_load(handle)
        # ok: lockgate.python.deserialization.yaml-unsafe-load
        config = yaml.load(handle, Loader=yaml.SafeLoader)
        # ok: lockgate.python.deserialization.yaml-unsafe-load
        config = yaml.load(handle, yaml.CSafeLoader)
        # ok: lockgate.python.deserialization.yaml-unsafe-load
        config = yaml.safe_load(handle)
    return config


def load_roundtrip(path):
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    with open(path) as handle:
        # ok: lockgate.python.deserialization.yaml-unsafe-load
        return yaml.load(handle)


def load_session(request):
    session = {}
    cookie = request.cookies.get("app_session")
    if cookie:
        decoded = base64.b64decode(cookie.encode())
        # ruleid: lockgate.python.deserialization.cookie-state-without-integrity-check
        session = json.loads(decoded)
    return session


def load_signed_session(request):
    cookie = request.cookies.get("app_session")
    token = fernet.decrypt(cookie.encode(), ttl=7200)
    # ok: lockgate.python.deserialization.cookie-state-without-integrity-check
    return json.loads(token)


def load_itsdangerous(request):
    serializer = URLSafeTimedSerializer(SECRET)
    # ok: lockgate.python.deserialization.cookie-state-without-integrity-check
    return serializer.loads(request.cookies["state"], max_age=3600)
