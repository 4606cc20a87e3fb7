"""Med-RewardBench for lmms-eval and VLMEvalKit: judge prompts, verdict parsing and metrics.

This module is imported at every interpreter start (the package's ``.pth`` hook), so it
imports nothing: use the submodules, e.g. ``med_rewardbench_tasks.parsing``.
"""

__version__ = "0.1.0"
