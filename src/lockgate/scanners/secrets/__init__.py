"""The secrets control: provider token formats, key material and generic credentials."""
