"""Two real ranks (torchrun on CPU) give the same metrics and the same per-case samples as one process."""

from __future__ import annotations

import json
import shutil
import socket
import sys
from pathlib import Path

import pytest

from tests.conftest import run_lmms_eval

pytestmark = pytest.mark.integration

TORCHRUN = shutil.which("torchrun", path=str(Path(sys.executable).parent))


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def per_case(samples: list[dict]) -> dict[tuple, tuple]:
    # Every per-doc value lmms-eval logged (the swap tasks' judgment records included).
    logged = {}
    for s in samples:
        target = json.loads(s["target"])
        values = {key: value for key, value in s.items() if key.endswith(("_acc", "_rate", "_consistency", "_bias"))}
        logged[(target["organ"], target["question_id"], target["order"])] = (
            s["doc_id"],
            s["resps"],
            s["filtered_resps"],
            values,
        )
    return logged


@pytest.mark.skipif(TORCHRUN is None, reason="torchrun comes with torch")
@pytest.mark.parametrize(
    ("task", "limit"),
    [
        ("med_rewardbench_sample", None),
        ("med_rewardbench_sample", 7),
        # Two ranks take alternate docs: all originals on rank 0, all swapped on rank 1, so the
        # paired metrics exist only once lmms-eval gathered both ranks' judgment records.
        ("med_rewardbench_sample_swap", None),
    ],
    ids=["all-cases", "uneven-shards", "swap"],
)
def test_two_ranks_match_one_process(tmp_path: Path, task: str, limit: int | None) -> None:
    args = [
        "--model",
        "med_rewardbench_baseline",
        "--model_args",
        "strategy=random,seed=3",
        "--tasks",
        task,
    ]
    if limit:
        args += ["--limit", str(limit)]
    single = run_lmms_eval(args, tmp_path / "one")
    rendezvous = ["--master_addr", "127.0.0.1", "--master_port", str(free_loopback_port())]
    double = run_lmms_eval(
        args,
        tmp_path / "two",
        env={"OMP_NUM_THREADS": "1"},
        command_prefix=[TORCHRUN, "--nproc_per_node", "2", *rendezvous, "-m", "lmms_eval"],
        timeout=300,
    )
    assert "Running on rank 1" in double.output
    # Equal up to float summation order: the gathered per-case values arrive rank by rank.
    one_metrics, two_metrics = single.metrics(task), double.metrics(task)
    assert one_metrics.keys() == two_metrics.keys()
    for key, value in one_metrics.items():
        assert two_metrics[key] == (pytest.approx(value, rel=1e-12) if isinstance(value, float) else value), key
    one, two = single.samples[task], double.samples[task]
    assert len(one) == len(two) == (limit or 30) * (2 if "swap" in task else 1)
    assert per_case(one) == per_case(two)
