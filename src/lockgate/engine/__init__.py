"""The pipeline engine: plan controls per stage, run them with bounded parallelism and
per-control timeouts, gate after each stage, and assemble the ScanReport."""
