"""A workspace built by hand, so engine tests do not depend on the sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockgate.model import TargetRef
from lockgate.sources.interface import FileInfo, Workspace


def make_workspace(root: Path, files: dict[str, str]) -> Workspace:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    infos = tuple(FileInfo(path=n, size=len(t)) for n, t in sorted(files.items()))
    return Workspace(root=root, target=TargetRef(kind="directory", name=root.name), files=infos)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return make_workspace(
        tmp_path,
        {
            "app.py": "import os\n\ndef run(cmd):\n    return eval(cmd)\n",
            "lib/util.py": "def helper():\n    return 1\n",
            "README.md": "eval( in docs is not code\n",
        },
    )
