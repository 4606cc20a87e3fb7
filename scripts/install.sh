#!/usr/bin/env bash
# Set up .venv/ in this checkout: the package (editable) with lmms-eval; --dev adds the test tools.
# Every package comes at the version in requirements/lock.txt (see scripts/lock.py), so a release
# of any dependency cannot change what this installs. Safe to run again: it only installs what is missing.
#
# For maintainers (scripts/drift_check.py uses them): --venv DIR puts the environment elsewhere;
# --unlocked takes the newest versions pyproject.toml allows, under requirements/holds.txt only.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="lmms"
venv=".venv"
constraints="requirements/lock.txt"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dev) extras="lmms,dev" ;;
        --unlocked) constraints="requirements/holds.txt" ;;
        --venv) venv="${2:?--venv needs a folder}"; shift ;;
        *) echo "usage: scripts/install.sh [--dev] [--unlocked] [--venv DIR]" >&2; exit 2 ;;
    esac
    shift
done
python="$venv/bin/python"

if [[ ! -x "$python" ]]; then
    python3 -m venv "$venv"
fi
"$python" -m pip install --quiet --disable-pip-version-check -c "$constraints" -e ".[${extras}]"

# lmms-eval depends on torchvision, but the only torchvision the registry offers for torch
# 2.13.0 is a CUDA build: on a CPU machine it fails to import and takes transformers' import
# down with it. lmms-eval's core does not use it, so it goes where it cannot load.
if ! "$python" -c "import torchvision" >/dev/null 2>&1; then
    "$python" -m pip uninstall --quiet --yes torchvision >/dev/null 2>&1 || true
fi
# A package the lock does not name (pyproject.toml grew a dependency) would have come at whatever
# version is newest today: refuse that environment instead of testing an unlocked one.
if [[ "$constraints" == "requirements/lock.txt" ]]; then
    "$python" scripts/lock.py --check
fi
echo "ready: $("$python" -c 'import med_rewardbench_tasks as m, lmms_eval.models as _; print("med-rewardbench-tasks", m.__version__)')"
