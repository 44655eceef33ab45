# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
from flask import Flask, jsonify, request

app = Flask(__name__)
EDITABLE = {"bio", "display_name"}


@app.route("/post", methods=["POST"])
def create_post():
    data = {"username": authenticate(request)}
    # ruleid: lockgate.python.mass-assignment.request-data-merged-into-object
    data.update(request.get_json())
    payload = request.get_json()
    # ok: lockgate.python.mass-assignment.request-data-merged-into-object
    data["text"] = payload["text"]
    return jsonify(data)


@app.route("/profile", methods=["POST"])
def profile():
    user = current_user()
    for key, value in request.form.items():
        # ruleid: lockgate.python.mass-assignment.request-data-merged-into-object
        setattr(user, key, value)
        if key in EDITABLE:
            # ok: lockgate.python.mass-assignment.request-data-merged-into-object
            setattr(user, key, value)
    return "ok"


def django_create(request):
    # ruleid: lockgate.python.mass-assignment.request-data-merged-into-object
    Account.objects.create(**request.POST.dict())
    # ok: lockgate.python.mass-assignment.request-data-merged-into-object
    Account.objects.create(name=request.POST["name"], owner=request.user)
