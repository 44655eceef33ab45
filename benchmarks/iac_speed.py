"""IaC scanning speed against checkov (issue 5: at least 5x faster, linear growth).

Input: ``../shared/datasets/iac/kubernetes-goat`` plus a generated tree of Terraform and
Kubernetes resources (default 10,000: half Terraform AWS resources in 20 modules-worth of
files, half Kubernetes objects in multi-document YAML). Both tools scan the same
directory in the same run; checkov is installed only in ``benchmarks/.peers``.

Linearity: lockgate is also timed on 1/4 and 1/2 of the generated resources; the time per
resource at each size is printed.

Run: ``.venv/bin/python benchmarks/iac_speed.py [--resources N] [--skip-peer]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _peers import peer_executable

from lockgate.scanners.iac.control import IacControl
from lockgate.scanners.interface import ScanContext
from lockgate.sources.filesystem import FilesystemSource

ROOT = Path(__file__).resolve().parents[1]
GOAT = ROOT.parent / "shared" / "datasets" / "iac" / "kubernetes-goat"

TF_RESOURCE = """
resource "aws_s3_bucket" "b{n}" {{
  bucket = "bench-bucket-{n}"
  acl    = "{acl}"
  tags = {{
    Team = "t{team}"
  }}
}}

resource "aws_security_group" "sg{n}" {{
  name = "sg-{n}"
  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["{cidr}"]
  }}
}}
"""

K8S_DEPLOYMENT = """---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{n}
  namespace: team-{team}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web-{n}}}
  template:
    metadata:
      labels: {{app: web-{n}}}
    spec:
      containers:
        - name: web
          image: nginx:{tag}
          ports: [{{containerPort: 8080}}]
          securityContext:
            privileged: {privileged}
            runAsNonRoot: true
          resources:
            limits: {{cpu: 500m, memory: 256Mi}}
"""


def generate(target: Path, resources: int) -> None:
    """``resources`` resources: half Terraform (two per block pair), half Kubernetes."""
    tf_pairs = resources // 4
    k8s = resources - 2 * tf_pairs
    per_file = 50
    for start in range(0, tf_pairs, per_file):
        directory = target / "terraform" / f"stack{start // 1000}"
        directory.mkdir(parents=True, exist_ok=True)
        text = "".join(
            TF_RESOURCE.format(
                n=n,
                acl="public-read" if n % 7 == 0 else "private",
                team=n % 13,
                cidr="0.0.0.0/0" if n % 5 == 0 else "10.0.0.0/8",
            )
            for n in range(start, min(start + per_file, tf_pairs))
        )
        (directory / f"main{start}.tf").write_text(text)
    for start in range(0, k8s, per_file):
        directory = target / "k8s" / f"apps{start // 1000}"
        directory.mkdir(parents=True, exist_ok=True)
        text = "".join(
            K8S_DEPLOYMENT.format(
                n=n,
                team=n % 9,
                tag="latest" if n % 6 == 0 else "1.25.3",
                privileged="true" if n % 11 == 0 else "false",
            )
            for n in range(start, min(start + per_file, k8s))
        )
        (directory / f"apps{start}.yaml").write_text(text)


def scan_lockgate(directory: Path) -> tuple[float, int, int]:
    """(seconds, findings, resources) of the iac control over ``directory``, in-process
    (check loading and compilation included)."""
    started = time.perf_counter()
    control = IacControl()
    with FilesystemSource(directory, use_gitignore=False).open() as workspace:
        files = tuple(f for f in workspace.files if control.applies_to(f.path, f))
        context = ScanContext(
            workspace=workspace, files=files, options={}, cancel=threading.Event()
        )
        out = control.scan(context)
    seconds = time.perf_counter() - started
    resources = int(dict(out.data_versions).get("iac-resources", 0))
    return seconds, len(out.findings), resources


def scan_checkov(directory: Path) -> float:
    exe = peer_executable("checkov", "checkov")
    started = time.perf_counter()
    subprocess.run(
        [
            str(exe),
            "-d",
            str(directory),
            "--framework",
            "terraform",
            "kubernetes",
            "dockerfile",
            "helm",
            "--quiet",
            "--compact",
            "-o",
            "json",
            "--skip-download",
        ],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=3600,
        env={**os.environ, "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--skip-peer", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lockgate-iac-bench-") as tmp:
        sizes = []
        for fraction in (4, 2, 1):
            count = args.resources // fraction
            target = Path(tmp) / f"tree-{count}"
            target.mkdir()
            generate(target / "generated", count)
            if GOAT.is_dir():
                shutil.copytree(GOAT, target / "kubernetes-goat", symlinks=False)
            sizes.append((count, target))
        print(f"lockgate iac (checks loaded and compiled in each run); goat: {GOAT.is_dir()}")
        results = []
        for count, target in sizes:
            seconds, findings, resources = scan_lockgate(target)
            results.append((count, seconds, resources))
            print(
                f"  {count:>6} generated ({resources} resources parsed): {seconds:6.2f} s, "
                f"{findings} findings, {seconds / max(resources, 1) * 1e3:.3f} ms/resource"
            )
        per = [s / max(r, 1) for _, s, r in results]
        print(
            f"  linearity: ms/resource from the smallest to the largest tree "
            f"{per[0] * 1e3:.3f} -> {per[-1] * 1e3:.3f} (ratio {per[-1] / per[0]:.2f})"
        )
        if args.skip_peer:
            return 0
        full = sizes[-1][1]
        peer = scan_checkov(full)
        ours = results[-1][1]
        print(f"checkov -d (terraform, kubernetes, dockerfile, helm): {peer:.2f} s")
        print(
            f"ratio checkov / lockgate: {peer / ours:.1f}x — target >= 5x: "
            f"{'met' if peer / ours >= 5 else 'NOT met'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
