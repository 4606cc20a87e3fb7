#!/usr/bin/env bash
# Judge with a proprietary or self-hosted model behind an OpenAI-compatible API.
#   OPENAI_API_KEY   the key (required by the client; any string for local servers)
#   JUDGE_MODEL      the served model name (default: gpt-4o)
#   OPENAI_BASE_URL  the endpoint (default: https://api.openai.com/v1); vLLM/SGLang serve one too
# A request that still fails after max_retries is recorded as an unparseable verdict with
# lmms-eval's failure message as its reason; the run goes on and the case counts as wrong.
set -euo pipefail
: "${OPENAI_API_KEY:?set OPENAI_API_KEY}"
lmms-eval \
    --model openai \
    --model_args "model=${JUDGE_MODEL:-gpt-4o},base_url=${OPENAI_BASE_URL:-https://api.openai.com/v1},num_concurrent=8,max_retries=3,timeout=120" \
    --tasks "${TASKS:-med_rewardbench}" \
    --log_samples \
    --output_path "${OUTPUT_PATH:-results/api_judge}" \
    "$@"
