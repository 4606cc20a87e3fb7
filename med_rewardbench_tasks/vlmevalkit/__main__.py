"""``python -m med_rewardbench_tasks.vlmevalkit RUN_PY [run.py arguments ...]``: see :mod:`.launcher`.

Python imports the package itself first (as ``med_rewardbench_tasks.vlmevalkit``), so the dataset class
that registration sets on it pickles by reference to that name, where a worker process finds it.
"""

import sys

from med_rewardbench_tasks.vlmevalkit.launcher import main

if __name__ == "__main__":
    sys.exit(main())
