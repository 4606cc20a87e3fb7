"""The package's lmms-eval hooks, timed inside a benchmark's own lmms-eval process.

Used by ``full_run_timing.py`` and ``memory_real_size.py`` (run as scripts, so this folder is on
``sys.path``). :func:`time_hooks` must run before lmms-eval reads the task YAMLs: the task folder's
``utils.py`` binds the hooks when it is loaded, so a hook wrapped later is never called.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

# Every function the task folder's utils.py binds, by the module it takes it from.
HOOKS: Final[Mapping[str, tuple[str, ...]]] = {
    "med_rewardbench_tasks.lmms_eval_tasks": ("process_docs", "process_docs_both_orders"),
    "med_rewardbench_tasks.task_hooks": (
        "doc_to_text",
        "doc_to_visual",
        "doc_to_messages",
        "doc_to_target",
        "process_results",
        "process_results_swap",
        "aggregate_mean_strict_acc",
        "aggregate_mean_consistency",
        "aggregate_mean_first_position_bias",
        "aggregate_mean_second_position_bias",
    ),
}


# Timed hooks that are running now: a hook called by another (process_docs_both_orders calls
# process_docs) is counted, but its time is already in the outer hook's.
_running: list[str] = []


def outermost() -> bool:
    """Whether no timed hook is running (so a hook about to run is not called by another)."""
    return not _running


def timed(totals: dict[str, float], counts: dict[str, int], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, adding its wall time to ``totals[name]`` (outermost calls only) and one to ``counts[name]`` per call."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        called_by_a_hook = not outermost()
        _running.append(name)
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _running.pop()
            if not called_by_a_hook:
                totals[name] += time.perf_counter() - started
            counts[name] += 1

    return wrapper


def time_hooks(totals: dict[str, float], counts: dict[str, int]) -> None:
    """Wrap every hook of :data:`HOOKS` and the verdict filter's ``apply`` with :func:`timed`."""
    for module_name, names in HOOKS.items():
        module = importlib.import_module(module_name)
        for name in names:
            setattr(module, name, timed(totals, counts, name, getattr(module, name)))
    from med_rewardbench_tasks.verdict_filter import MedRewardBenchVerdictFilter

    MedRewardBenchVerdictFilter.apply = timed(  # type: ignore[method-assign]
        totals, counts, "MedRewardBenchVerdictFilter.apply", MedRewardBenchVerdictFilter.apply
    )
