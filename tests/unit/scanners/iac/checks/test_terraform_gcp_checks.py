"""The built-in Google Cloud Terraform checks (``checks/terraform_gcp.yaml``) as users meet
them: every check's own examples, an insecure project and its hardened twin read by the real
Terraform parser with the exact findings per resource, firewall sources and ports, plan JSON,
and values that cannot be known statically."""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from lockgate.scanners.iac.checks import BUILTIN_DIR, Check, load_check_files
from lockgate.scanners.iac.engine import CheckEngine, Verdict
from lockgate.scanners.iac.parsers import terraform
from lockgate.scanners.iac.resources import Resource
from tests.unit.scanners.iac.checks._support import failing_of, verdicts_of

CHECK_FILE = BUILTIN_DIR / "terraform_gcp.yaml"
CHECKS: dict[str, Check] = load_check_files([CHECK_FILE]).by_id()
ENGINE = CheckEngine(tuple(CHECKS.values()))
verdicts = partial(verdicts_of, ENGINE)
failing = partial(failing_of, ENGINE)


def ids(*numbers: int) -> set[str]:
    return {f"LG-TFGCP-{n:03d}" for n in numbers}


def resources(tmp_path: Path, text: str, name: str = "main.tf") -> dict[str, Resource]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = terraform.parse(tmp_path, [name])
    assert not result.errors, result.errors
    return {r.address: r for r in result.resources}


def findings(tmp_path: Path, text: str) -> dict[str, set[str]]:
    return {address: failing(r) for address, r in resources(tmp_path, text).items()}


def firewall(data: dict[str, Any]) -> Resource:
    return Resource(
        kind="terraform",
        type="google_compute_firewall",
        address="google_compute_firewall.x",
        path="main.tf",
        start_line=1,
        end_line=1,
        data={"name": "x", "network": "vpc", **data},
    )


# ------------------------------------------------------------------ the check file itself


def test_file_holds_17_checks_numbered_without_gaps() -> None:
    assert sorted(CHECKS) == [f"LG-TFGCP-{n:03d}" for n in range(1, 18)]
    for check in CHECKS.values():
        assert check.kind == "terraform" and check.types, check.id
        assert all(t.startswith("google_") for t in check.types), check.id


def test_every_check_documents_itself_for_migrating_users() -> None:
    titles = [c.title for c in CHECKS.values()]
    assert len(set(titles)) == len(titles), "two checks share a title"
    for check in CHECKS.values():
        assert len(check.description) > 80, check.id
        assert check.remediation and check.references, check.id
        assert all(r.startswith("https://") for r in check.references), check.id
        assert all(re.fullmatch(r"CKV2?_GCP_\d+", a) for a in check.aliases["checkov"]), check.id
        assert all(re.fullmatch(r"AVD-GCP-\d{4}", a) for a in check.aliases["trivy"]), check.id


# ------------------------------------------------------------------ corpus: a whole project

INSECURE = """\
resource "google_storage_bucket" "assets" {
  name     = "acme-assets"
  location = "EU"
}

resource "google_storage_bucket_iam_member" "public" {
  bucket = google_storage_bucket.assets.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_compute_firewall" "ssh" {
  name    = "allow-ssh"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = ["0.0.0.0/0"]
}

resource "google_compute_firewall" "rdp" {
  name    = "allow-rdp"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["3389"]
  }
}

resource "google_compute_firewall" "all" {
  name          = "allow-all"
  network       = "default"
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "all"
  }
}

resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = "POSTGRES_16"
  region           = "europe-west1"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ipv4_enabled = true
      authorized_networks {
        name  = "everyone"
        value = "0.0.0.0/0"
      }
    }
  }
}

resource "google_container_cluster" "gke" {
  name               = "gke"
  location           = "europe-west1"
  initial_node_count = 1
  enable_legacy_abac = true
  master_auth {
    client_certificate_config {
      issue_client_certificate = true
    }
  }
  node_config {
    machine_type = "e2-standard-4"
    metadata = {
      disable-legacy-endpoints = "false"
    }
  }
}

resource "google_service_account" "ci" {
  account_id = "ci"
}

resource "google_service_account_key" "ci" {
  service_account_id = google_service_account.ci.name
}

resource "google_compute_instance" "web" {
  name         = "web"
  machine_type = "e2-small"
  zone         = "europe-west1-b"
  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
  network_interface {
    network = "default"
  }
  metadata = {
    serial-port-enable = "true"
    enable-oslogin     = "FALSE"
  }
  service_account {
    scopes = ["cloud-platform"]
  }
}
"""

HARDENED = """\
resource "google_storage_bucket" "assets" {
  name                        = "acme-assets"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
}

resource "google_storage_bucket_iam_member" "reader" {
  bucket = google_storage_bucket.assets.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:web@acme.iam.gserviceaccount.com"
}

resource "google_compute_firewall" "ssh_iap" {
  name    = "allow-ssh-iap"
  network = "vpc"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = ["35.235.240.0/20"]
}

resource "google_compute_firewall" "web" {
  name          = "allow-web"
  network       = "vpc"
  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["web"]
  allow {
    protocol = "tcp"
    ports    = ["80", "443"]
  }
}

resource "google_sql_database_instance" "db" {
  name             = "db"
  database_version = "POSTGRES_16"
  region           = "europe-west1"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ipv4_enabled    = false
      private_network = "projects/acme/global/networks/vpc"
      ssl_mode        = "ENCRYPTED_ONLY"
    }
  }
}

resource "google_container_cluster" "gke" {
  name               = "gke"
  location           = "europe-west1"
  initial_node_count = 1
  datapath_provider  = "ADVANCED_DATAPATH"
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.0/28"
  }
  master_authorized_networks_config {
    cidr_blocks {
      cidr_block   = "203.0.113.0/24"
      display_name = "office"
    }
  }
}

resource "google_compute_instance" "web" {
  name         = "web"
  machine_type = "e2-small"
  zone         = "europe-west1-b"
  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
  network_interface {
    network = "vpc"
  }
  metadata = {
    enable-oslogin = "TRUE"
  }
  service_account {
    email  = "web@acme.iam.gserviceaccount.com"
    scopes = ["cloud-platform"]
  }
}
"""


def test_insecure_project_gives_the_exact_findings_per_resource(tmp_path: Path) -> None:
    assert findings(tmp_path, INSECURE) == {
        "google_storage_bucket.assets": ids(2),
        "google_storage_bucket_iam_member.public": ids(1),
        "google_compute_firewall.ssh": ids(3),
        "google_compute_firewall.rdp": ids(4),
        "google_compute_firewall.all": ids(5),
        "google_sql_database_instance.db": ids(6, 7),
        "google_container_cluster.gke": ids(8, 9, 10, 11, 16, 17),
        "google_service_account.ci": set(),
        "google_service_account_key.ci": ids(12),
        "google_compute_instance.web": ids(13, 14, 15),
    }


def test_hardened_project_passes_every_check(tmp_path: Path) -> None:
    found = findings(tmp_path, HARDENED)
    assert len(found) == 7
    assert all(not ids_ for ids_ in found.values()), found


def test_plan_json_values_are_checked_like_configuration(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.8.5",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "google_compute_firewall.ssh",
                        "mode": "managed",
                        "type": "google_compute_firewall",
                        "name": "ssh",
                        "values": {
                            "name": "ssh",
                            "direction": "INGRESS",
                            "disabled": False,
                            "source_ranges": ["0.0.0.0/0"],
                            "source_tags": None,
                            "source_service_accounts": None,
                            "allow": [{"protocol": "tcp", "ports": ["22"]}],
                        },
                    }
                ]
            }
        },
        "resource_changes": [],
    }
    found = resources(tmp_path, json.dumps(plan), name="plan.json")
    assert failing(found["google_compute_firewall.ssh"]) == ids(3)


# ------------------------------------------------------------------ firewall sources and ports


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["20-25"]}]},
            ids(3),
        ),
        ({"source_ranges": ["::/0"], "allow": [{"protocol": "tcp", "ports": ["3389"]}]}, ids(4)),
        ({"allow": [{"protocol": "tcp", "ports": ["22", "3389"]}]}, ids(3, 4)),
        ({"source_ranges": [], "allow": [{"protocol": "udp"}]}, ids(5)),
        (
            {"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["1-65535"]}]},
            ids(5),
        ),
        ({"source_tags": ["bastion"], "allow": [{"protocol": "tcp", "ports": ["22"]}]}, set()),
        (
            {
                "source_service_accounts": ["b@p.iam.gserviceaccount.com"],
                "allow": [{"protocol": "all"}],
            },
            set(),
        ),
        ({"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "udp", "ports": ["22"]}]}, set()),
        ({"source_ranges": ["0.0.0.0/0"], "deny": [{"protocol": "all"}]}, set()),
        (
            {"source_ranges": ["0.0.0.0/0"], "direction": "EGRESS", "allow": [{"protocol": "all"}]},
            set(),
        ),
    ],
)
def test_firewall_sources_protocols_and_ports(data: dict[str, Any], expected: set[str]) -> None:
    assert failing(firewall(data)) == expected


# ------------------------------------------------------------------ values not known statically


def test_undeclared_values_are_unknown_not_passed(tmp_path: Path) -> None:
    text = """\
variable "member" {}
resource "google_service_account" "web" {
  account_id = "web"
}
resource "google_storage_bucket_iam_member" "m" {
  bucket = "b"
  role   = "roles/storage.objectViewer"
  member = var.member
}
resource "google_compute_instance" "web" {
  name         = "web"
  machine_type = "e2-small"
  service_account {
    email  = google_service_account.web.email
    scopes = ["cloud-platform"]
  }
}
"""
    found = resources(tmp_path, text)
    assert verdicts(found["google_storage_bucket_iam_member.m"])["LG-TFGCP-001"] is Verdict.UNKNOWN
    # the attached account's email is only known after apply: not reported as default
    instance = verdicts(found["google_compute_instance.web"])
    assert instance["LG-TFGCP-013"] is Verdict.UNKNOWN
    assert instance["LG-TFGCP-014"] is Verdict.PASS


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"settings": "x", "allow": {"protocol": "tcp"}, "metadata": ["a"], "service_account": {}},
        {"settings": [{"ip_configuration": [None, {"authorized_networks": [{"value": 0}]}]}]},
        {"source_ranges": "0.0.0.0/0", "allow": [{"protocol": "tcp", "ports": [22, None]}]},
    ],
)
def test_unusual_shapes_never_make_a_check_error(data: dict[str, Any]) -> None:
    for check in CHECKS.values():
        for type_ in sorted(check.types or ()):
            resource = Resource(
                kind="terraform",
                type=type_,
                address=f"{type_}.x",
                path="main.tf",
                start_line=1,
                end_line=1,
                data=data,
            )
            outcome = CheckEngine([check]).evaluate(resource)[0]
            assert outcome.verdict in (Verdict.PASS, Verdict.FAIL), (check.id, outcome.detail)
