"""The task folder for lmms-eval itself: a plain copy of the package's source that scores exactly like the package.

``upstream/lmms_eval_task/`` is what an lmms-eval pull request adds (the folder under
``lmms_eval/tasks/`` and the test under ``test/eval/``). These tests keep it a fresh export
whose Python modules are the package's own, byte for byte, run its lmms-eval-style test
inside an lmms-eval tree where this package cannot be imported, and run the same judge
outputs through the package's tasks and through the folder's, requiring identical metrics.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from med_rewardbench_tasks import export_lmms_eval
from med_rewardbench_tasks.build_dataset import build_dataset
from med_rewardbench_tasks.constants import ORGANS
from med_rewardbench_tasks.export_lmms_eval import ExportError, export_task_folder, shared_modules
from tests.canned_judge import canned_judge
from tests.conftest import REPO_ROOT, read_truth, run_lmms_eval
from tests.lmms_eval_tree import isolated_env, lmms_eval_with_task
from tests.openai_stub import serve_chat_completions
from tests.synthetic import make_cases, write_layout

UPSTREAM = REPO_ROOT / "upstream" / "lmms_eval_task"
COMMITTED = UPSTREAM / "lmms_eval" / "tasks" / "med_rewardbench"
UPSTREAM_TEST = UPSTREAM / "test" / "eval" / "test_med_rewardbench.py"
PACKAGE_DIR = REPO_ROOT / "med_rewardbench_tasks"


def export(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    export_lmms_eval.configure(parser)
    return export_lmms_eval.run(parser.parse_args(argv))


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export") / "med_rewardbench"
    assert export([str(folder)]) == 0
    return folder


# ---------------------------------------------------------------------------------------
# One source of truth
# ---------------------------------------------------------------------------------------
def test_the_shared_modules_in_the_folder_are_the_packages_own(exported: Path) -> None:
    for name in shared_modules():
        committed = COMMITTED / name
        assert committed.is_file(), f"{committed} is missing: run med-rewardbench export-lmms-eval --force {COMMITTED}"
        assert committed.read_bytes() == (PACKAGE_DIR / name).read_bytes(), (
            f"{committed} differs from med_rewardbench_tasks/{name}: edit the package's module, then re-export"
        )
        assert (exported / name).read_bytes() == (PACKAGE_DIR / name).read_bytes()


def test_the_committed_folder_is_a_fresh_export(exported: Path) -> None:
    assert tree(COMMITTED) == tree(exported), f"run: med-rewardbench export-lmms-eval --force {COMMITTED}"


def test_the_folder_is_readable_source_of_ordinary_size(exported: Path) -> None:
    files = tree(exported)
    assert {"utils.py", "__init__.py", "README.md", "_default_template_yaml", "med_rewardbench.yaml"} <= set(files)
    assert not any("sample" in name for name in files), "the synthetic sample stays in the package"
    for name, content in files.items():
        text = content.decode("utf-8")  # no binary file
        assert "\x00" not in text, name
        assert "sys.modules" not in text, name
        assert "do not edit" not in text.lower() and "generated" not in text.lower(), name
        if name.endswith(".py") and not name.startswith("parsing"):  # the parser's split is its own issue (17.1)
            assert len(text.splitlines()) <= 500, name
    assert len(files["utils.py"].decode().splitlines()) <= 40


def test_the_modules_import_each_other_relatively(exported: Path) -> None:
    import ast

    for path in exported.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert not (node.module or "").startswith("med_rewardbench_tasks"), (path.name, node.module)


def test_export_refuses_a_shared_module_that_imports_the_package_absolutely(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "med_rewardbench_tasks"
    package.mkdir()
    (package / "task_hooks.py").write_text("from .records import x\n")
    (package / "verdict_filter.py").write_text("from .task_hooks import y\n")
    (package / "records.py").write_text("from med_rewardbench_tasks.constants import DIMENSIONS\n")
    monkeypatch.setattr(export_lmms_eval, "PACKAGE_DIR", package)
    with pytest.raises(ExportError, match=r"records.py:1: a shared module must import the package relatively"):
        shared_modules()
    (package / "records.py").write_text("from ..elsewhere import x\n")
    with pytest.raises(ExportError, match="relative import leaves the package"):
        shared_modules()


def test_export_refuses_to_overwrite_and_replaces_an_earlier_export(tmp_path: Path, capsys) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert export([str(other)]) == 1
    assert "not an empty folder" in capsys.readouterr().err
    assert export([str(other), "--force"]) == 1  # not an earlier export: never deleted
    assert (other / "notes.txt").read_text() == "mine"

    target = tmp_path / "tasks"
    assert export([str(target)]) == 0
    (target / "stale.yaml").write_text("task: stale\n")
    assert export([str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert export([str(target), "--force"]) == 0
    assert not (target / "stale.yaml").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind
    assert sorted(export_task_folder(tmp_path / "again")) == sorted(tree(target))


# ---------------------------------------------------------------------------------------
# Inside lmms-eval, without this package
# ---------------------------------------------------------------------------------------
@pytest.mark.integration
def test_the_lmms_eval_style_test_passes_inside_lmms_eval(tmp_path: Path) -> None:
    lmms_eval_with_task(tmp_path / "site", COMMITTED)
    (tmp_path / "test" / "eval").mkdir(parents=True)
    (tmp_path / "test" / "eval" / UPSTREAM_TEST.name).write_bytes(UPSTREAM_TEST.read_bytes())
    env = {**isolated_env(tmp_path / "site"), "PATH": str(Path(sys.executable).parent)}
    probe = subprocess.run(
        [sys.executable, "-c", "import med_rewardbench_tasks"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert "No module named 'med_rewardbench_tasks'" in probe.stderr
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"test/eval/{UPSTREAM_TEST.name}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert "8 passed" in completed.stdout


@pytest.mark.integration
def case_record(target: str) -> dict[str, object]:
    """The target record without the provenance field, which only the package's loader writes."""
    return {key: value for key, value in json.loads(target).items() if key != "source"}


def test_the_folder_scores_the_same_judge_outputs_like_the_package(tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "copy"
    write_layout(make_cases({organ: index % 3 + 2 for index, organ in enumerate(ORGANS)}, seed=23), copy)
    monkeypatch.setenv("MED_REWARDBENCH_DATA_DIR", str(copy))
    build_dataset(tmp_path / "hub-form")  # what the folder reads, from what the package reads
    folder = lmms_eval_with_task(tmp_path / "site", COMMITTED)
    template = folder / "_default_template_yaml"
    template.write_text(
        template.read_text().replace("dataset_path: Nandzy/Med-RewardBench", f"dataset_path: {tmp_path / 'hub-form'}")
    )
    judge = canned_judge(read_truth(copy))
    tasks = ["--tasks", "med_rewardbench,med_rewardbench_swap"]
    runs, prompts = {}, {}
    for label, run_env in (
        ("package", {"MED_REWARDBENCH_DATA_DIR": str(copy)}),
        ("folder", isolated_env(tmp_path / "site")),
    ):
        with serve_chat_completions(judge) as server:
            model_args = f"model=stub-judge,base_url={server.base_url},api_key=sk-test,num_concurrent=8"
            runs[label] = run_lmms_eval(
                ["--model", "openai", "--model_args", model_args, *tasks], tmp_path / label, env=run_env
            )
        prompts[label] = sorted((request.text, tuple(request.image_urls)) for request in server.requests)

    assert "Failed to load model entry-point manifests" in runs["folder"].output  # the package really was absent
    assert prompts["folder"] == prompts["package"]  # same prompt text and the same image bytes
    names = [f"{prefix}{organ}" for prefix in ("med_rewardbench_", "med_rewardbench_swap_") for organ in ORGANS]
    for name in [*names, "med_rewardbench", "med_rewardbench_swap"]:
        assert runs["folder"].metrics(name) == runs["package"].metrics(name), name
    for name in names:
        logged = {
            label: [
                (s["doc_id"], case_record(s["target"]), s["filtered_resps"], s.get("resps")) for s in run.samples[name]
            ]
            for label, run in runs.items()
        }
        assert logged["folder"] == logged["package"], name
        # Only the package's own loader knows which data version it read; the folder reads a Hub dataset.
        assert all("source" in json.loads(s["target"]) for s in runs["package"].samples[name])
