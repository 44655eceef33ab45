# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from flask import Flask
from flask_wtf.csrf import CSRFProtect

# ruleid: lockgate.python.csrf.flask-app-without-csrf-protection
app = Flask("unprotected")

# ok: lockgate.python.csrf.flask-app-without-csrf-protection
protected = Flask("protected")
CSRFProtect(protected)

# ruleid: lockgate.python.csrf.csrf-protection-disabled
app.config["WTF_CSRF_ENABLED"] = False
# ok: lockgate.python.csrf.csrf-protection-disabled
app.config["WTF_CSRF_ENABLED"] = True


@csrf_exempt
# ruleid: lockgate.python.csrf.django-csrf-exempt
def transfer(request):
    return HttpResponse("done")


# ok: lockgate.python.csrf.django-csrf-exempt
def profile(request):
    return HttpResponse("ok")


# ruleid: lockgate.python.csrf.csrf-protection-disabled
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

# ok: lockgate.python.csrf.csrf-protection-disabled
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
