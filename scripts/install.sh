#!/usr/bin/env bash
# Set up .venv/ in this checkout: the package (editable) with lmms-eval; --dev adds the test tools.
# Every package comes at the version in requirements/lock.txt (see scripts/lock.py), so a release
# of any dependency cannot change what this installs. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="lmms"
if [[ "${1:-}" == "--dev" ]]; then
    extras="lmms,dev"
fi

if [[ ! -x .venv/bin/python ]]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements/lock.txt -e ".[${extras}]"

# lmms-eval depends on torchvision, but the only torchvision the registry offers for torch
# 2.13.0 is a CUDA build: on a CPU machine it fails to import and takes transformers' import
# down with it. lmms-eval's core does not use it, so it goes where it cannot load.
if ! .venv/bin/python -c "import torchvision" >/dev/null 2>&1; then
    .venv/bin/python -m pip uninstall --quiet --yes torchvision >/dev/null 2>&1 || true
fi
# A package the lock does not name (pyproject.toml grew a dependency) would have come at whatever
# version is newest today: refuse that environment instead of testing an unlocked one.
.venv/bin/python scripts/lock.py --check
echo "ready: $(.venv/bin/python -c 'import med_rewardbench_tasks as m, lmms_eval.models as _; print("med-rewardbench-tasks", m.__version__)')"
