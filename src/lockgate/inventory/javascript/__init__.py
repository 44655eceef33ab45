"""JavaScript manifests and lockfiles: npm (``package-lock.json``, ``npm-shrinkwrap.json``),
Yarn classic and Berry (``yarn.lock``), pnpm (``pnpm-lock.yaml``), Bun (``bun.lock``) and the
declared dependencies of ``package.json``.

Every parser gives npm components at the exact versions installed, the dependency paths the
lockfile's graph implies, and reports git, local, URL and workspace packages as unresolved
(they cannot be matched to registry advisories by version).
"""
