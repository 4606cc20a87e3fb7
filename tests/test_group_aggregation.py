"""One aggregation path: lmms-eval's group numbers are the pooled numbers `report` and `rescore` show.

An uneven split through the real CLI: organ systems of 2 to 5 cases, parse failures that
vary by organ, and one organ (``eye``) where the judge never states a winner (issue 14.5:
that organ made every group first-position rate NaN). The group value lmms-eval computes
(the size-weighted mean of the organ tasks' values) must equal the value pooled over all
logged samples, for every metric both show.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
from pathlib import Path

import pytest

from med_rewardbench_tasks.constants import ORGANS
from med_rewardbench_tasks.metric_names import HEADLINE_METRICS, SWAP_TASK_METRICS
from tests.canned_judge import SILENT_ORGAN, canned_judge
from tests.conftest import lmms_eval_executable, read_truth, run_lmms_eval
from tests.openai_stub import serve_chat_completions
from tests.synthetic import make_cases, write_layout
from tests.test_distributed import TORCHRUN, free_loopback_port

pytestmark = pytest.mark.integration

SIZES = {organ: index % 4 + 2 for index, organ in enumerate(ORGANS)}


def console(name: str) -> str:
    return str(Path(lmms_eval_executable()).with_name(name))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def uneven_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("uneven")
    write_layout(make_cases(SIZES, seed=17), root / "data")
    truth = read_truth(root / "data")
    with serve_chat_completions(canned_judge(truth)) as server:
        model_args = f"model=stub-judge,base_url={server.base_url},api_key=sk-test,num_concurrent=8"
        run = run_lmms_eval(
            ["--model", "openai", "--model_args", model_args, "--tasks", "med_rewardbench,med_rewardbench_swap"],
            root / "run",
            env={"MED_REWARDBENCH_DATA_DIR": str(root / "data")},
        )
    out = root / "run" / "lmms-eval-out"
    rescored = root / "rescore.json"
    for command in (
        [console("med-rewardbench"), "rescore", str(out), "--json", str(rescored)],
        [console("med-rewardbench"), "report", str(out), "--out", str(root / "report")],
    ):
        completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert completed.returncode == 0, completed.stderr[-3000:]
    [rescored_run] = json.loads(rescored.read_text())["runs"]
    pooled = {pool["name"]: pool["metrics"] for pool in rescored_run["pooled"]}
    return run, pooled, root / "report", root


def test_the_split_is_uneven_and_the_organs_differ(uneven_run) -> None:
    run, *_ = uneven_run
    failures = {organ: run.metrics(f"med_rewardbench_{organ}")["parse_failure_rate"] for organ in ORGANS}
    assert failures[SILENT_ORGAN] == 1.0 and len(set(failures.values())) > 4
    assert len({run.results["n-samples"][f"med_rewardbench_{organ}"]["effective"] for organ in ORGANS}) == 4
    assert run.metrics(f"med_rewardbench_swap_{SILENT_ORGAN}")["mean_consistency"] == 0.0


@pytest.mark.parametrize(
    ("group", "pool", "metrics"),
    [
        ("med_rewardbench", "med_rewardbench (pooled)", HEADLINE_METRICS),
        ("med_rewardbench_swap", "med_rewardbench_swap (pooled)", tuple(SWAP_TASK_METRICS)),
    ],
)
def test_group_numbers_are_the_pooled_numbers(uneven_run, group: str, pool: str, metrics) -> None:
    run, pooled, *_ = uneven_run
    reported = run.metrics(group)
    assert {key for key in reported if "_stderr" not in key} == set(metrics)
    for metric in metrics:
        assert math.isfinite(reported[metric]), metric
        assert reported[metric] == pytest.approx(pooled[pool][metric], abs=1e-12), metric
    # And not by accident: the unweighted mean of the organ values differs.
    organ_values = [run.metrics(f"{group}_{organ}")["mean_acc"] for organ in ORGANS]
    assert reported["mean_acc"] != pytest.approx(sum(organ_values) / len(organ_values), abs=1e-6)


def test_the_report_shows_the_group_numbers(uneven_run) -> None:
    run, _, report, _ = uneven_run
    plain, swap = run.metrics("med_rewardbench"), run.metrics("med_rewardbench_swap")
    headline = {row["metric"]: float(row["value"]) for row in read_csv(report / "headline.csv")}
    for metric in HEADLINE_METRICS:
        assert headline[metric] == pytest.approx(plain[metric], abs=1e-12), metric
    position = {row["dimension"]: row for row in read_csv(report / "position_bias.csv")}
    for measure in ("swapped_acc", "strict_acc", "consistency", "first_position_bias", "second_position_bias"):
        assert float(position["mean"][measure]) == pytest.approx(swap[f"mean_{measure}"], abs=1e-12), measure
    for dimension, row in position.items():
        assert float(row["original_acc"]) == pytest.approx(swap[f"{dimension}_acc"], abs=1e-12), dimension


@pytest.mark.skipif(TORCHRUN is None, reason="torchrun comes with torch")
def test_two_ranks_give_the_same_swap_group(uneven_run, tmp_path: Path) -> None:
    # Two ranks take alternate docs: rank 0 judges only original-order docs, rank 1 only
    # swapped ones. The group's weights (each task's size) and the paired metrics must come
    # out as in one process.
    run, _, _, root = uneven_run
    truth = read_truth(root / "data")
    rendezvous = ["--master_addr", "127.0.0.1", "--master_port", str(free_loopback_port())]
    with serve_chat_completions(canned_judge(truth)) as server:
        model_args = f"model=stub-judge,base_url={server.base_url},api_key=sk-test,num_concurrent=4"
        double = run_lmms_eval(
            ["--model", "openai", "--model_args", model_args, "--tasks", "med_rewardbench_swap"],
            tmp_path,
            env={"MED_REWARDBENCH_DATA_DIR": str(root / "data"), "OMP_NUM_THREADS": "1"},
            command_prefix=[TORCHRUN, "--nproc_per_node", "2", *rendezvous, "-m", "lmms_eval"],
            timeout=600,
        )
    assert "Running on rank 1" in double.output
    one, two = run.metrics("med_rewardbench_swap"), double.metrics("med_rewardbench_swap")
    for metric in SWAP_TASK_METRICS:
        assert two[metric] == pytest.approx(one[metric], abs=1e-12), metric
    for organ in ORGANS:
        task = f"med_rewardbench_swap_{organ}"
        for metric in SWAP_TASK_METRICS:
            assert double.metrics(task)[metric] == pytest.approx(run.metrics(task)[metric], abs=1e-12), (task, metric)
