"""Use-cases the CLI and the server call: scan, gate, init, controls, explain."""
