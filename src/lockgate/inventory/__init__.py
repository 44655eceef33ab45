"""Inventory: the components a target ships, read from its manifests and lockfiles.

Each ecosystem has its own parser modules; :mod:`lockgate.inventory.catalog` maps file names
to them and :func:`lockgate.inventory.collect.collect_inventory` runs them over a workspace.
"""
