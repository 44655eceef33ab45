"""The built-in Azure Terraform checks (``checks/terraform_azure.yaml``) as users meet them:
every check's own examples, an insecure Azure estate and its hardened twin read by the real
Terraform parser with the exact findings per resource (linked resources such as network
rules and auditing policies included), network security rules in both forms, and values
that cannot be known statically."""

from __future__ import annotations

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

CHECK_FILE = BUILTIN_DIR / "terraform_azure.yaml"
CHECKS: dict[str, Check] = load_check_files([CHECK_FILE]).by_id()
ENGINE = CheckEngine(tuple(CHECKS.values()))
verdicts = partial(verdicts_of, ENGINE)
failing = partial(failing_of, ENGINE)


def ids(*numbers: int) -> set[str]:
    return {f"LG-TFAZ-{n:03d}" for n in numbers}


def resources(tmp_path: Path, text: str) -> dict[str, Resource]:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    result = terraform.parse(tmp_path, ["main.tf"])
    assert not result.errors, result.errors
    return {r.address: r for r in result.resources}


def findings(tmp_path: Path, text: str) -> dict[str, set[str]]:
    return {address: failing(r) for address, r in resources(tmp_path, text).items()}


def one(data: dict[str, Any], type_: str) -> Resource:
    return Resource(
        kind="terraform",
        type=type_,
        address=f"{type_}.x",
        path="main.tf",
        start_line=1,
        end_line=1,
        data=data,
    )


# ------------------------------------------------------------------ the check file itself


def test_file_holds_19_checks_numbered_without_gaps() -> None:
    assert sorted(CHECKS) == [f"LG-TFAZ-{n:03d}" for n in range(1, 20)]
    for check in CHECKS.values():
        assert check.kind == "terraform" and check.types, check.id
        assert all(t.startswith("azurerm_") for t in check.types), check.id


def test_every_check_documents_itself_for_migrating_users() -> None:
    titles = [c.title for c in CHECKS.values()]
    assert len(set(titles)) == len(titles), "two checks share a title"
    for check in CHECKS.values():
        assert len(check.description) > 80, check.id
        assert check.remediation and check.references, check.id
        assert all(r.startswith("https://") for r in check.references), check.id
        assert all(re.fullmatch(r"CKV2?_AZURE_\d+", a) for a in check.aliases["checkov"]), check.id
        assert all(re.fullmatch(r"AVD-AZU-\d{4}", a) for a in check.aliases["trivy"]), check.id


# ------------------------------------------------------------------ corpus: a whole estate

INSECURE = """\
variable "admin_cidr" {
  default = "*"
}

resource "azurerm_storage_account" "data" {
  name                      = "stdata"
  resource_group_name       = "rg"
  location                  = "westeurope"
  account_tier              = "Standard"
  account_replication_type  = "LRS"
  enable_https_traffic_only = false
  min_tls_version           = "TLS1_0"
}

resource "azurerm_storage_container" "uploads" {
  name                  = "uploads"
  storage_account_name  = azurerm_storage_account.data.name
  container_access_type = "container"
}

resource "azurerm_network_security_group" "web" {
  name                = "nsg-web"
  location            = "westeurope"
  resource_group_name = "rg"

  security_rule {
    name                       = "ssh"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefix      = var.admin_cidr
    destination_address_prefix = "*"
  }
}

resource "azurerm_network_security_rule" "rdp" {
  name                        = "rdp"
  priority                    = 110
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_ranges     = ["3380-3400"]
  source_address_prefix       = "Internet"
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = azurerm_network_security_group.web.name
}

resource "azurerm_network_security_rule" "any" {
  name                        = "any"
  priority                    = 120
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "*"
  source_address_prefix       = "0.0.0.0/0"
  destination_address_prefix  = "*"
  resource_group_name         = "rg"
  network_security_group_name = azurerm_network_security_group.web.name
}

resource "azurerm_key_vault" "kv" {
  name                = "kv-app"
  location            = "westeurope"
  resource_group_name = "rg"
  tenant_id           = "00000000-0000-0000-0000-000000000000"
  sku_name            = "standard"
  soft_delete_enabled = false
}

resource "azurerm_mssql_server" "sql" {
  name                         = "sql-app"
  resource_group_name          = "rg"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = "P4ssw0rd!"
}

resource "azurerm_mssql_database" "db" {
  name                                = "dw"
  server_id                           = azurerm_mssql_server.sql.id
  sku_name                            = "DW100c"
  transparent_data_encryption_enabled = false
}

resource "azurerm_mssql_firewall_rule" "all" {
  name             = "all"
  server_id        = azurerm_mssql_server.sql.id
  start_ip_address = "0.0.0.0"
  end_ip_address   = "255.255.255.255"
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                              = "aks"
  location                          = "westeurope"
  resource_group_name               = "rg"
  dns_prefix                        = "aks"
  role_based_access_control_enabled = false

  default_node_pool {
    name       = "default"
    node_count = 1
    vm_size    = "Standard_D2_v2"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_linux_web_app" "web" {
  name                = "web"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "plan"

  site_config {
    minimum_tls_version = "1.1"
  }
}
"""

HARDENED = """\
resource "azurerm_storage_account" "data" {
  name                            = "stdata"
  resource_group_name             = "rg"
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  https_traffic_only_enabled      = true
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
}

resource "azurerm_storage_account_network_rules" "data" {
  storage_account_id = azurerm_storage_account.data.id
  default_action     = "Deny"
  ip_rules           = ["203.0.113.0/24"]
  bypass             = ["AzureServices"]
}

resource "azurerm_storage_container" "uploads" {
  name                  = "uploads"
  storage_account_name  = azurerm_storage_account.data.name
  container_access_type = "private"
}

resource "azurerm_network_security_group" "web" {
  name                = "nsg-web"
  location            = "westeurope"
  resource_group_name = "rg"

  security_rule {
    name                       = "https"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }

  security_rule {
    name                       = "ssh-admin"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefix      = "10.20.0.0/16"
    destination_address_prefix = "*"
  }
}

resource "azurerm_key_vault" "kv" {
  name                       = "kv-app"
  location                   = "westeurope"
  resource_group_name        = "rg"
  tenant_id                  = "00000000-0000-0000-0000-000000000000"
  sku_name                   = "standard"
  purge_protection_enabled   = true
  soft_delete_retention_days = 90

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
    ip_rules       = ["203.0.113.10/32"]
  }
}

resource "azurerm_mssql_server" "sql" {
  name                          = "sql-app"
  resource_group_name           = "rg"
  location                      = "westeurope"
  version                       = "12.0"
  minimum_tls_version           = "1.2"
  public_network_access_enabled = false

  azuread_administrator {
    login_username              = "sql-admins"
    object_id                   = "11111111-1111-1111-1111-111111111111"
    azuread_authentication_only = true
  }
}

resource "azurerm_mssql_server_extended_auditing_policy" "sql" {
  server_id              = azurerm_mssql_server.sql.id
  log_monitoring_enabled = true
  retention_in_days      = 90
}

resource "azurerm_mssql_database" "db" {
  name      = "app"
  server_id = azurerm_mssql_server.sql.id
  sku_name  = "S0"
}

resource "azurerm_mssql_firewall_rule" "office" {
  name             = "office"
  server_id        = azurerm_mssql_server.sql.id
  start_ip_address = "203.0.113.0"
  end_ip_address   = "203.0.113.255"
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                    = "aks"
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = "aks"
  private_cluster_enabled = true

  default_node_pool {
    name       = "default"
    node_count = 3
    vm_size    = "Standard_D4s_v5"
  }

  network_profile {
    network_plugin = "azure"
    network_policy = "azure"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_linux_web_app" "web" {
  name                = "web"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "plan"
  https_only          = true

  site_config {
    minimum_tls_version     = "1.2"
    scm_minimum_tls_version = "1.2"
  }
}
"""


def test_insecure_estate_gives_the_exact_findings_per_resource(tmp_path: Path) -> None:
    assert findings(tmp_path, INSECURE) == {
        "azurerm_storage_account.data": ids(1, 2, 3, 5),
        "azurerm_storage_container.uploads": ids(4),
        "azurerm_network_security_group.web": ids(6),
        "azurerm_network_security_rule.rdp": ids(7),
        "azurerm_network_security_rule.any": ids(8),
        "azurerm_key_vault.kv": ids(9, 10, 11),
        "azurerm_mssql_server.sql": ids(12),
        "azurerm_mssql_database.db": ids(13),
        "azurerm_mssql_firewall_rule.all": ids(14),
        "azurerm_kubernetes_cluster.aks": ids(15, 16, 17),
        "azurerm_linux_web_app.web": ids(18, 19),
    }


def test_hardened_estate_passes_every_check(tmp_path: Path) -> None:
    found = findings(tmp_path, HARDENED)
    assert len(found) == 11
    assert all(not ids_ for ids_ in found.values()), found


ACCOUNT_AND_SERVER = """\
resource "azurerm_storage_account" "data" {
  name                            = "stdata"
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  allow_nested_items_to_be_public = false
}
resource "azurerm_mssql_server" "sql" {
  name    = "sql-app"
  version = "12.0"
}
"""

LINKED = """\
resource "azurerm_storage_account_network_rules" "data" {
  storage_account_id = azurerm_storage_account.data.id
  default_action     = "Deny"
}
resource "azurerm_mssql_server_extended_auditing_policy" "sql" {
  server_id         = azurerm_mssql_server.sql.id
  retention_in_days = 90
}
"""


@pytest.mark.parametrize(
    ("linked", "account", "server"), [(False, ids(5), ids(12)), (True, set(), set())]
)
def test_linked_resources_satisfy_the_account_and_server_checks(
    tmp_path: Path, linked: bool, account: set[str], server: set[str]
) -> None:
    found = findings(tmp_path, ACCOUNT_AND_SERVER + (LINKED if linked else ""))
    assert found["azurerm_storage_account.data"] == account
    assert found["azurerm_mssql_server.sql"] == server


# ------------------------------------------------------------------ network security rules


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"destination_port_range": "22", "source_address_prefix": "*"}, ids(6)),
        ({"destination_port_range": "10-30", "source_address_prefix": "Internet"}, ids(6)),
        ({"destination_port_range": 22, "source_address_prefix": "any"}, ids(6)),
        (
            {"destination_port_ranges": ["3389", "443"], "source_address_prefixes": ["0.0.0.0/0"]},
            ids(7),
        ),
        ({"destination_port_range": "1-65535", "source_address_prefix": "*"}, ids(8)),
        ({"destination_port_range": "1-10000", "source_address_prefix": "0.0.0.0"}, ids(6, 7)),  # noqa: S104
        ({"destination_port_range": "22", "source_address_prefix": "VirtualNetwork"}, set()),
        ({"destination_port_range": "2222", "source_address_prefix": "*"}, set()),
        ({"destination_port_range": "23-3388", "source_address_prefix": "*"}, set()),
    ],
)
def test_inbound_rules_open_to_the_internet(rule: dict[str, Any], expected: set[str]) -> None:
    data = {"name": "r", "direction": "Inbound", "access": "Allow", "protocol": "Tcp", **rule}
    assert failing(one(data, "azurerm_network_security_rule")) == expected


def test_rules_inside_a_security_group_are_each_read() -> None:
    group = {
        "name": "nsg",
        "security_rule": [
            {
                "direction": "Outbound",
                "access": "Allow",
                "protocol": "*",
                "destination_port_range": "*",
                "source_address_prefix": "*",
            },
            {
                "direction": "Inbound",
                "access": "Deny",
                "protocol": "*",
                "destination_port_range": "*",
                "source_address_prefix": "*",
            },
            {
                "direction": "Inbound",
                "access": "Allow",
                "protocol": "Tcp",
                "destination_port_range": "3389",
                "source_address_prefix": "Internet",
            },
        ],
    }
    assert failing(one(group, "azurerm_network_security_group")) == ids(7)


# ------------------------------------------------------------------ values not known statically


def test_undeclared_values_are_unknown_not_passed(tmp_path: Path) -> None:
    text = """\
variable "purge" {}
variable "source" {}
resource "azurerm_key_vault" "kv" {
  name                     = "kv"
  sku_name                 = "standard"
  tenant_id                = "t"
  purge_protection_enabled = var.purge
  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}
resource "azurerm_network_security_rule" "ssh" {
  name                   = "ssh"
  direction              = "Inbound"
  access                 = "Allow"
  protocol               = "Tcp"
  destination_port_range = "22"
  source_address_prefix  = var.source
}
"""
    found = resources(tmp_path, text)
    kv = verdicts(found["azurerm_key_vault.kv"])
    assert kv["LG-TFAZ-009"] is Verdict.UNKNOWN
    assert kv["LG-TFAZ-011"] is Verdict.PASS
    assert verdicts(found["azurerm_network_security_rule.ssh"])["LG-TFAZ-006"] is Verdict.UNKNOWN


@pytest.mark.parametrize(
    "data",
    [
        {},
        {
            "security_rule": "dynamic",
            "network_rules": {"default_action": "Deny"},
            "site_config": "x",
        },
        {"security_rule": [None, {"direction": 1, "access": ["Allow"]}], "network_profile": [None]},
    ],
)
def test_unusual_shapes_never_make_a_check_error(data: dict[str, Any]) -> None:
    for check in CHECKS.values():
        for type_ in sorted(check.types or ()):
            outcome = next(o for o in CheckEngine([check]).evaluate(one(data, type_)))
            assert outcome.verdict in (Verdict.PASS, Verdict.FAIL), (check.id, outcome.detail)
