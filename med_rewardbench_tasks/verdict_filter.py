"""The verdict filter of the Med-RewardBench tasks, an lmms-eval ``Filter``.

Each raw judge output becomes its parsed verdict (a verdict record, see ``records``): the
samples log then shows the raw output (``resps``) beside what the parser read from it
(``filtered_resps``: the six picks, status, method, the judge's reason, the parser's note),
and ``process_results`` scores that record. ``lone_verdict`` is the policy for an output
that names only an overall winner (``[[A]]``): ``overall_only`` fills ``overall``,
``all_dimensions`` fills all six, as the paper's parser does.

This is the one module of the task folder that imports lmms-eval; the package imports it
only from the task folder's ``utils.py``, which lmms-eval loads.
"""

from __future__ import annotations

from typing import Any

from lmms_eval.api.filter import Filter

from .parsing import DEFAULT_LONE_VERDICT
from .records import check_policy
from .task_hooks import verdict_records


class MedRewardBenchVerdictFilter(Filter):
    def __init__(self, lone_verdict: str = DEFAULT_LONE_VERDICT, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lone_verdict = check_policy(lone_verdict)

    def apply(self, resps: list[list[Any]], docs: Any) -> list[list[str]]:
        return verdict_records(resps, self.lone_verdict)
