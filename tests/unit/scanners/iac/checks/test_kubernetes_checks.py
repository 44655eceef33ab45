"""The built-in Kubernetes checks (``checks/kubernetes.yaml``) as users meet them: every check's
own examples, whole manifests with the exact findings they must produce (an insecure
Deployment, a hardened one that passes everything, a CronJob, RBAC objects, Services), the
Kubernetes Goat scenarios, and malformed manifests that must never make a check error."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import yaml

from lockgate.scanners.iac.checks import BUILTIN_DIR, Check, load_check_files
from lockgate.scanners.iac.engine import CheckEngine, Verdict
from lockgate.scanners.iac.resources import Resource
from tests.conftest import shared_dataset

CHECK_FILE = BUILTIN_DIR / "kubernetes.yaml"
CHECKS: dict[str, Check] = load_check_files([CHECK_FILE]).by_id()
ENGINE = CheckEngine(tuple(CHECKS.values()))
WORKLOAD_TYPES = frozenset(
    {
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "Job",
        "CronJob",
        "ReplicationController",
    }
)
DIGEST = "sha256:" + "4f" * 32


def ids(*numbers: int) -> set[str]:
    return {f"LG-K8S-{n:03d}" for n in numbers}


def resource_of(document: Mapping[str, Any]) -> Resource:
    """A parsed manifest as the Kubernetes parser hands it to the engine."""
    meta = document.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    return Resource(
        kind="kubernetes",
        type=str(document["kind"]),
        address=f"{document['kind']}/{meta.get('namespace', 'default')}/{meta.get('name', '')}",
        path="manifest.yaml",
        start_line=1,
        end_line=1,
        data=document,
    )


def outcomes(document: Mapping[str, Any]) -> dict[str, Verdict]:
    return {o.check.id: o.verdict for o in ENGINE.evaluate(resource_of(document))}


def failing(document: Mapping[str, Any]) -> set[str]:
    verdicts = outcomes(document)
    unexpected = {k: v for k, v in verdicts.items() if v not in (Verdict.FAIL, Verdict.PASS)}
    assert not unexpected, unexpected
    return {k for k, v in verdicts.items() if v is Verdict.FAIL}


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]


# ------------------------------------------------------------------ the check file itself


def test_file_holds_51_checks_numbered_without_gaps() -> None:
    assert sorted(CHECKS) == [f"LG-K8S-{n:03d}" for n in range(1, 52)]
    assert all(c.kind == "kubernetes" for c in CHECKS.values())


def test_every_check_documents_itself_for_migrating_users() -> None:
    titles = [c.title for c in CHECKS.values()]
    assert len(set(titles)) == len(titles), "two checks share a title"
    for check in CHECKS.values():
        assert len(check.description) > 80, check.id
        assert check.remediation, check.id
        assert check.references, check.id
        assert all(r.startswith("https://") for r in check.references), check.id
        assert set(check.aliases) == {"checkov", "trivy"}, check.id
        assert all(re.fullmatch(r"CKV2?_K8S_\d+", a) for a in check.aliases["checkov"]), check.id
        assert all(re.fullmatch(r"KSV\d{3}", a) for a in check.aliases["trivy"]), check.id


def test_pod_checks_apply_to_every_workload_kind() -> None:
    for check in CHECKS.values():
        if check.variables & {"podspec", "podmeta", "containers"}:
            assert check.types is not None, check.id
            assert check.types <= WORKLOAD_TYPES, check.id
            # probes are judged only for long-running pods; everything else for all kinds
            if check.id not in ids(41, 42):
                assert check.types == WORKLOAD_TYPES, check.id


def test_pod_security_standards_are_covered_in_full() -> None:
    baseline = {
        "HostProcess": 1,
        "Host namespaces (network)": 2,
        "Host namespaces (PID)": 3,
        "Host namespaces (IPC)": 4,
        "Privileged containers": 5,
        "Capabilities": 6,
        "HostPath volumes": 7,
        "Host ports": 8,
        "AppArmor": 9,
        "SELinux type": 10,
        "SELinux user and role": 11,
        "/proc mount type": 12,
        "Seccomp": 13,
        "Sysctls": 14,
        "Probe and lifecycle host": 15,
    }
    restricted = {
        "Volume types": 16,
        "Privilege escalation": 17,
        "Running as non-root": 18,
        "Running as non-root user": 19,
        "Seccomp": 20,
        "Capabilities (drop ALL)": 21,
        "Capabilities (add only NET_BIND_SERVICE)": 22,
    }
    for number in baseline.values():
        assert "PSS baseline" in CHECKS[f"LG-K8S-{number:03d}"].standards
    for number in restricted.values():
        assert "PSS restricted" in CHECKS[f"LG-K8S-{number:03d}"].standards


# ------------------------------------------------------------------ corpus: whole manifests

INSECURE_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: legacy-api
spec:
  replicas: 2
  selector:
    matchLabels: {app: legacy-api}
  template:
    metadata:
      labels: {app: legacy-api}
      annotations:
        container.apparmor.security.beta.kubernetes.io/api: unconfined
    spec:
      hostNetwork: true
      hostPID: true
      securityContext:
        runAsUser: 0
        sysctls:
          - name: kernel.msgmax
            value: "65536"
      initContainers:
        - name: fix-perms
          image: busybox
          command: [sh, -c, "chown -R 0:0 /data"]
          securityContext:
            privileged: true
      containers:
        - name: api
          image: registry.example.com/legacy/api:latest
          ports:
            - containerPort: 8080
              hostPort: 8080
          env:
            - name: LOG_LEVEL
              value: debug
            - name: DB_PASSWORD
              value: s3cr3t-passw0rd
          securityContext:
            allowPrivilegeEscalation: true
            capabilities:
              add: [SYS_ADMIN, NET_ADMIN]
          volumeMounts:
            - {name: docker, mountPath: /var/run/docker.sock}
            - {name: host-etc, mountPath: /host/etc}
      volumes:
        - name: docker
          hostPath: {path: /var/run/docker.sock, type: Socket}
        - name: host-etc
          hostPath: {path: /etc}
"""

HARDENED_APPLICATION = f"""
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.34
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: web, namespace: shop}}
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      serviceAccountName: web
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
        seccompProfile: {{type: RuntimeDefault}}
      initContainers:
        - name: migrate
          image: registry.example.com/shop/web:1.4.2@{DIGEST}
          command: [/app/migrate]
          resources:
            requests: {{cpu: 50m, memory: 64Mi}}
            limits: {{cpu: 200m, memory: 128Mi}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {{drop: [ALL]}}
      containers:
        - name: web
          image: registry.example.com/shop/web:1.4.2@{DIGEST}
          ports:
            - {{containerPort: 8443, name: https}}
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {{name: web-db, key: password}}
            - name: DB_PASSWORD_FILE
              value: /run/secrets/db/password
            - name: LOG_LEVEL
              value: info
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: "1", memory: 256Mi}}
          livenessProbe:
            httpGet: {{path: /healthz, port: https, scheme: HTTPS}}
          readinessProbe:
            httpGet: {{path: /ready, port: https, scheme: HTTPS}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
              add: [NET_BIND_SERVICE]
          volumeMounts:
            - {{name: tmp, mountPath: /tmp}}
            - {{name: db, mountPath: /run/secrets/db, readOnly: true}}
      volumes:
        - name: tmp
          emptyDir: {{medium: Memory, sizeLimit: 64Mi}}
        - name: db
          secret: {{secretName: web-db}}
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: shop}}
spec:
  selector: {{app: web}}
  ports:
    - {{port: 443, targetPort: https}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: web, namespace: shop}}
spec:
  tls:
    - hosts: [shop.example.com]
      secretName: shop-tls
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {{name: web, port: {{number: 443}}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: web-config-reader, namespace: shop}}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    resourceNames: [web-settings]
    verbs: [get, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: web-config-reader, namespace: shop}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: web-config-reader}}
subjects:
  - {{kind: ServiceAccount, name: web, namespace: shop}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: shop-node-metrics}}
rules:
  - apiGroups: [""]
    resources: [nodes, nodes/metrics]
    verbs: [get, list, watch]
"""

CRONJOB = """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: monthly-report
  namespace: billing
spec:
  schedule: "0 3 1 * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          serviceAccountName: report
          automountServiceAccountToken: false
          securityContext:
            runAsNonRoot: true
            seccompProfile: {type: RuntimeDefault}
          containers:
            - name: report
              image: registry.example.com/billing/report:2.0.1
              env:
                - name: SMTP_PASSWORD
                  value: mailpass123
              resources:
                requests: {cpu: 100m, memory: 128Mi}
                limits: {cpu: 500m, memory: 256Mi}
              securityContext:
                allowPrivilegeEscalation: false
                readOnlyRootFilesystem: true
                capabilities: {drop: [ALL]}
"""

RBAC = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ci-deployer}
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops-debug}
rules:
  - apiGroups: [""]
    resources: [pods, pods/log]
    verbs: [get, list]
  - apiGroups: [""]
    resources: [pods/exec]
    verbs: [create]
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list, watch]
  - apiGroups: [""]
    resources: [nodes/proxy]
    verbs: [get]
  - apiGroups: [rbac.authorization.k8s.io]
    resources: [rolebindings]
    verbs: [create, delete]
  - apiGroups: [""]
    resources: [users, groups]
    verbs: [impersonate]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-cluster-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: default, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: shop}
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list, watch]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: shop}
"""

SERVICES = """
apiVersion: v1
kind: Service
metadata: {name: admin}
spec:
  type: NodePort
  selector: {app: admin}
  ports: [{port: 80, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: public, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 443}]
---
apiVersion: v1
kind: Service
metadata: {name: partners, namespace: shop}
spec:
  type: LoadBalancer
  loadBalancerSourceRanges: [203.0.113.0/24]
  selector: {app: web}
  ports: [{port: 443}]
---
apiVersion: v1
kind: Service
metadata: {name: sneaky, namespace: shop}
spec:
  selector: {app: web}
  externalIPs: [192.0.2.10]
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: plain, namespace: shop}
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: web, port: {number: 80}}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
"""


def test_insecure_deployment_fails_exactly_the_expected_checks() -> None:
    (deployment,) = documents(INSECURE_DEPLOYMENT)
    assert failing(deployment) == ids(
        2,  # hostNetwork
        3,  # hostPID
        5,  # privileged init container
        6,  # SYS_ADMIN, NET_ADMIN outside the baseline set
        7,  # hostPath volumes
        8,  # hostPort 8080
        9,  # AppArmor unconfined annotation
        14,  # kernel.msgmax sysctl
        17,  # allowPrivilegeEscalation true / unset
        18,  # runAsNonRoot never set
        19,  # runAsUser 0
        20,  # no seccomp profile
        21,  # capabilities not dropped
        23,  # busybox (no tag) and :latest
        24,  # no digest
        25,  # no limits
        26,  # no requests
        27,  # writable root file system
        28,  # DB_PASSWORD literal
        29,  # token automounted
        31,  # default service account
        38,  # no namespace
        41,  # no liveness probe
        42,  # no readiness probe
        44,  # docker.sock
        45,  # SYS_ADMIN
        46,  # /etc from the host
    )


def test_hardened_application_passes_every_check() -> None:
    docs = documents(HARDENED_APPLICATION)
    assert {d["kind"] for d in docs} == {
        "Namespace",
        "ServiceAccount",
        "Deployment",
        "Service",
        "Ingress",
        "Role",
        "RoleBinding",
        "ClusterRole",
    }
    evaluated: set[str] = set()
    for doc in docs:
        verdicts = outcomes(doc)
        evaluated |= set(verdicts)
        assert all(v is Verdict.PASS for v in verdicts.values()), (doc["kind"], verdicts)
    assert evaluated == set(CHECKS), "every check must have been applied to something"


def test_hardened_deployment_turned_windows_keeps_its_linux_only_exemptions() -> None:
    deployment = next(d for d in documents(HARDENED_APPLICATION) if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    pod["os"] = {"name": "windows"}
    del pod["securityContext"]["seccompProfile"]
    for container in pod["initContainers"] + pod["containers"]:
        del container["securityContext"]["capabilities"]
        del container["securityContext"]["allowPrivilegeEscalation"]
    assert failing(deployment) == set()


def test_cronjob_reports_its_literal_secret_and_mutable_image_only() -> None:
    (cronjob,) = documents(CRONJOB)
    assert failing(cronjob) == ids(24, 28)
    # batch pods are not judged on liveness/readiness probes
    assert not ids(41, 42) & set(outcomes(cronjob))


def test_rbac_objects() -> None:
    by_name = {d["metadata"]["name"]: failing(d) for d in documents(RBAC)}
    assert by_name == {
        "ci-deployer": ids(32),
        "ops-debug": ids(33, 34, 35, 36, 50),
        "ci-cluster-admin": ids(37, 48),
        "pod-reader": set(),
        "default": ids(30),
    }


def test_services_ingress_and_namespace() -> None:
    by_name = {d["metadata"]["name"]: failing(d) for d in documents(SERVICES)}
    assert by_name == {
        "admin": ids(38, 39),
        "public": ids(40),
        "partners": set(),
        "sneaky": ids(49),
        "plain": ids(43),
        "legacy": ids(51),
    }


def test_container_setting_overrides_the_pod_setting() -> None:
    (deployment,) = documents(INSECURE_DEPLOYMENT)
    pod = deployment["spec"]["template"]["spec"]
    pod["securityContext"] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    assert not ids(18, 19, 20) & failing(deployment)
    pod["containers"][0]["securityContext"]["runAsNonRoot"] = False
    pod["initContainers"][0]["securityContext"]["seccompProfile"] = {"type": "Unconfined"}
    assert ids(13, 18) <= failing(deployment)
    assert not ids(20) & failing(deployment)  # Unconfined is reported once, by LG-K8S-013


# ------------------------------------------------------------------ Kubernetes Goat


def goat(scenario: str, kind: str) -> dict[str, Any]:
    path = shared_dataset("iac", "kubernetes-goat", "scenarios", scenario)
    matches = [d for d in documents(path.read_text(encoding="utf-8")) if d.get("kind") == kind]
    assert len(matches) == 1, (scenario, kind)
    return matches[0]


def test_goat_system_monitor_escapes_to_the_host() -> None:
    deployment = goat("system-monitor/deployment.yaml", "Deployment")
    assert ids(3, 4, 5, 7, 17, 38, 46) <= failing(deployment)  # hostPID, hostIPC, privileged, /


def test_goat_health_check_mounts_the_containerd_socket() -> None:
    deployment = goat("health-check/deployment.yaml", "Deployment")
    assert ids(5, 7, 44) <= failing(deployment)


def test_goat_docker_bench_daemonset() -> None:
    daemonset = goat("docker-bench-security/deployment.yaml", "DaemonSet")
    assert ids(2, 3, 4, 5, 6, 7, 19, 44, 46) <= failing(daemonset)


def test_goat_insecure_rbac_binds_cluster_admin() -> None:
    binding = goat("insecure-rbac/setup.yaml", "ClusterRoleBinding")
    assert failing(binding) == ids(37)


def test_goat_hunger_check_role_uses_wildcard_resources() -> None:
    role = goat("hunger-check/deployment.yaml", "Role")
    assert failing(role) == ids(32)


def test_goat_scenarios_never_error() -> None:
    root = shared_dataset("iac", "kubernetes-goat", "scenarios")
    count = 0
    for path in sorted(root.rglob("*.yaml")):
        if "templates" in path.parts or path.name in {"Chart.yaml", "values.yaml"}:
            continue
        for doc in documents(path.read_text(encoding="utf-8")):
            if "kind" in doc:
                failing(doc)  # asserts every verdict is PASS or FAIL
                count += 1
    assert count >= 20


# ------------------------------------------------------------------ malformed manifests


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@pytest.mark.parametrize("replacement", [None, "text", 0, True, [], {}, ["*"]])
def test_null_or_mistyped_fields_never_make_a_check_error(replacement: object) -> None:
    """An empty ``securityContext:`` or a list where a map belongs is common in hand-written
    YAML; every check must still give a verdict instead of an evaluation error."""
    sources = [
        *documents(INSECURE_DEPLOYMENT),
        *documents(HARDENED_APPLICATION),
        *documents(RBAC),
        *documents(SERVICES),
    ]
    for source in sources:
        for path in _paths(source):
            if path == ("kind",):
                continue
            mutated = copy.deepcopy(source)
            node: Any = mutated
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = copy.deepcopy(replacement)
            for check_id, verdict in outcomes(mutated).items():
                assert verdict in (Verdict.FAIL, Verdict.PASS), (check_id, path, verdict)
