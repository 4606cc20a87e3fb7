"""``export-lmms-eval``: a task folder that runs where this package cannot be imported.

The isolation test runs the real lmms-eval CLI on the exported folder with a start-up
blocker that makes ``import med_rewardbench_tasks`` fail (it defeats the editable install's
path entry and the ``.pth`` hook too; the test checks that), against an OpenAI-compatible
stub, and compares every metric with the same run through the installed package.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from med_rewardbench_tasks import export_lmms_eval
from med_rewardbench_tasks.export_lmms_eval import BundleError, bundle_source, export_task_folder
from med_rewardbench_tasks.registration import task_directory
from tests.conftest import TruthCase, assert_metrics, expected_metrics, run_lmms_eval
from tests.openai_stub import serve_chat_completions

BLOCKER = '''
"""Test start-up hook: makes `import med_rewardbench_tasks` fail in this interpreter."""
import os
import sys

_PACKAGE = "med_rewardbench_tasks"


def _ours(name):
    return name == _PACKAGE or name.startswith(_PACKAGE + ".")


# The editable install's .pth files ran before this hook: they put the checkout on sys.path
# and imported the package's start-up module. Undo both.
for _name in [n for n in sys.modules if _ours(n)]:
    del sys.modules[_name]
sys.path[:] = [p for p in sys.path if not os.path.isdir(os.path.join(p or ".", _PACKAGE))]
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ is None or not _ours(type(f).__module__)]


class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if _ours(name):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by a test)", name=name)
        return None


sys.meta_path.insert(0, _Blocker())
'''


def export(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    export_lmms_eval.configure(parser)
    return export_lmms_eval.run(parser.parse_args(argv))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export") / "med_rewardbench"
    assert export([str(folder)]) == 0
    return folder


def function_tags(folder: Path) -> set[str]:
    names = set()
    for path in folder.iterdir():
        if path.name.endswith(("yaml", "_yaml")):
            names.update(re.findall(r"!function utils\.(\w+)", path.read_text()))
    return names


# ---------------------------------------------------------------------------------------
# The folder and its utils.py
# ---------------------------------------------------------------------------------------
def test_folder_has_the_tasks_the_readme_and_the_sample(exported: Path) -> None:
    source_dir = Path(task_directory())
    copied = {p.name for p in source_dir.iterdir() if p.is_file() and not p.name.endswith((".py", ".pyc"))}
    present = {p.name for p in exported.iterdir() if p.is_file()}
    assert present == copied | {"utils.py", "README.md"}
    assert (exported / "placeholder.jsonl").read_text() == (source_dir / "placeholder.jsonl").read_text()
    assert (exported / "sample_data" / "pair_gt_all" / "parquet" / "brain.parquet").is_file()
    # Comments no longer point into a package that is not there; the settings are unchanged.
    for name in copied - {"placeholder.jsonl"}:
        text = (exported / name).read_text()
        assert "med_rewardbench_tasks" not in text, name
        original = (source_dir / name).read_text()
        strip = lambda t: [line for line in t.splitlines() if not line.lstrip().startswith("#")]  # noqa: E731
        assert strip(text) == strip(original), name
    readme = (exported / "README.md").read_text()
    assert readme.startswith("# Med-RewardBench\n\n## Paper\n")
    for heading in ("## Citation", "### Groups and Tasks", "#### Groups", "#### Tasks", "### Checklist"):
        assert heading in readme
    assert "`med_rewardbench_<organ>`" in readme and "`brain`" in readme and "`med_rewardbench_sample`" in readme


def test_utils_is_self_contained_and_defines_every_hook(exported: Path) -> None:
    source = (exported / "utils.py").read_text()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("med_rewardbench_tasks") for a in node.names)
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("med_rewardbench_tasks"), ast.unparse(node)
    exported_names = ast.literal_eval(
        next(n.value for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "__all__")
    )
    assert function_tags(exported) <= set(exported_names)
    assert export_lmms_eval.GENERATED_MARKER in source
    # Generated from the package's own modules at export time: their code is in it verbatim.
    package = Path(export_lmms_eval.__file__).parent
    for module in ("prompts", "parsing", "metrics"):
        body = (package / f"{module}.py").read_text()
        first_def = body[body.index("\ndef ") :][:400]
        assert first_def in source, module
    assert source == bundle_source()


def test_utils_loads_by_path_as_lmms_eval_loads_it_and_matches_the_package(exported: Path) -> None:
    probe = f"""
import importlib.util, json, sys
results = []
for attempt in range(2):  # lmms-eval executes the file once per `!function` tag
    spec = importlib.util.spec_from_file_location("utils", {str(exported / "utils.py")!r})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert "utils" not in sys.modules, "the stand-in module must be taken out again"
doc = {{"question": "Q?", "answer1_text": "one", "answer2_text": "two", "swapped": False}}
verdict = module.parse_verdict('{{"accuracy": "A", "overall": "B"}}')
print(json.dumps({{"prompt": module.doc_to_text(doc), "verdict": verdict.to_dict(),
                   "sample_dir": str(module.SAMPLE_DIR)}}))
"""
    env = {**os.environ, "MED_REWARDBENCH_TASKS_AUTOLOAD": "0"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    result = json.loads(out.stdout)
    from med_rewardbench_tasks.lmms_eval_tasks import doc_to_text
    from med_rewardbench_tasks.parsing import parse_verdict

    assert result["prompt"] == doc_to_text({"question": "Q?", "answer1_text": "one", "answer2_text": "two"})
    assert result["verdict"] == json.loads(json.dumps(parse_verdict('{"accuracy": "A", "overall": "B"}').to_dict()))
    assert Path(result["sample_dir"]) == exported / "sample_data"


def test_no_sample_leaves_out_the_sample_and_its_tasks(tmp_path: Path) -> None:
    summary = export_task_folder(tmp_path / "out", with_sample=False)
    assert not (summary.path / "sample_data").exists()
    assert not list(summary.path.glob("med_rewardbench_sample*.yaml"))
    assert "med_rewardbench_sample" not in summary.tasks
    assert "med_rewardbench" in summary.groups
    assert "leaves out the synthetic sample" in (summary.path / "README.md").read_text()


def test_refuses_to_overwrite_and_replaces_an_earlier_export(tmp_path: Path, capsys) -> None:
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
    assert export([str(target), "--force", "--no-sample"]) == 0
    assert not (target / "stale.yaml").exists() and not (target / "sample_data").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind


# ---------------------------------------------------------------------------------------
# The bundler refuses what it cannot flatten safely
# ---------------------------------------------------------------------------------------
def fake_module(tmp_path: Path, name: str, source: str) -> export_lmms_eval._Module:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    return export_lmms_eval._Module(name, path)


def test_bundler_refuses_clashing_and_builtin_names(tmp_path: Path) -> None:
    first = fake_module(tmp_path, "first", "_helper = 1\nfrom json import loads\n")
    second = fake_module(tmp_path, "second", "def _helper():\n    pass\nfrom json import loads\n")
    with pytest.raises(BundleError, match="'_helper' is bound by both"):
        export_lmms_eval._check_bindings([first, second])
    shadow = fake_module(tmp_path, "shadow", "def filter(x):\n    return x\n")
    with pytest.raises(BundleError, match="builtin"):
        export_lmms_eval._check_bindings([shadow])
    same_import = fake_module(tmp_path, "third", "from json import loads\n")
    assert "loads" in export_lmms_eval._check_bindings([first, same_import])


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import med_rewardbench_tasks.parsing\n", "cannot be bundled"),
        ("from . import parsing\n", "relative imports"),
        (
            "from typing import ClassVar\n\nclass C:\n    x: ClassVar[int] = 1\n",
            "ClassVar",
        ),
        ("import importlib\nm = importlib.import_module('med_rewardbench_tasks.parsing')\n", "names a package module"),
    ],
)
def test_bundler_refuses_what_it_cannot_flatten(tmp_path: Path, source: str, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        module = fake_module(tmp_path, "odd", source)
        export_lmms_eval._check_class_annotations(module)
        export_lmms_eval._rewritten_source(module)


def test_rewriting_keeps_comments_and_turns_nested_imports_into_pass(tmp_path: Path) -> None:
    module = fake_module(
        tmp_path,
        "hooks",
        '"""Doc."""\n\nfrom __future__ import annotations\n\n'
        "from med_rewardbench_tasks.constants import DIMENSIONS as DIMS  # the six\n\n\n"
        "def f():\n    # keep me\n    from med_rewardbench_tasks import data\n\n    return data.load_cases\n",
    )
    text = export_lmms_eval._rewritten_source(module)
    assert text.startswith("# Doc.\n")
    assert "DIMS = DIMENSIONS\n" in text
    assert "    # keep me\n    pass  # was: from med_rewardbench_tasks import ...\n" in text
    assert "__future__" not in text
    assert module.namespaces == {"data": "data"}


# ---------------------------------------------------------------------------------------
# The real CLI, where the package cannot be imported
# ---------------------------------------------------------------------------------------
def canned(case: TruthCase, index: int) -> tuple[str, dict[str, str | None], bool]:
    correct = dict(case.labels)
    flipped = {d: ("B" if w == "A" else "A") for d, w in correct.items()}
    shape = index % 4
    if shape == 0:
        return json.dumps({**correct, "reason": "fits the image"}), correct, False
    if shape == 1:
        lines = "\n".join(f"- **{d.capitalize()}**: Assistant {w}" for d, w in flipped.items())
        return f"<think>weighing</think>\n{lines}", flipped, False
    if shape == 2:
        return "My final verdict: [[B]]", {"overall": "B"}, True
    return json.dumps({**correct, "overall": "tie"}), {**correct, "overall": None}, True


def isolated_env(tmp_path: Path) -> dict[str, str]:
    blocker_dir = tmp_path / "blocker"
    blocker_dir.mkdir()
    (blocker_dir / "sitecustomize.py").write_text(BLOCKER)
    inherited = os.environ.get("PYTHONPATH")
    return {
        "PYTHONPATH": str(blocker_dir) + (os.pathsep + inherited if inherited else ""),
        "MED_REWARDBENCH_TASKS_AUTOLOAD": "0",
    }


@pytest.mark.integration
def test_exported_folder_runs_without_the_package_and_scores_the_same(
    exported: Path, tmp_path: Path, sample_truth: list[TruthCase]
) -> None:
    env = isolated_env(tmp_path)
    probe = subprocess.run(
        [sys.executable, "-c", "import med_rewardbench_tasks"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=tmp_path,
        check=False,
    )
    assert probe.returncode != 0 and "No module named 'med_rewardbench_tasks'" in probe.stderr
    lmms_eval_ok = subprocess.run(
        [sys.executable, "-c", "import lmms_eval, datasets, PIL, sys; print(sys.flags.isolated)"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    assert lmms_eval_ok.stdout.strip() == "0"

    canned_by_answers = {(c.answer1_text, c.answer2_text): canned(c, i) for i, c in enumerate(sample_truth)}

    def reply_for(text: str) -> str:
        matches = [reply for (a, b), (reply, _, _) in canned_by_answers.items() if a in text and b in text]
        assert len(matches) == 1
        return matches[0]

    runs = {}
    prompts = {}
    for label, args, run_env in (
        ("installed", ["--tasks", "med_rewardbench_sample"], {}),
        ("exported", ["--tasks", "med_rewardbench_sample", "--include_path", str(exported)], env),
    ):
        with serve_chat_completions(reply_for) as server:
            model_args = f"model=stub-judge,base_url={server.base_url},api_key=sk-test,num_concurrent=4,max_retries=2"
            runs[label] = run_lmms_eval(
                ["--model", "openai", "--model_args", model_args, *args], tmp_path / label, env=run_env
            )
        prompts[label] = sorted((r.text, tuple(r.image_urls)) for r in server.requests)

    assert "Failed to load model entry-point manifests" in runs["exported"].output  # the package really was absent
    expected = expected_metrics(
        sample_truth,
        lambda case: canned_by_answers[(case.answer1_text, case.answer2_text)][1],
        lambda case: canned_by_answers[(case.answer1_text, case.answer2_text)][2],
    )
    assert_metrics(runs["exported"], "med_rewardbench_sample", expected)
    # Every number, standard errors and bootstrap intervals included, is the installed package's.
    assert runs["exported"].metrics("med_rewardbench_sample") == runs["installed"].metrics("med_rewardbench_sample")
    assert prompts["exported"] == prompts["installed"]  # same prompt text and same image bytes
    logged = {
        label: [s["filtered_resps"] for s in run.samples["med_rewardbench_sample"]] for label, run in runs.items()
    }
    assert logged["exported"] == logged["installed"]
