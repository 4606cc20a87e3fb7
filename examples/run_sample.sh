#!/usr/bin/env bash
# The whole pipeline offline, on the synthetic sample shipped with the package, with a
# reference judge that needs no download (it picks the longer answer).
set -euo pipefail
lmms-eval \
    --model med_rewardbench_baseline \
    --model_args strategy=longer_answer \
    --tasks med_rewardbench_sample \
    --log_samples \
    --output_path "${OUTPUT_PATH:-results/sample}" \
    "$@"
