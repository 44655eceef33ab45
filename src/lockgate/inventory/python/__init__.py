"""Parsers for Python manifests and lockfiles: requirements files, poetry.lock, Pipfile.lock,
uv.lock, pdm.lock, pylock.toml, pyproject.toml and installed package metadata.

Each module exposes ``parse(source: ManifestSource) -> ParsedManifest`` (see
:mod:`lockgate.inventory.interface`); :mod:`lockgate.inventory.catalog` says which file each
one reads.
"""
