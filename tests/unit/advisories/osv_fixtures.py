"""OSV records, archives and a loopback HTTP server for the advisory tests."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml


def record(
    ident: str,
    *,
    modified: str = "2024-01-01T00:00:00Z",
    ecosystem: str = "PyPI",
    name: str = "example",
    aliases: tuple[str, ...] = (),
    introduced: str = "0",
    fixed: str = "1.0",
    withdrawn: str | None = None,
    summary: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """A small valid OSV record affecting one package."""
    data: dict[str, Any] = {
        "id": ident,
        "modified": modified,
        "aliases": list(aliases),
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [{"introduced": introduced}, {"fixed": fixed}],
                    }
                ],
            }
        ],
    }
    if withdrawn:
        data["withdrawn"] = withdrawn
    if summary:
        data["summary"] = summary
    data.update(extra)
    return data


def write_json(directory: Path, data: dict[str, Any], name: str | None = None) -> Path:
    path = directory / (name or f"{data['id']}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def write_yaml(directory: Path, data: dict[str, Any], name: str | None = None) -> Path:
    path = directory / (name or f"{data['id']}.yaml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A deflated zip archive holding ``members``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, content in members.items():
            bundle.writestr(name, content)
    return buffer.getvalue()


def zip_of(*records: dict[str, Any]) -> bytes:
    return zip_bytes({f"{r['id']}.json": json.dumps(r).encode() for r in records})


@dataclass
class Served:
    """One path the loopback server answers: body, validators, or a forced status."""

    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200


@dataclass
class OsvServer:
    """What the loopback server serves and every request it received."""

    base_url: str
    files: dict[str, Served] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@contextmanager
def osv_server() -> Iterator[OsvServer]:
    """An HTTP server on 127.0.0.1 (free port) answering conditional GETs like a bucket."""
    state = OsvServer(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers.items())))
            served = state.files.get(self.path)
            if served is None:
                self.send_error(404)
                return
            if served.status != 200:
                self.send_error(served.status)
                return
            match = served.etag and self.headers.get("If-None-Match") == served.etag
            since = served.last_modified and (
                self.headers.get("If-Modified-Since") == served.last_modified
            )
            if match or (since and not self.headers.get("If-None-Match")):
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(served.body)))
            if served.etag:
                self.send_header("ETag", served.etag)
            if served.last_modified:
                self.send_header("Last-Modified", served.last_modified)
            self.end_headers()
            self.wfile.write(served.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
