"""Software composition analysis: components matched against OSV advisories."""
