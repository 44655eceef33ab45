"""Sources materialise what is scanned: a tree, a git working tree, staged changes, a diff
range, or a git history. Each yields a :class:`~lockgate.sources.interface.Workspace`."""
