"""A loopback stand-in for the Hugging Face Hub's file endpoint, for testing the real download path.

It answers ``HEAD``/``GET /datasets/<repo>/resolve/<revision>/<path>`` from a local folder
with the headers ``huggingface_hub.hf_hub_download`` relies on, and 404s in the Hub's
format for missing files. It only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FAKE_COMMIT = "0123456789abcdef0123456789abcdef01234567"


@contextmanager
def serve_dataset_repo(repo_id: str, root: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``root`` as dataset ``repo_id``; yields (endpoint URL, list of requested paths)."""
    requested: list[str] = []
    prefix = f"/datasets/{repo_id}/resolve/"

    class Handler(BaseHTTPRequestHandler):
        def _respond(self, with_body: bool) -> None:
            requested.append(self.path)
            if not self.path.startswith(prefix):
                self._error(404, "RepoNotFound", "Repository not found")
                return
            _revision, _, relative = self.path[len(prefix) :].partition("/")
            path = (root / relative).resolve()
            if root.resolve() not in path.parents or not path.is_file():
                self._error(404, "EntryNotFound", "Entry not found")
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", f'"{hashlib.sha256(body).hexdigest()}"')
            self.send_header("X-Repo-Commit", FAKE_COMMIT)
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def _error(self, status: int, code: str, message: str) -> None:
            self.send_response(status)
            self.send_header("X-Error-Code", code)
            self.send_header("X-Error-Message", message)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self) -> None:
            self._respond(with_body=False)

        def do_GET(self) -> None:
            self._respond(with_body=True)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
