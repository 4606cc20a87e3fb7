"""`_enable_reentrant_filelocks` works with the installed filelock, 3.x or 4.x.

Written for lmms-eval's test suite (it needs only lmms-eval, its `datasets` dependency and pytest).
lmms-eval 0.7.3 and main import `filelock._api`, a private module that filelock 4.0 removed, so
every evaluation fails with `ModuleNotFoundError: No module named 'filelock._api'` there; with
`lmms-eval-filelock.patch` the function finds filelock's lock metaclass through the public
`filelock.FileLock` class. (In med-rewardbench-tasks, `tests/test_upstream_patch.py` runs this
file against patched and unpatched copies of lmms-eval, with filelock 4.3.1 and with the
filelock the environment has.)
"""

from __future__ import annotations

from pathlib import Path


def test_reentrant_filelocks_are_one_lock_per_path_across_filelock_and_datasets(tmp_path: Path) -> None:
    import filelock
    from datasets.utils._filelock import FileLock as DatasetsFileLock
    from lmms_eval import evaluator

    evaluator._enable_reentrant_filelocks()
    evaluator._enable_reentrant_filelocks()  # idempotent

    path = str(tmp_path / "cache.lock")
    outer = filelock.FileLock(path)
    inner = DatasetsFileLock(path)
    assert inner is outer  # one instance whichever class asked for it
    assert filelock.FileLock(str(tmp_path / "other.lock")) is not outer

    with outer:
        with inner:  # a nested load_dataset in the same thread: re-entered, not deadlocked
            assert outer.is_locked and outer.lock_counter == 2
        assert outer.is_locked
    assert not outer.is_locked
