"""The contract between IaC parsers and the check engine.

A parser reads files and returns :class:`ParseResult`: resources of plain data (``dict``,
``list``, ``str``, ``int``, ``float``, ``bool``, ``None`` only — no parser-specific node
types), each with its file, line range and address, plus located errors and skipped items.
Checks (CEL expressions) see these variables for every resource:

``resource``
    The resource's own data (shapes below).
``kind``
    The source format: ``terraform``, ``kubernetes``, ``dockerfile``, ``compose``,
    ``cloudformation``, ``github-actions``, ``gitlab-ci``.
``type``
    The resource type: ``aws_s3_bucket``, ``Deployment``, ``Dockerfile``,
    ``compose_service``, ``AWS::S3::Bucket``, ``github_workflow``, ``gitlab_ci``.
``address``
    Where the resource is, as users name it: ``aws_s3_bucket.data``,
    ``module.net.aws_security_group.web[0]``, ``Deployment/default/web``,
    ``Dockerfile``, ``service/web``, ``LogsBucket`` (CloudFormation logical id),
    ``workflow/ci.yml``, ``gitlab-ci``.
``related``
    Linked resources by type: ``{"aws_s3_bucket_public_access_block": [ {...data...} ]}``
    (Terraform resources that reference this one, CloudFormation resources that ``Ref``
    or ``GetAtt`` it). Empty map when nothing links.
``podspec``, ``podmeta``, ``containers``
    Kubernetes workloads only (empty map / empty list otherwise): the pod template's
    ``spec`` and ``metadata`` wherever the kind keeps them (Pod: ``spec``; Deployment,
    StatefulSet, DaemonSet, ReplicaSet, Job: ``spec.template``; CronJob:
    ``spec.jobTemplate.spec.template``), and every container of the pod — containers,
    initContainers and ephemeralContainers — each with an added ``_type`` key
    (``container``, ``initContainer``, ``ephemeralContainer``).

Shapes of ``resource``:

* Terraform: the block's attributes with variables, locals and references resolved where
  statically known; nested blocks as lists of maps (``versioning: [{enabled: true}]``);
  ``count``/``for_each`` expanded into one resource per instance; a value that cannot be
  known statically is left out and its dotted path listed in :attr:`Resource.unknown`.
  Data sources have type ``data.<type>``. Plan JSON (``terraform show -json``) gives the
  same shape from ``values``.
* Kubernetes: the manifest object as written (``apiVersion``, ``kind``, ``metadata``,
  ``spec``, …), after Kustomize or Helm rendering where applicable.
* Dockerfile: ``{"stages": [{"name", "base", "image", "tag", "digest", "platform",
  "instructions": [...]}], "instructions": [...all...], "final_stage": {...}}``; each
  instruction ``{"instruction": "RUN", "value": "apt-get …", "line": 12, "stage": 0,
  "flags": ["--chown=…"], "args": [...]}`` (``args`` split for JSON/exec form and for
  ``ENV``/``ARG``/``LABEL`` key-value pairs as ``{"key", "value"}`` maps).
* docker-compose: one resource per service, the service map as written (``image``,
  ``privileged``, ``volumes`` (short strings and long maps), ``network_mode``, ``pid``,
  ``ports``, ``environment`` (lists normalised to a map), ``cap_add``, ``security_opt``…).
* CloudFormation: ``{"Type", "Properties", "Condition", "DependsOn", …}`` with short-form
  tags turned into their long form (``!Ref X`` -> ``{"Ref": "X"}``, ``!Sub`` ->
  ``{"Fn::Sub": …}``); SAM resources as written (``AWS::Serverless::Function``).
* Dockerfile, further keys: stages carry ``index``, ``line`` and ``base_is_stage``;
  instructions ``end_line``, ``json`` (exec form) and ``heredocs``; global ``ARG``
  instructions before the first ``FROM`` have ``stage: -1``.
* GitHub Actions: the workflow as written, except the YAML key ``on`` (read by YAML 1.1 as
  ``true``) kept as ``"on"``; ``on`` normalised to a map (a string or list becomes
  ``{event: null}``); plus ``_steps``: every step of every job as ``{"job", "index",
  "name", "uses", "run", "with", "env", "line"}`` (jobs calling a reusable workflow have no
  steps: read them from ``jobs``).
* GitLab CI: the whole ``.gitlab-ci.yml`` document, plus ``_jobs`` and ``_templates``
  (hidden ``.name`` jobs): each job's map with ``name`` and ``line`` added, ``extends``
  resolved one level for ``image`` and ``variables``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lockgate.model import ControlError, SkippedItem

KINDS = (
    "terraform",
    "kubernetes",
    "dockerfile",
    "compose",
    "cloudformation",
    "github-actions",
    "gitlab-ci",
)

#: Bounds every parser enforces on untrusted documents.
MAX_DEPTH = 100
MAX_YAML_ALIASES = 1000
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, kw_only=True, slots=True)
class Suppression:
    """An inline ``# lockgate:ignore=LG-XXX <reason>`` on the resource or one of its lines."""

    check_id: str  # "LG-K8S-001" or "*" for every check
    reason: str
    line: int


@dataclass(frozen=True, kw_only=True)
class Resource:
    """One resource of one file, as checks see it."""

    kind: str
    type: str
    address: str
    path: str  # POSIX, relative to the target root
    start_line: int
    end_line: int
    data: Mapping[str, Any]
    related: Mapping[str, list[Any]] = field(default_factory=dict)
    unknown: frozenset[str] = frozenset()
    """Dotted attribute paths whose values could not be known statically."""
    suppressions: tuple[Suppression, ...] = ()
    module: str | None = None
    """Terraform: the module call path (``module.net``) or None at the root; Kustomize or
    Helm: the overlay or chart directory the resource was rendered from."""
    source_path: str | None = None
    """The file the resource is defined in when it differs from ``path`` (a module file,
    a Kustomize base, a Helm template)."""


@dataclass(frozen=True, kw_only=True)
class ParseResult:
    """What a parser made of its files: resources, located errors, skipped inputs."""

    resources: tuple[Resource, ...] = ()
    errors: tuple[ControlError, ...] = ()
    skipped: tuple[SkippedItem, ...] = ()
