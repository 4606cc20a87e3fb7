#!/usr/bin/env bash
# Judge the full benchmark (13 organ systems, 1,026 cases) with Qwen2.5-VL on one GPU.
# Any model lmms-eval supports works the same way: change --model and --model_args.
#   PRETRAINED  a Hub id or a local checkpoint directory (default: Qwen/Qwen2.5-VL-7B-Instruct)
#   DEVICE      cuda (default), cuda:1, or cpu
#   TASKS       med_rewardbench (default), one organ such as med_rewardbench_lung, or med_rewardbench_sample
# Extra arguments go to lmms-eval, e.g. --limit 8 or --gen_kwargs max_new_tokens=1024.
set -euo pipefail
PRETRAINED="${PRETRAINED:-Qwen/Qwen2.5-VL-7B-Instruct}"
DEVICE="${DEVICE:-cuda}"
lmms-eval \
    --model qwen2_5_vl \
    --model_args "pretrained=${PRETRAINED},device=${DEVICE},device_map=${DEVICE}" \
    --tasks "${TASKS:-med_rewardbench}" \
    --batch_size 1 \
    --log_samples \
    --output_path "${OUTPUT_PATH:-results/qwen2_5_vl}" \
    "$@"
