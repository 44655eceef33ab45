"""Components from other tools' reports: their package URL, ecosystem and manifest.

A report's own purl is used when it has one. Otherwise the purl is built from the package
type the tool names: the language ecosystems lockgate knows go through
:func:`lockgate.inventory.purl.purl_for` (so names are normalised exactly as lockgate's own
inventory does), operating-system packages become ``apk``/``deb``/``rpm`` purls with their
distribution as namespace, and anything else a ``pkg:generic`` purl.
"""

from __future__ import annotations

from lockgate.inventory.purl import ECOSYSTEM_OF_TYPE, PURL_TYPES, purl_for
from lockgate.model import Component, Location
from lockgate.model.ecosystems import (
    CRATES_IO,
    GO,
    HEX,
    MAVEN,
    NPM,
    NUGET,
    PACKAGIST,
    PUB,
    PYPI,
    RUBYGEMS,
)

#: Package types of Trivy, Grype and Snyk -> OSV ecosystem.
LANGUAGE_TYPES = {
    # Trivy (Result.Type)
    "pip": PYPI,
    "pipenv": PYPI,
    "poetry": PYPI,
    "python-pkg": PYPI,
    "uv": PYPI,
    "npm": NPM,
    "yarn": NPM,
    "pnpm": NPM,
    "bun": NPM,
    "node-pkg": NPM,
    "gomod": GO,
    "gobinary": GO,
    "cargo": CRATES_IO,
    "rustbinary": CRATES_IO,
    "rust-binary": CRATES_IO,
    "composer": PACKAGIST,
    "composer-vendor": PACKAGIST,
    "jar": MAVEN,
    "pom": MAVEN,
    "gradle": MAVEN,
    "sbt": MAVEN,
    "nuget": NUGET,
    "dotnet-core": NUGET,
    "packages-props": NUGET,
    "bundler": RUBYGEMS,
    "gemspec": RUBYGEMS,
    "pub": PUB,
    "hex": HEX,
    # Grype (artifact.type)
    "python": PYPI,
    "go-module": GO,
    "rust-crate": CRATES_IO,
    "java-archive": MAVEN,
    "gem": RUBYGEMS,
    "php-composer": PACKAGIST,
    "dotnet": NUGET,
    "dart-pub": PUB,
    # Snyk (packageManager)
    "maven": MAVEN,
    "rubygems": RUBYGEMS,
    "paket": NUGET,
    "gomodules": GO,
    "golangdep": GO,
    "govendor": GO,
}

#: Operating-system package types and distributions -> (purl type, namespace).
OS_TYPES = {
    "alpine": ("apk", "alpine"),
    "wolfi": ("apk", "wolfi"),
    "chainguard": ("apk", "chainguard"),
    "apk": ("apk", "alpine"),
    "debian": ("deb", "debian"),
    "ubuntu": ("deb", "ubuntu"),
    "deb": ("deb", "debian"),
    "redhat": ("rpm", "redhat"),
    "red hat": ("rpm", "redhat"),
    "rhel": ("rpm", "redhat"),
    "centos": ("rpm", "centos"),
    "rocky": ("rpm", "rocky"),
    "rocky linux": ("rpm", "rocky"),
    "alma": ("rpm", "almalinux"),
    "almalinux": ("rpm", "almalinux"),
    "amazon": ("rpm", "amazon"),
    "oracle": ("rpm", "oracle"),
    "photon": ("rpm", "photon"),
    "photon os": ("rpm", "photon"),
    "fedora": ("rpm", "fedora"),
    "suse linux enterprise server": ("rpm", "suse"),
    "sles": ("rpm", "suse"),
    "suse": ("rpm", "suse"),
    "opensuse": ("rpm", "opensuse"),
    "opensuse.leap": ("rpm", "opensuse"),
    "opensuse.tumbleweed": ("rpm", "opensuse"),
    "cbl-mariner": ("rpm", "mariner"),
    "azurelinux": ("rpm", "azurelinux"),
    "rpm": ("rpm", "redhat"),
}

#: Where an operating system keeps its package database (the "manifest" of OS packages).
OS_DATABASES = {"apk": "lib/apk/db/installed", "deb": "var/lib/dpkg/status", "rpm": "var/lib/rpm"}


def ecosystem_of(package_type: str | None) -> str | None:
    """The OSV ecosystem of a tool's package type, or None (OS packages, unknown types)."""
    if not package_type:
        return None
    key = package_type.strip()
    if key in PURL_TYPES:
        return key
    return LANGUAGE_TYPES.get(key.lower())


def os_type(distribution: str | None) -> tuple[str, str] | None:
    """``(purl type, namespace)`` of an OS distribution or package type (``Debian:11``,
    ``alpine``, ``deb``), or None."""
    if not distribution:
        return None
    key = distribution.split(":", 1)[0].strip().lower()
    return OS_TYPES.get(key)


def _other_purl(purl_type: str, namespace: str | None, name: str, version: str | None) -> str:
    from packageurl import PackageURL

    return str(PackageURL(type=purl_type, namespace=namespace, name=name, version=version or None))


def package_purl(package_type: str | None, name: str, version: str | None) -> str:
    """The purl of a package a tool names by type (``npm``, ``pip``, ``Debian:11``, …)."""
    ecosystem = ecosystem_of(package_type)
    if ecosystem is not None:
        try:
            return purl_for(ecosystem, name, version)
        except ValueError:
            pass
    distro = os_type(package_type)
    if distro is not None:
        return _other_purl(distro[0], distro[1], name, version)
    return _other_purl("generic", None, name, version)


def purl_ecosystem(purl: str) -> str | None:
    """The OSV ecosystem of a purl's type (``pkg:pypi/…`` -> ``PyPI``), or None."""
    if not purl.startswith("pkg:"):
        return None
    purl_type = purl[4:].split("/", 1)[0].lower()
    return ECOSYSTEM_OF_TYPE.get(purl_type)


def valid_purl(value: object) -> str | None:
    """``value`` when it is a package URL, else None."""
    if isinstance(value, str) and value.startswith("pkg:") and "/" in value:
        return value.strip()
    return None


def component(
    *,
    purl: str,
    name: str,
    version: str | None,
    ecosystem: str | None = None,
    manifest: str | None = None,
    licenses: str | None = None,
    direct: bool | None = None,
    dependency_paths: tuple[tuple[str, ...], ...] = (),
) -> Component:
    """A component as lockgate's inventory would describe it."""
    return Component(
        purl=purl,
        name=name,
        version=version or None,
        ecosystem=ecosystem or purl_ecosystem(purl),
        licenses=licenses or None,
        direct=direct,
        dependency_paths=dependency_paths,
        manifest=Location(path=manifest) if manifest else None,
    )
