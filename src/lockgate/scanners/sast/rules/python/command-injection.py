# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import os
import shlex
import subprocess

from flask import Flask, request

app = Flask(__name__)
TOOLS = ["ping", "traceroute"]


@app.route("/ping")
def ping():
    host = request.args.get("host")
    # ruleid: lockgate.python.command-injection.tainted-shell-command
    os.system("ping -c 1 " + host)
    # ruleid: lockgate.python.command-injection.tainted-shell-command
    out = subprocess.check_output(f"ping -c 1 {host}", shell=True, timeout=10)
    # ok: lockgate.python.command-injection.tainted-shell-command
    out = subprocess.check_output(f"ping -c 1 {shlex.quote(host)}", shell=True, timeout=10)
    # ok: lockgate.python.command-injection.tainted-shell-command
    out = subprocess.run(["ping", "-c", "1", "--", host], timeout=10)
    # ruleid: lockgate.python.command-injection.tainted-shell-command
    stream = os.popen("nslookup %s" % host)
    return out


def run_tool(request, tool):
    # ruleid: lockgate.python.command-injection.tainted-shell-command
    subprocess.run([tool, "--version"], timeout=10)
    if tool in TOOLS:
        # ok: lockgate.python.command-injection.tainted-shell-command
        subprocess.run([tool, "--version"], timeout=10)
    name = request.POST["name"]
    # ruleid: lockgate.python.command-injection.tainted-shell-command
    os.execvp(name, [name])


async def aio(request):
    args = request.query
    # ruleid: lockgate.python.command-injection.tainted-shell-command
    proc = await asyncio.create_subprocess_shell("grep " + args["q"] + " log.txt")
    return proc


def backup(path):
    # ruleid: lockgate.python.command-injection.dynamic-shell-command
    os.system("tar czf /backup/out.tgz " + path)
    # ruleid: lockgate.python.command-injection.dynamic-shell-command
    subprocess.call("rm -rf {}".format(path), shell=True)
    # ok: lockgate.python.command-injection.dynamic-shell-command
    subprocess.call("rm -rf {}".format(shlex.quote(path)), shell=True)
    # ok: lockgate.python.command-injection.dynamic-shell-command
    subprocess.call(["rm", "-rf", path])
    # ok: lockgate.python.command-injection.dynamic-shell-command
    os.system("make clean")
