"""A loopback stand-in for the Hugging Face Hub, for testing the real ``huggingface_hub`` code paths.

It serves dataset repositories from local folders, one folder per revision, with the
endpoints (and the response shapes) the installed ``huggingface_hub`` uses:

* ``GET /api/datasets/<repo>[/revision/<rev>]`` — repository info, with the commit ``sha``
  the revision resolves to and the ``siblings`` file list;
* ``GET /api/datasets/<repo>/tree/<rev>[/<path>]?recursive=...`` — the file tree, paginated
  with a ``Link: <...>; rel="next"`` header as the Hub paginates;
* ``HEAD``/``GET /datasets/<repo>/resolve/<rev>/<path>`` — file metadata and content, with
  ``X-Repo-Commit`` and ``ETag``.

Errors carry the Hub's ``X-Error-Code`` header (``RepoNotFound``, ``RevisionNotFound``,
``EntryNotFound``, ``GatedRepo``), which is what ``huggingface_hub`` turns into its typed
exceptions. A private repository answers 401 without the right token; a gated one 401
without a token and 403 with a token that was not granted access. A revision may be a
branch or tag name, or the commit it resolves to. It only ever listens on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.loopback import QuietHandler, loopback_server

Access = Literal["public", "private", "gated"]


def commit_of(folder: Path) -> str:
    """A commit id for a folder's content: the same files give the same 40-hex id."""
    digest = hashlib.sha1()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _git_blob_id(body: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(body) + body).hexdigest()


@dataclass
class FakeHub:
    """A running fake Hub: its URL, what it was asked, and the commit of each revision."""

    endpoint: str
    requests: list[str] = field(default_factory=list)
    commits: dict[str, str] = field(default_factory=dict)

    def count(self, fragment: str) -> int:
        return sum(fragment in request for request in self.requests)


@contextmanager
def serve_dataset_repo(
    repo_id: str,
    revisions: Path | Mapping[str, Path],
    *,
    access: Access = "public",
    token: str = "hf_fake_token_with_access",
    page_size: int = 1000,
) -> Iterator[FakeHub]:
    """Serve dataset ``repo_id``: a folder (branch ``main``), or ``{revision name: folder}``."""
    folders = {"main": revisions} if isinstance(revisions, Path) else dict(revisions)
    commits = {name: commit_of(folder) for name, folder in folders.items()}
    by_commit = {commit: folders[name] for name, commit in commits.items()}
    hub = FakeHub("", commits=dict(commits))

    def folder_of(revision: str) -> tuple[str, Path] | None:
        if revision in commits:
            return commits[revision], folders[revision]
        if revision in by_commit:
            return revision, by_commit[revision]
        return None

    class Handler(QuietHandler):
        def _send(self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, code: str, message: str) -> None:
            self._send(
                status, json.dumps({"error": message}).encode(), {"X-Error-Code": code, "X-Error-Message": message}
            )

        def _authorised(self) -> bool:
            if access == "public":
                return True
            given = self.headers.get("Authorization", "")
            if given == f"Bearer {token}":
                return True
            if access == "private":
                self._error(401, "RepoNotFound", "Repository not found")
            elif given:
                self._error(
                    403, "GatedRepo", "Access to this repository is restricted and you are not in the authorized list"
                )
            else:
                self._error(401, "GatedRepo", "Access to this repository is restricted: you must be authenticated")
            return False

        def _json(self, value: object, headers: Mapping[str, str] | None = None) -> None:
            self._send(200, json.dumps(value).encode(), {"Content-Type": "application/json", **(headers or {})})

        def _handle(self) -> None:
            hub.requests.append(f"{self.command} {self.path}")
            url = urlsplit(self.path)
            path = unquote(url.path)
            api = f"/api/datasets/{repo_id}"
            resolve = f"/datasets/{repo_id}/resolve/"
            if not (path == api or path.startswith(api + "/") or path.startswith(resolve)):
                self._error(404, "RepoNotFound", "Repository not found")
                return
            if not self._authorised():
                return
            if path.startswith(resolve):
                self._file(*self._split_revision(url.path[len(quote(resolve)) :]))
            elif path == api or path.startswith(api + "/revision/"):
                revision = unquote(url.path.split("/revision/", 1)[1]) if "/revision/" in url.path else "main"
                self._info(revision)
            elif path.startswith(api + "/tree/"):
                revision, inner = self._split_revision(url.path[len(quote(api + "/tree/")) :])
                self._tree(revision, inner, parse_qs(url.query))
            else:
                self._error(404, "EntryNotFound", "Entry not found")

        @staticmethod
        def _split_revision(rest: str) -> tuple[str, str]:
            # The client quotes a revision with "/" (refs/pr/1) as one path segment.
            revision, _, inner = rest.partition("/")
            return unquote(revision), unquote(inner)

        def _info(self, revision: str) -> None:
            found = folder_of(revision)
            if found is None:
                self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
                return
            commit, folder = found
            self._json(
                {
                    "_id": hashlib.md5(repo_id.encode()).hexdigest()[:24],
                    "id": repo_id,
                    "author": repo_id.split("/")[0],
                    "sha": commit,
                    "lastModified": "2025-09-01T00:00:00.000Z",
                    "private": access == "private",
                    "gated": "auto" if access == "gated" else False,
                    "disabled": False,
                    "tags": [],
                    "siblings": [{"rfilename": p} for p in _files(folder)],
                }
            )

        def _tree(self, revision: str, inner: str, query: Mapping[str, list[str]]) -> None:
            found = folder_of(revision)
            if found is None:
                self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
                return
            _, folder = found
            recursive = query.get("recursive", ["false"])[0].lower() == "true"
            entries = []
            for relative in _files(folder, with_folders=True):
                if inner and not relative.startswith(inner.rstrip("/") + "/"):
                    continue
                depth = relative[len(inner) :].strip("/").count("/") if inner else relative.count("/")
                if not recursive and depth > 0:
                    continue
                entries.append(_entry(folder, relative))
            start = int(query.get("cursor", ["0"])[0])
            page = entries[start : start + page_size]
            headers = {}
            if start + page_size < len(entries):
                next_url = f"{hub.endpoint}{self.path.split('?')[0]}?recursive={recursive}&cursor={start + page_size}"
                headers["Link"] = f'<{next_url}>; rel="next"'
            self._json(page, headers)

        def _file(self, revision: str, relative: str) -> None:
            found = folder_of(revision)
            if found is None:
                self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
                return
            commit, folder = found
            target = (folder / relative).resolve()
            if folder.resolve() not in target.parents or not target.is_file():
                self._error(404, "EntryNotFound", "Entry not found")
                return
            body = target.read_bytes()
            self._send(
                200,
                body,
                {"ETag": f'"{hashlib.sha256(body).hexdigest()}"', "X-Repo-Commit": commit, "Accept-Ranges": "bytes"},
            )

        def do_HEAD(self) -> None:
            self._handle()

        def do_GET(self) -> None:
            self._handle()

    with loopback_server(Handler) as endpoint:
        hub.endpoint = endpoint
        yield hub


def _files(folder: Path, *, with_folders: bool = False) -> list[str]:
    paths = sorted(folder.rglob("*"))
    return [p.relative_to(folder).as_posix() for p in paths if p.is_file() or (with_folders and p.is_dir())]


def _entry(folder: Path, relative: str) -> dict[str, object]:
    path = folder / relative
    if path.is_dir():
        return {"type": "directory", "oid": hashlib.sha1(relative.encode()).hexdigest(), "size": 0, "path": relative}
    body = path.read_bytes()
    entry: dict[str, object] = {"type": "file", "oid": _git_blob_id(body), "size": len(body), "path": relative}
    if relative.endswith((".parquet", ".png", ".jpg")):  # stored with Git LFS on the real Hub
        entry["lfs"] = {"oid": hashlib.sha256(body).hexdigest(), "size": len(body), "pointerSize": 134}
    return entry
