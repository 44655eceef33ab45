"""lockgate: a DevSecOps pipeline engine.

Scan every stage of a change, decide with tiered branch-aware gates, prove and measure.
The package imports nothing heavy at start-up; subpackages load lazily.
"""

__version__ = "0.1.0"
