"""The built-in Dockerfile checks (``checks/dockerfile.yaml``) as users meet them: every
check's own examples, whole Dockerfiles read by the real parser with the exact findings they
must produce (an insecure multi-stage build, a hardened one that passes everything), the
command-line patterns the regular expressions must and must not catch, and the Kubernetes
Goat Dockerfiles."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from lockgate.scanners.iac.checks import BUILTIN_DIR, Check, load_check_files
from lockgate.scanners.iac.engine import CheckEngine, Verdict
from lockgate.scanners.iac.parsers import dockerfile
from lockgate.scanners.iac.resources import Resource
from tests.conftest import shared_dataset
from tests.unit.scanners.iac.checks._support import failing_of, verdicts_of

CHECK_FILE = BUILTIN_DIR / "dockerfile.yaml"
CHECKS: dict[str, Check] = load_check_files([CHECK_FILE]).by_id()
ENGINE = CheckEngine(tuple(CHECKS.values()))
verdicts = partial(verdicts_of, ENGINE)
failing = partial(failing_of, ENGINE)


def ids(*numbers: int) -> set[str]:
    return {f"LG-DF-{n:03d}" for n in numbers}


def parse(text: str) -> Resource:
    return dockerfile.parse_text(text, "Dockerfile")


def run_resource(command: str) -> Resource:
    """A one-stage Dockerfile whose only step is ``RUN command``."""
    return parse(
        f"FROM alpine:3.20@sha256:{'ab' * 32}\nUSER app\nHEALTHCHECK NONE\nRUN {command}\n"
    )


# ------------------------------------------------------------------ the check file itself


def test_file_holds_16_checks_numbered_without_gaps() -> None:
    assert sorted(CHECKS) == [f"LG-DF-{n:03d}" for n in range(1, 17)]
    assert all(
        c.kind == "dockerfile" and c.types == frozenset({"Dockerfile"}) for c in CHECKS.values()
    )


def test_every_check_documents_itself_for_migrating_users() -> None:
    titles = [c.title for c in CHECKS.values()]
    assert len(set(titles)) == len(titles), "two checks share a title"
    for check in CHECKS.values():
        assert len(check.description) > 80, check.id
        assert check.remediation and check.references, check.id
        assert all(r.startswith("https://") for r in check.references), check.id
        assert set(check.aliases) == {"checkov", "trivy"}, check.id
        assert all(re.fullmatch(r"CKV2?_DOCKER_\d+", a) for a in check.aliases["checkov"]), check.id
        assert all(re.fullmatch(r"AVD-DS-\d{4}", a) for a in check.aliases["trivy"]), check.id


# ------------------------------------------------------------------ corpus: whole Dockerfiles

INSECURE = """\
FROM ubuntu AS build
ARG NPM_TOKEN=npm_0123456789abcdef
RUN apt-get update && apt-get -y dist-upgrade && apt-get install -y curl build-essential
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \\
 && apt-get install -y --allow-unauthenticated nodejs
RUN curl -k -o /tmp/tool.tgz https://internal.example/tool.tgz
ADD https://example.com/config.json /etc/app/config.json
WORKDIR /src
ADD . /src
RUN pip install flask && sudo make install

FROM node:latest
ENV DB_PASSWORD=hunter2
COPY --from=build /src/dist /app
RUN chmod -R 777 /app
EXPOSE 22 8080
CMD ["node", "/app/server.js"]
"""

HARDENED = f"""\
# syntax=docker/dockerfile:1.7
ARG NODE_VERSION=20.14.0
FROM node:${{NODE_VERSION}}-bookworm-slim@sha256:{"8d" * 32} AS build
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates=20230311 curl=7.88.1-10+deb12u7 \\
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npm_token NPM_TOKEN="$(cat /run/secrets/npm_token)" npm ci
COPY . .
ADD --checksum=sha256:{"24" * 32} https://example.com/config.json /src/config.json
RUN npm run build

FROM gcr.io/distroless/nodejs20-debian12:nonroot@sha256:{"5a" * 32}
COPY --from=build --chown=65532:65532 /src/dist /app
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/nodejs/bin/node", "/app/healthcheck.js"]
CMD ["/app/server.js"]
"""


def test_insecure_multi_stage_build_fails_every_applicable_check() -> None:
    # untagged and :latest bases are LG-DF-002, so the digest check (003) stays quiet
    assert failing(parse(INSECURE)) == ids(*range(1, 17)) - ids(3)


def test_hardened_build_passes_every_check() -> None:
    assert failing(parse(HARDENED)) == set()


def test_real_parser_output_is_read_from_files(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Dockerfile").write_text(INSECURE, encoding="utf-8")
    (tmp_path / "Containerfile").write_text(HARDENED, encoding="utf-8")
    result = dockerfile.parse(tmp_path, ["api/Dockerfile", "Containerfile"])
    assert not result.errors
    by_path = {r.path: failing(r) for r in result.resources}
    assert by_path == {"api/Dockerfile": ids(*range(1, 17)) - ids(3), "Containerfile": set()}


# ------------------------------------------------------------------ user and inherited settings


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("FROM alpine:3.20\nRUN adduser -D app\n", True),
        ("FROM alpine:3.20\nUSER app\nUSER root\n", True),
        ("FROM alpine:3.20\nUSER 0:0\n", True),
        ("FROM alpine:3.20\nUSER root\nRUN apk add --no-cache git=2.45.2-r0\nUSER 10001\n", False),
        ('FROM alpine:3.20 AS base\nUSER app\nFROM base\nCMD ["/app"]\n', False),
        ('FROM alpine:3.20 AS base\nUSER app\nFROM alpine:3.20\nCMD ["/app"]\n', True),
        ("FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n", False),
    ],
)
def test_root_user_follows_the_last_user_of_the_final_stage(text: str, root: bool) -> None:
    assert ("LG-DF-001" in failing(parse(text))) is root


def test_healthcheck_and_exposed_ssh_are_inherited_from_the_base_stage() -> None:
    text = "FROM debian:12 AS base\nHEALTHCHECK CMD true\nEXPOSE 22\nFROM base\nUSER app\n"
    found = failing(parse(text))
    assert "LG-DF-011" not in found
    assert "LG-DF-012" in found


def test_base_image_from_an_unset_build_argument_is_unknown_not_passed() -> None:
    resource = parse("ARG BASE\nFROM ${BASE}\nUSER app\nEXPOSE 22\n")
    found = verdicts(resource)
    assert {k for k, v in found.items() if v is Verdict.UNKNOWN} == ids(2, 3)
    # what does not depend on the base image is still decided
    assert {k for k, v in found.items() if v is Verdict.FAIL} == ids(11, 12)


def test_scratch_and_earlier_stages_are_not_base_images() -> None:
    text = (
        f"FROM golang:1.22@sha256:{'cd' * 32} AS build\nFROM build AS test\nFROM scratch\nUSER 1\n"
    )
    assert not failing(parse(text)) & ids(2, 3)


def test_secret_values_in_global_build_arguments_are_found() -> None:
    text = "ARG GITHUB_TOKEN=ghp_exampleexampleexample\nFROM alpine:3.20\nUSER app\n"
    assert "LG-DF-007" in failing(parse(text))


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("ENV DB_PASSWORD=hunter2", True),
        ("ENV AWS_SECRET_ACCESS_KEY wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", True),
        ("ARG API_KEY", False),
        ("ARG API_KEY=", False),
        ("ENV API_KEY=$API_KEY", False),
        ("ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D", False),
        ("ENV TOKENIZERS_PARALLELISM=false", False),
        ("ENV POSTGRES_PASSWORD_FILE=/run/secrets/pg", False),
        ("ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", False),
    ],
)
def test_secret_detection_reads_names_and_literal_values(line: str, secret: bool) -> None:
    resource = parse(f"FROM alpine:3.20\n{line}\nUSER app\n")
    assert ("LG-DF-007" in failing(resource)) is secret


# ------------------------------------------------------------------ RUN command patterns

PATTERNS: list[tuple[str, int, bool]] = [
    # unpinned installs (LG-DF-010)
    ("apt-get install -y --no-install-recommends curl", 10, True),
    ("apt-get install -y --no-install-recommends curl=7.88.1-10", 10, False),
    ("apt-get install -y -t bookworm-backports --no-install-recommends foo=1.2", 10, False),
    ("apk add --no-cache bash", 10, True),
    ("apk add --no-cache --virtual build-deps gcc=13.2.1-r0", 10, False),
    ("dnf install -y python3-pip", 10, True),
    ("yum install -y httpd-2.4.6", 10, False),
    ("pip install requests", 10, True),
    ("pip install requests>=2.31", 10, True),
    ("pip install --no-cache-dir -r requirements.txt", 10, False),
    ("pip install -e .", 10, False),
    ("pip install uvicorn[standard]==0.30.1", 10, False),
    # remote scripts (LG-DF-006)
    ("curl -sSf https://sh.rustup.rs | sh -s -- -y", 6, True),
    ('sh -c "$(wget -qO- https://x.example/install)"', 6, True),
    ('["/bin/sh", "-c", "curl -fsSL https://x.example/i.sh | sh"]', 6, True),
    ("curl -s https://x.example/data.json | jq .", 6, False),
    ("curl -fsSLo /tmp/x https://x.example/x", 6, False),
    # sudo (LG-DF-008)
    ("apt-get install -y sudo=1.9.13p3-1", 8, False),
    ("sudo -u app make", 8, True),
    # world-writable (LG-DF-013)
    ("chmod 0666 /etc/app.conf", 13, True),
    ("chmod go+w /srv", 13, True),
    ("chmod 1777 /tmp/cache", 13, False),
    ("chmod u+rwx,g+rx /srv", 13, False),
    # TLS and signatures (LG-DF-015, LG-DF-016)
    ("wget --no-check-certificate https://x.example/a", 15, True),
    ("git -c http.sslVerify=false clone https://x.example/r.git", 15, True),
    ("curl --cacert /ca.pem https://x.example/a", 15, False),
    ("rpm -ivh --nosignature /tmp/agent.rpm", 16, True),
    ("echo 'gpgcheck=0' >> /etc/yum.repos.d/vendor.repo", 16, True),
    ("rpm --import https://x.example/key.asc", 16, False),
    # upgrades (LG-DF-014)
    ("apt-get install -y --only-upgrade openssl=3.0.14-1", 14, False),
    ("apt-get -y full-upgrade", 14, True),
]


@pytest.mark.parametrize(("command", "number", "reported"), PATTERNS)
def test_run_command_patterns(command: str, number: int, reported: bool) -> None:
    assert (f"LG-DF-{number:03d}" in failing(run_resource(command))) is reported


def test_heredoc_scripts_are_checked_like_run_lines() -> None:
    text = (
        "# syntax=docker/dockerfile:1.7\nFROM alpine:3.20\nUSER app\nRUN <<EOF\n"
        "set -e\ncurl -fsSL https://x.example/install.sh | sh\nEOF\n"
    )
    assert "LG-DF-006" in failing(parse(text))


# ------------------------------------------------------------------ real third-party data

GOAT_EXPECTED: dict[str, set[str]] = {
    # users-repo bakes an API key into ENV; hidden-in-layers ADDs a local secret file
    "users-repo": ids(1, 3, 7, 11),
    "hidden-in-layers": ids(1, 2, 5, 11),
    # helm-tiller installs with `apt install curl wget … -y`
    "helm-tiller": ids(1, 3, 9, 10, 11),
    "goat-home": ids(1, 2, 3, 10, 11),
    "cache-store": ids(1, 3, 11),
}


def test_kubernetes_goat_dockerfiles_give_the_expected_findings() -> None:
    root = shared_dataset("iac", "kubernetes-goat")
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("Dockerfile"))
    assert paths, "the dataset holds Dockerfiles"
    result = dockerfile.parse(root, paths)
    assert not result.errors
    found: dict[str, set[str]] = {}
    for resource in result.resources:
        found[resource.path.split("/")[-2]] = failing(resource)
    for name, expected in GOAT_EXPECTED.items():
        assert found[name] == expected, name
    # every Goat image runs as root without a health check: the point of the exercise
    assert all(ids(1, 11) <= f for f in found.values())


def _weird_shapes() -> list[dict[str, Any]]:
    stage: dict[str, Any] = {"index": 0, "name": None, "base_is_stage": False, "instructions": []}
    return [
        {"stages": [], "instructions": [], "final_stage": stage},
        {
            "stages": [stage],
            "instructions": [
                {"instruction": "ENV", "value": "", "args": ["not-a-pair"], "flags": []}
            ],
            "final_stage": stage,
        },
    ]


@pytest.mark.parametrize("data", _weird_shapes())
def test_degenerate_resources_never_make_a_check_error(data: dict[str, Any]) -> None:
    resource = Resource(
        kind="dockerfile",
        type="Dockerfile",
        address="Dockerfile",
        path="Dockerfile",
        start_line=1,
        end_line=1,
        data=data,
    )
    assert all(v in (Verdict.PASS, Verdict.FAIL) for v in verdicts(resource).values())
