"""Advisory data: OSV records, the local SQLite advisory database, and version semantics."""
