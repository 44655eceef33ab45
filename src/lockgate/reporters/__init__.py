"""Output formats: pure renderers of a :class:`~lockgate.model.ScanReport` and its decision.

Concrete reporters live in their own modules (``table``, ``json_native``, ``sarif``,
``markdown``, ``junit``) and are loaded lazily through the ``lockgate.reporters`` entry
points; importing this package imports none of them.
"""

from lockgate.reporters.interface import RenderOptions, Reporter

__all__ = ["RenderOptions", "Reporter"]
