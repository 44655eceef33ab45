# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import ssl

import aiohttp
import httpx
import requests


def fetch(url):
    # ruleid: lockgate.python.tls.http-client-verification-disabled
    r = requests.get(url, verify=False, timeout=10)
    # ok: lockgate.python.tls.http-client-verification-disabled
    r = requests.get(url, verify="/etc/ssl/internal-ca.pem", timeout=10)
    # ruleid: lockgate.python.tls.http-client-verification-disabled
    client = httpx.Client(verify=False)
    session = requests.Session()
    # ruleid: lockgate.python.tls.http-client-verification-disabled
    session.verify = False
    # ok: lockgate.python.tls.http-client-verification-disabled
    session.verify = "/etc/ssl/internal-ca.pem"
    return r


async def fetch_async(url):
    # ruleid: lockgate.python.tls.http-client-verification-disabled
    connector = aiohttp.TCPConnector(ssl=False)
    async with aiohttp.ClientSession() as session:
        # ruleid: lockgate.python.tls.http-client-verification-disabled
        async with session.get(url, ssl=False) as resp:
            return await resp.text()


def contexts():
    # ruleid: lockgate.python.tls.ssl-context-verification-disabled
    ctx = ssl._create_unverified_context()
    ctx = ssl.create_default_context()
    # ruleid: lockgate.python.tls.ssl-context-verification-disabled
    ctx.check_hostname = False
    # ruleid: lockgate.python.tls.ssl-context-verification-disabled
    ctx.verify_mode = ssl.CERT_NONE
    # ok: lockgate.python.tls.ssl-context-verification-disabled
    ctx.verify_mode = ssl.CERT_REQUIRED
    # ruleid: lockgate.python.tls.obsolete-tls-version
    legacy = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    # ok: lockgate.python.tls.obsolete-tls-version
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx, legacy
