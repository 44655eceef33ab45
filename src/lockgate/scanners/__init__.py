"""Controls (scanners and checks) plug in here; each turns a workspace into findings."""
