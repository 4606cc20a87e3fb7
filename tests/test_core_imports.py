"""The core imports without torch or lmms-eval, and does no file or network I/O at import time."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT

CORE_MODULES = (
    "med_rewardbench_tasks",
    "med_rewardbench_tasks.constants",
    "med_rewardbench_tasks.prompts",
    "med_rewardbench_tasks.parsing",
    "med_rewardbench_tasks.metric_names",
    "med_rewardbench_tasks.records",
    "med_rewardbench_tasks.metrics",
    "med_rewardbench_tasks.task_hooks",
    "med_rewardbench_tasks.data",
    "med_rewardbench_tasks.baselines",
    "med_rewardbench_tasks.registration",
    "med_rewardbench_tasks.lmms_eval_tasks",
)

# An audit hook sees every file the imports open and every socket they touch; only
# Python's own module files may be opened.
PROBE = r"""
import json, os, sys
events = []
def audit(event, args):
    if event == "open":
        path = str(args[0])
        if not path.endswith((".py", ".pyc", ".so", ".pth")) and not os.path.isdir(path):
            events.append(("open", path))
    elif event.startswith("socket."):
        events.append((event, ""))
sys.addaudithook(audit)
import importlib
for name in MODULES:
    importlib.import_module(name)
heavy = sorted(
    m
    for m in ("torch", "lmms_eval", "transformers", "datasets", "pyarrow", "PIL", "numpy", "huggingface_hub")
    if m in sys.modules
)
print(json.dumps({"events": events, "heavy": heavy}))
"""


def test_core_imports_are_light_and_do_no_io() -> None:
    code = f"MODULES = {CORE_MODULES!r}\n" + PROBE
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["heavy"] == []
    assert report["events"] == []
