"""Where the data is read from: a local folder, or a Hugging Face Hub repository at one commit.

Either way the result is a :class:`Snapshot`: the dataset's file list (listed once), a way
to get a local path for any file in it, and the identity a run records (the Hub commit
actually read, or the local folder).

**Hub.** The requested revision (``$MED_REWARDBENCH_REVISION``, default ``main``) is
resolved to a commit once, the repository is listed once at that commit, and every file is
downloaded at that commit, so one run never mixes two versions. ``HF_ENDPOINT`` (a mirror)
and ``HF_TOKEN`` work as everywhere in ``huggingface_hub``. The branch-to-commit mapping is
recorded in the Hugging Face cache as ``hf_hub_download`` records it, so that with
``HF_HUB_OFFLINE=1`` (or when the Hub cannot be reached) the same revision is served from
the cache. A 401/403 says to log in; nothing else is guessed.

**Local.** ``$MED_REWARDBENCH_DATA_DIR`` names a folder; its files are listed (hidden
folders skipped, symlinked folders not followed).
"""

from __future__ import annotations

import functools
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from .model import DATA_DIR_ENV, REVISION_ENV, DataUnavailableError, DataValidationError, LocalDirectory

if TYPE_CHECKING:
    from .model import DataSource

DEFAULT_REVISION: Final = "main"
# The first failure to resolve a Hub source, repeated to every later organ task of the run.
_failed_resolutions: dict[tuple[object, ...], Exception] = {}
# A folder with more files than this is not a copy of the benchmark (e.g. $HOME by mistake).
MAX_LOCAL_FILES: Final = 200_000
_COMMIT: Final = re.compile(r"[0-9a-f]{40}")
_LOGIN_HINT: Final = (
    "log in first: set HF_TOKEN=<a token with read access>, or run `hf auth login` "
    "(`huggingface-cli login` in older huggingface_hub releases)"
)


@dataclass(frozen=True)
class Snapshot:
    """One version of a dataset: its files, and how to read them."""

    kind: Literal["local", "hub"]
    root: Path  # the folder holding the files (for the Hub: the cached snapshot of the commit)
    files: tuple[str, ...]  # every file, relative to root, "/"-separated
    repo_id: str | None = None
    revision: str | None = None  # as requested
    commit: str | None = None  # as resolved
    from_cache_because: str | None = None  # why the Hub was not asked (offline mode, no network)
    endpoint: str | None = None  # the Hub (or mirror) the files come from
    cache_dir: str | None = None  # the Hugging Face cache they are downloaded into
    # Size and modification time of every file: a local folder changed in place is a new snapshot.
    signature: tuple[tuple[str, int, int], ...] = ()

    @property
    def source_id(self) -> str:
        """The compact identity a run records: ``owner/name@<commit>``, or the local folder."""
        return f"{self.repo_id}@{self.commit}" if self.kind == "hub" else str(self.root)

    def describe(self) -> str:
        if self.kind == "local":
            return str(self.root)
        return f"hf://datasets/{self.repo_id}@{self.commit}"

    def display(self, relative: str) -> str:
        """How error messages name a file of this snapshot."""
        return str(self.root / relative) if self.kind == "local" else f"{self.describe()}/{relative}"

    def fetch(self, relative: str) -> Path:
        """A local path holding ``relative`` (downloaded at the snapshot's commit when needed)."""
        if self.kind == "local" or self.from_cache_because is not None:
            path = self.root / relative
            if self.kind == "hub" and not path.exists():
                raise DataUnavailableError(
                    f"{self.display(relative)} is not in the Hugging Face cache ({self.from_cache_because}); run once "
                    f"with network access to fill the cache, or download the dataset and set {DATA_DIR_ENV}"
                )
            return path
        return _download(self, relative)


def snapshot_of(source: DataSource) -> Snapshot:
    """List (local) or resolve and list (Hub) the source: see the module docstring."""
    if isinstance(source, LocalDirectory):
        return local_snapshot(source.path)
    from huggingface_hub import constants

    revision = source.revision or DEFAULT_REVISION
    key = (source.repo_id, revision, constants.ENDPOINT, str(constants.HF_HUB_CACHE), bool(constants.HF_HUB_OFFLINE))
    failure = _failed_resolutions.get(key)
    if failure is not None:  # lmms-eval builds each organ task (and retries): ask the Hub once
        raise failure
    try:
        return _hub_snapshot(*key)
    except (DataUnavailableError, DataValidationError) as error:
        _failed_resolutions[key] = error
        raise


def local_snapshot(path: Path) -> Snapshot:
    root = Path(path).expanduser().absolute()
    if not root.is_dir():
        raise DataUnavailableError(f"{DATA_DIR_ENV}={str(path)!r} is not a folder; point it at a copy of the dataset")
    files: list[tuple[str, int, int]] = []
    for folder, subfolders, names in os.walk(root, followlinks=False):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        relative_folder = Path(folder).relative_to(root).as_posix()
        for name in sorted(names):
            relative = name if relative_folder == "." else f"{relative_folder}/{name}"
            try:
                info = os.stat(Path(folder) / name)
            except OSError:  # a dangling symlink: listed, so messages can name it
                info = None
            files.append((relative, info.st_size if info else -1, info.st_mtime_ns if info else -1))
            if len(files) > MAX_LOCAL_FILES:
                raise DataUnavailableError(
                    f"{DATA_DIR_ENV}={str(path)!r} holds more than {MAX_LOCAL_FILES:,} files; point it at the "
                    f"dataset's own folder"
                )
    return Snapshot("local", root, tuple(name for name, _, _ in files), signature=tuple(files))


def check_regular_file(path: Path, *, shown: str) -> None:
    """Data files must be regular files: a FIFO or a device would hang or never end."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise DataValidationError(f"{shown}: cannot be read ({error.strerror})") from error
    if not stat.S_ISREG(mode):
        raise DataValidationError(f"{shown}: not a regular file")


def _repo_cache_folder(cache_dir: str, repo_id: str) -> Path:
    # The layout huggingface_hub documents for its cache ("Manage the cache" guide).
    return Path(cache_dir) / f"datasets--{repo_id.replace('/', '--')}"


@functools.lru_cache(maxsize=16)
def _hub_snapshot(repo_id: str, revision: str, endpoint: str, cache_dir: str, offline: bool) -> Snapshot:
    if offline:
        return _cached_snapshot(repo_id, revision, cache_dir, because="HF_HUB_OFFLINE is set")
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import RepoFile

    api = HfApi(endpoint=endpoint)
    try:
        commit = api.dataset_info(repo_id, revision=revision).sha
        listing = api.list_repo_tree(repo_id, recursive=True, revision=commit, repo_type="dataset")
        files = tuple(sorted(entry.path for entry in listing if isinstance(entry, RepoFile)))
    except Exception as error:  # sorted into actionable messages below; never a bare traceback
        refusal = _refusal(repo_id, revision, error)
        if refusal is not None:
            raise refusal from error
        try:
            return _cached_snapshot(repo_id, revision, cache_dir, because=f"the Hub could not be reached: {error}")
        except DataUnavailableError as unavailable:
            raise unavailable from error
    if not commit or not _COMMIT.fullmatch(commit):
        raise DataUnavailableError(f"{endpoint} did not resolve {repo_id}@{revision} to a commit (got {commit!r})")
    if revision != commit:
        _remember_ref(_repo_cache_folder(cache_dir, repo_id), revision, commit)
    return Snapshot(
        "hub",
        _repo_cache_folder(cache_dir, repo_id) / "snapshots" / commit,
        files,
        repo_id=repo_id,
        revision=revision,
        commit=commit,
        endpoint=endpoint,
        cache_dir=cache_dir,
    )


def _remember_ref(repo_folder: Path, revision: str, commit: str) -> None:
    """Record branch -> commit where ``hf_hub_download`` records it, so offline runs find this commit."""
    ref = repo_folder / "refs" / revision
    try:
        if ref.is_file() and ref.read_text().strip() == commit:
            return
        ref.parent.mkdir(parents=True, exist_ok=True)
        ref.write_text(commit)
    except OSError:  # a read-only cache: offline runs will say the revision is not cached
        pass


def _cached_snapshot(repo_id: str, revision: str, cache_dir: str, *, because: str) -> Snapshot:
    repo_folder = _repo_cache_folder(cache_dir, repo_id)
    commit: str | None = revision if _COMMIT.fullmatch(revision) else None
    ref = repo_folder / "refs" / revision
    if commit is None and ref.is_file():
        commit = ref.read_text().strip()
    folder = repo_folder / "snapshots" / commit if commit else None
    if folder is None or not folder.is_dir():
        raise DataUnavailableError(
            f"{because}, and the Hugging Face cache ({cache_dir}) holds no copy of {repo_id}@{revision}. "
            f"Run once with network access to fill the cache, or download the dataset elsewhere and set "
            f"{DATA_DIR_ENV}=/path/to/copy (or pin a cached commit with {REVISION_ENV})"
        )
    listed = local_snapshot(folder)
    return Snapshot(
        "hub",
        folder,
        listed.files,
        repo_id=repo_id,
        revision=revision,
        commit=commit,
        from_cache_because=because,
    )


def _refusal(repo_id: str, revision: str, error: Exception) -> DataUnavailableError | None:
    """An actionable message for errors that retrying from the cache would only hide (auth, wrong name or revision)."""
    from huggingface_hub.utils import GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

    status = getattr(getattr(error, "response", None), "status_code", None)
    where = f"hf://datasets/{repo_id}"
    if isinstance(error, GatedRepoError):
        return DataUnavailableError(
            f"{where} is gated (HTTP {status}): accept its conditions on https://huggingface.co/datasets/{repo_id} "
            f"with your account, then {_LOGIN_HINT}"
        )
    if isinstance(error, RevisionNotFoundError):
        return DataUnavailableError(f"{where} has no revision {revision!r}; check {REVISION_ENV}")
    if isinstance(error, RepositoryNotFoundError) or status in (401, 403):
        return DataUnavailableError(
            f"{where} cannot be read (HTTP {status}): it does not exist, or it is private or gated. If you have "
            f"access, {_LOGIN_HINT}. Or download the dataset and set {DATA_DIR_ENV}=/path/to/copy"
        )
    return None


def _download(snapshot: Snapshot, relative: str) -> Path:
    from huggingface_hub import hf_hub_download

    assert snapshot.repo_id is not None and snapshot.commit is not None
    try:
        return Path(
            hf_hub_download(
                snapshot.repo_id,
                relative,
                repo_type="dataset",
                revision=snapshot.commit,
                endpoint=snapshot.endpoint,
                cache_dir=snapshot.cache_dir,
            )
        )
    except Exception as error:
        refusal = _refusal(snapshot.repo_id, snapshot.commit, error)
        raise (
            refusal
            or DataUnavailableError(
                f"could not download {snapshot.display(relative)} ({type(error).__name__}: {error}). Without network "
                f"access, download the dataset once elsewhere and set {DATA_DIR_ENV}=/path/to/copy"
            )
        ) from error
