"""``--model med_rewardbench_baseline``: the reference judges as an lmms-eval model.

``--model_args strategy=always_a|always_b|random|longer_answer[,seed=N]``. No weights, no
GPU: it answers in the verdict format the prompt asks for (see
``med_rewardbench_tasks.baselines``). ``longer_answer`` measures the answers of the case
itself, which it reaches through lmms-eval's task dict as lmms-eval's own model classes reach
a case's images; for a task whose cases carry no Med-RewardBench answers it falls back to the
rendered prompt.
"""

from __future__ import annotations

import os
from typing import Any

import torch
from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms
from tqdm import tqdm

from med_rewardbench_tasks.baselines import baseline_output, check_strategy
from med_rewardbench_tasks.records import shown_answers


class BaselineJudge(lmms):
    is_simple = True

    def __init__(self, strategy: str = "longer_answer", seed: int | str = 0, **_ignored: Any) -> None:
        # lmms-eval passes batch_size/device to every model; a baseline has no use for them.
        super().__init__()
        self.strategy = check_strategy(strategy)
        self.seed = int(seed)
        # Under torchrun/accelerate each rank judges its shard; lmms-eval reads the shard
        # from rank/world_size and gathers the results on rank 0 with tensors on `device`.
        self._rank = int(os.environ.get("RANK", "0"))
        self._world_size = int(os.environ.get("WORLD_SIZE", "1"))

    @property
    def device(self) -> torch.device:
        return torch.device("cpu")

    def _shown_answers(self, request: Instance) -> tuple[str, str] | None:
        """The case's answers in the order shown (A first), or None for a task without them."""
        if self.strategy != "longer_answer":
            return None
        _context, _gen_kwargs, _doc_to_visual, doc_id, task, split = request.args
        try:
            doc = self.task_dict[task][split][doc_id]
            answers = shown_answers(doc)
        except (KeyError, IndexError, TypeError):
            return None
        return answers if all(isinstance(answer, str) for answer in answers) else None

    def generate_until(self, requests: list[Instance]) -> list[str]:
        return [
            baseline_output(self.strategy, request.args[0], seed=self.seed, answers=self._shown_answers(request))
            for request in tqdm(requests, desc=f"med_rewardbench_baseline[{self.strategy}]", disable=self.rank != 0)
        ]

    def loglikelihood(self, requests: list[Instance]) -> list[tuple[float, bool]]:
        raise NotImplementedError("med_rewardbench_baseline only generates verdicts")

    def generate_until_multi_round(self, requests: list[Instance]) -> list[str]:
        raise NotImplementedError("med_rewardbench_baseline only generates single-turn verdicts")
