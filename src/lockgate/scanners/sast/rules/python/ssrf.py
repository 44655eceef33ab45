# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import urllib.request
from urllib.parse import urlparse

import aiohttp
import httpx
import requests
from fastapi import FastAPI
from flask import Flask, request

app = Flask(__name__)
api = FastAPI()
ALLOWED_HOSTS = {"images.example.com"}
API_BASE = "https://api.example.com"


@app.route("/fetch")
def fetch():
    url = request.args.get("url")
    # ruleid: lockgate.python.ssrf.tainted-outbound-url
    resp = requests.get(url, timeout=5)
    # ruleid: lockgate.python.ssrf.tainted-outbound-url
    body = urllib.request.urlopen(url, timeout=5).read()
    # ok: lockgate.python.ssrf.tainted-outbound-url
    resp = requests.get(f"https://api.example.com/items/{url}", timeout=5)
    # ok: lockgate.python.ssrf.tainted-outbound-url
    resp = requests.get(f"{API_BASE}/items/{url}", timeout=5)
    return resp.text


@app.route("/proxy")
def proxy():
    target = request.args["target"]
    if urlparse(target).hostname not in ALLOWED_HOSTS:
        return "forbidden", 403
    # ruleid: lockgate.python.ssrf.tainted-outbound-url
    return requests.get(target, timeout=5).text


@app.route("/proxy2")
def proxy_checked():
    target = request.args["target"]
    parsed = urlparse(target)
    if parsed.hostname not in ALLOWED_HOSTS:
        return "forbidden", 403
    # ok: lockgate.python.ssrf.tainted-outbound-url
    return requests.get(target, timeout=5).text


@api.post("/webhook")
async def webhook(callback: str):
    async with httpx.AsyncClient(timeout=5) as client:
        # ruleid: lockgate.python.ssrf.tainted-outbound-url
        await client.post(callback, json={"ok": True})
    # ruleid: lockgate.python.ssrf.tainted-outbound-url
    httpx.request("POST", callback, timeout=5)


async def aio_fetch(request):
    data = await request.json()
    async with aiohttp.ClientSession() as session:
        # ruleid: lockgate.python.ssrf.tainted-outbound-url
        async with session.get(data["url"]) as resp:
            return await resp.text()


def cli_fetch(url):
    # ok: lockgate.python.ssrf.tainted-outbound-url
    return requests.get(url, timeout=5)
