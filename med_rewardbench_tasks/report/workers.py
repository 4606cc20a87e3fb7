"""Worker processes for the slow, independent parts of a report: decoding case images and drawing figures.

They run while the main process reads the logs and computes the metrics. With one worker
(``--jobs 1``) every job runs in the calling process, at submission, with the same result.
Jobs take and return small, picklable values; their exceptions surface at ``result()``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class Workers:
    def __init__(self, count: int) -> None:
        self._executor: ProcessPoolExecutor | None = None
        if count > 1:
            # fork starts at once and inherits the imports; the pool forks all its workers before it
            # starts its own thread, so no lock can be inherited held. Elsewhere, spawn.
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            self._executor = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context(method))

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        if self._executor is not None:
            return self._executor.submit(function, *args)
        future: Future[T] = Future()
        try:
            future.set_result(function(*args))
        except Exception as error:  # handed to whoever asks for the result, as the pool would
            future.set_exception(error)
        return future

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
