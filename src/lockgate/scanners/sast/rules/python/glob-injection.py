# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import glob
from pathlib import Path


def authenticate(request):
    key = request.headers["X-APIKEY"]
    # ruleid: lockgate.python.glob-injection.tainted-glob-pattern
    for f in Path("/tmp/").glob("app.apikey.*." + key):
        return f.name.split(".")[2]
    # ok: lockgate.python.glob-injection.tainted-glob-pattern
    for f in Path("/tmp/").glob("app.apikey.*." + glob.escape(key)):
        return f.name.split(".")[2]
    return None


def list_reports(request, prefix):
    # ruleid: lockgate.python.glob-injection.tainted-glob-pattern
    return glob.glob(f"/srv/reports/{prefix}*.pdf")


def list_all():
    # ok: lockgate.python.glob-injection.tainted-glob-pattern
    return glob.glob("/srv/reports/*.pdf")
