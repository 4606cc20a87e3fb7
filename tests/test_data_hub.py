"""The Hub path through the real huggingface_hub client: revisions, login errors, offline and mirrors.

Everything runs against tests/fake_hub.py on 127.0.0.1; the CLI test at the end points a
real lmms-eval process at it with HF_ENDPOINT, the way a user points at a mirror.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from med_rewardbench_tasks import data
from tests.conftest import run_lmms_eval
from tests.fake_hub import serve_dataset_repo
from tests.layouts import SIX_A, case_row, label, write_organ
from tests.test_data_layouts import point_hub_at

REPO = "someone/Med-RewardBench-copy"
ALWAYS_A = ["--model", "med_rewardbench_baseline", "--model_args", "strategy=always_a"]


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import huggingface_hub.constants as hub_constants

    cache = tmp_path / "hf-cache"
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    return cache


def two_versions(tmp_path: Path) -> dict[str, Path]:
    """Branch main (case 1 labelled A overall) and tag v1 (case 1 labelled B overall, and case 2)."""
    main, v1 = tmp_path / "main", tmp_path / "v1"
    write_organ(main, "brain", [case_row(1)], [label(1)])
    write_organ(v1, "brain", [case_row(1), case_row(2)], [label(1, overall="B"), label(2)])
    return {"main": main, "v1": v1}


def overall_by_id(source: data.DataSource) -> dict[str, str]:
    return {case.question_id: case.labels["overall"] for case in data.load_organ("brain", source)}


def test_revisions_branch_tag_and_commit(tmp_path: Path, hub_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve_dataset_repo(REPO, two_versions(tmp_path)) as hub:
        point_hub_at(monkeypatch, hub)
        assert overall_by_id(data.HubDataset(REPO)) == {"1": "A"}
        assert overall_by_id(data.HubDataset(REPO, "v1")) == {"1": "B", "2": "A"}
        assert overall_by_id(data.HubDataset(REPO, hub.commits["v1"])) == {"1": "B", "2": "A"}
        tagged = data.provenance(data.HubDataset(REPO, "v1"))
    assert (tagged.revision, tagged.commit) == ("v1", hub.commits["v1"])
    assert tagged.source_id == f"{REPO}@{hub.commits['v1']}"
    assert tagged.files == {"brain": ("pair_gt_all/parquet/brain.parquet", "pair_gt_all/brain.jsonl")}
    assert f"revision v1 = commit {hub.commits['v1']}" in tagged.lines()[0]


def test_unknown_revision_names_the_switch(tmp_path: Path, hub_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve_dataset_repo(REPO, two_versions(tmp_path)) as hub:
        point_hub_at(monkeypatch, hub)
        with pytest.raises(data.DataUnavailableError, match=r"has no revision 'v9'; check MED_REWARDBENCH_REVISION"):
            data.load_organ("brain", data.HubDataset(REPO, "v9"))


@pytest.mark.parametrize(
    ("access", "token", "status"),
    [
        pytest.param("private", None, "401", id="private-no-token"),
        pytest.param("private", "hf_wrong", "401", id="private-wrong-token"),
        pytest.param("gated", None, "401", id="gated-no-token"),
        pytest.param("gated", "hf_not_granted", "403", id="gated-not-granted"),
    ],
)
def test_unauthorised_says_to_log_in(
    tmp_path: Path, hub_cache: Path, monkeypatch: pytest.MonkeyPatch, access: str, token: str | None, status: str
) -> None:
    if token:
        monkeypatch.setenv("HF_TOKEN", token)
    write_organ(tmp_path / "repo", "brain", [case_row(1)], [label(1)])
    with serve_dataset_repo(REPO, tmp_path / "repo", access=access) as hub:  # type: ignore[arg-type]
        point_hub_at(monkeypatch, hub)
        with pytest.raises(data.DataUnavailableError) as raised:
            data.load_organ("brain", data.HubDataset(REPO))
    message = str(raised.value)
    assert f"HTTP {status}" in message
    assert "HF_TOKEN" in message and "hf auth login" in message and "huggingface-cli login" in message
    assert ("is gated" in message) == (access == "gated")


def test_a_token_with_access_reads_a_private_repository(
    tmp_path: Path, hub_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_granted")
    write_organ(tmp_path / "repo", "brain", [case_row(1)], [label(1)])
    with serve_dataset_repo(REPO, tmp_path / "repo", access="private", token="hf_granted") as hub:
        point_hub_at(monkeypatch, hub)
        assert overall_by_id(data.HubDataset(REPO)) == {"1": "A"}


def test_offline_with_a_warm_cache_reads_the_same_commit(
    tmp_path: Path, hub_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants as hub_constants

    with serve_dataset_repo(REPO, two_versions(tmp_path)) as hub:
        point_hub_at(monkeypatch, hub)
        online = data.load_organ("brain", data.HubDataset(REPO, "v1"))
    # The Hub is gone; with HF_HUB_OFFLINE=1 the tag still resolves, through the cache.
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    offline = data.load_organ("brain", data.HubDataset(REPO, "v1"))
    assert [(c.question_id, c.labels, c.image) for c in offline] == [(c.question_id, c.labels, c.image) for c in online]
    assert offline[0].source == f"{REPO}@{hub.commits['v1']}"
    assert "HF_HUB_OFFLINE is set" in (data.provenance(data.HubDataset(REPO, "v1")).from_cache_because or "")


def test_offline_with_a_cold_cache_names_the_local_data_switch(
    hub_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(data.DataUnavailableError) as raised:
        data.load_organ("brain", data.HubDataset())
    message = str(raised.value)
    assert "HF_HUB_OFFLINE is set, and the Hugging Face cache" in message
    assert "holds no copy of Nandzy/Med-RewardBench@main" in message
    assert "MED_REWARDBENCH_DATA_DIR=" in message


def test_no_network_falls_back_to_the_cache_then_names_the_switch(
    tmp_path: Path, hub_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_organ(tmp_path / "repo", "brain", [case_row(1)], [label(1)])
    with serve_dataset_repo(REPO, tmp_path / "repo") as hub:
        point_hub_at(monkeypatch, hub)
        data.load_organ("brain", data.HubDataset(REPO))
    # A port nobody listens on: connections are refused at once, like a machine with no network.
    point_hub_at(monkeypatch, type(hub)("http://127.0.0.1:9"))
    assert [case.question_id for case in data.load_organ("brain", data.HubDataset(REPO))] == ["1"]
    with pytest.raises(data.DataUnavailableError) as raised:
        data.load_organ("brain", data.HubDataset("someone/never-downloaded"))
    message = str(raised.value)
    assert "the Hub could not be reached" in message and "MED_REWARDBENCH_DATA_DIR=" in message


def test_a_failed_resolution_is_not_repeated_per_organ(
    tmp_path: Path, hub_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_organ(tmp_path / "repo", "brain", [case_row(1)], [label(1)])
    with serve_dataset_repo(REPO, tmp_path / "repo", access="private") as hub:
        point_hub_at(monkeypatch, hub)
        for organ in ("brain", "eye", "heart"):
            with pytest.raises(data.DataUnavailableError):
                data.load_organ(organ, data.HubDataset(REPO))
    assert hub.count("/revision/") == 1


@pytest.mark.integration
def test_lmms_eval_reads_a_mirror_named_by_hf_endpoint_and_logs_the_commit(tmp_path: Path) -> None:
    """A real CLI run against the fake Hub as a mirror: the data, the log line and the recorded source."""
    repo = tmp_path / "repo"
    write_organ(repo, "brain", [case_row(1), case_row(2)], [label(1), label(2, overall="B")])
    write_organ(repo, "eye", [case_row(3, organ="eye", human_answer=SIX_A)], labels=None)
    with serve_dataset_repo("Nandzy/Med-RewardBench", repo) as hub:
        run = run_lmms_eval(
            [*ALWAYS_A, "--tasks", "med_rewardbench_brain,med_rewardbench_eye"],
            tmp_path / "run",
            env={"HF_ENDPOINT": hub.endpoint, "HF_HUB_OFFLINE": "0", "MED_REWARDBENCH_DATA_DIR": ""},
        )
    commit = hub.commits["main"]
    assert run.metrics("med_rewardbench_brain")["overall_acc"] == 0.5
    assert run.metrics("med_rewardbench_eye")["overall_acc"] == 1.0
    assert f"Med-RewardBench data: hf://datasets/Nandzy/Med-RewardBench@{commit}, revision main = commit {commit}" in (
        run.output
    )
    targets = [json.loads(sample["target"]) for sample in run.samples["med_rewardbench_brain"]]
    assert {target["source"] for target in targets} == {f"Nandzy/Med-RewardBench@{commit}"}
