# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import os

from flask import Flask

# ruleid: lockgate.python.debug-mode.django-debug-enabled
DEBUG = True
# ok: lockgate.python.debug-mode.django-debug-enabled
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"


class DevelopmentConfig:
    # ok: lockgate.python.debug-mode.django-debug-enabled
    DEBUG = True


app = Flask(__name__)
# ruleid: lockgate.python.debug-mode.flask-debug-enabled
app.config["DEBUG"] = True
# ok: lockgate.python.debug-mode.flask-debug-enabled
app.config["DEBUG"] = False
# ruleid: lockgate.python.debug-mode.flask-debug-enabled
app.run(debug=True, host="127.0.1.1", port=5000)
# ok: lockgate.python.debug-mode.flask-debug-enabled
app.run(host="0.0.0.0", port=8080)


class Parser:
    def set_debug(self):
        # ok: lockgate.python.debug-mode.flask-debug-enabled
        self.debug = True
