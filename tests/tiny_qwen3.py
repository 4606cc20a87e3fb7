"""Tiny random Qwen3-VL and Qwen3.5 checkpoints, built offline (the recipe of ``tests/tiny_models.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.tiny_models import (
    _qwen_vision_token_ids,
    _save_qwen_tokenizer_and_processor,
    _save_weights,
    checkpoint_folder,
    rope_settings,
    small_text_config,
)

# --- Qwen3-VL ---------------------------------------------------------------------------

# Qwen3-VL's vision patch is 16 pixels, merged 2 x 2: a 64 x 64 image is 4 x 4 patches and
# 4 image tokens. lmms-eval's qwen3_vl resizes with the min/max pixels it is given.
QWEN3_IMAGE_PIXELS = 64 * 64


def _qwen3_vision_config(**extra: Any) -> dict[str, Any]:
    """Qwen3-VL's vision tower (also Qwen3.5's): 2 blocks, 16 wide, merged into the 32-wide text model."""
    return {
        "depth": 2,
        "hidden_size": 16,
        "intermediate_size": 32,
        "num_heads": 2,
        "patch_size": 16,
        "spatial_merge_size": 2,
        "temporal_patch_size": 2,
        "out_hidden_size": 32,
        # A 4 x 4 grid of learned position embeddings, interpolated to the image's grid.
        "num_position_embeddings": 16,
        **extra,
    }


def build_tiny_qwen3_vl(directory: Path) -> Path:
    """A Qwen3-VL checkpoint (2 vision blocks with one deepstack layer, 2 text layers)."""
    from transformers import Qwen3VLConfig, Qwen3VLForConditionalGeneration

    out = checkpoint_folder(directory)
    # As for Qwen2-VL (see tiny_models): AutoProcessor finds Qwen3VLProcessor from config.json.
    tokenizer, ids = _save_qwen_tokenizer_and_processor(out, pixels=QWEN3_IMAGE_PIXELS, patch_size=16)
    config = Qwen3VLConfig(
        text_config=small_text_config(
            tokenizer,
            head_dim=16,
            # Interleaved multimodal RoPE over head_dim / 2 = 8 frequencies.
            **rope_settings(mrope_section=[4, 2, 2], mrope_interleaved=True),
            bos_token_id=ids["<|endoftext|>"],
            eos_token_id=ids["<|im_end|>"],
            pad_token_id=ids["<|endoftext|>"],
        ),
        vision_config=_qwen3_vision_config(deepstack_visual_indexes=[0]),
        **_qwen_vision_token_ids(ids),
    )
    _save_weights(Qwen3VLForConditionalGeneration, config, out)
    return out


# --- Qwen3.5 ------------------------------------------------------------------------------


def build_tiny_qwen3_5(directory: Path) -> Path:
    """A Qwen3.5 checkpoint: Qwen3-VL's vision tower, and a hybrid text model (one linear-attention
    layer, one full-attention layer)."""
    from transformers import Qwen3_5Config, Qwen3_5ForConditionalGeneration

    out = checkpoint_folder(directory)
    tokenizer, ids = _save_qwen_tokenizer_and_processor(out, pixels=QWEN3_IMAGE_PIXELS, patch_size=16)
    config = Qwen3_5Config(
        text_config=small_text_config(
            tokenizer,
            head_dim=16,
            layer_types=["linear_attention", "full_attention"],
            linear_conv_kernel_dim=4,
            linear_key_head_dim=8,
            linear_value_head_dim=8,
            linear_num_key_heads=2,
            linear_num_value_heads=2,
            **rope_settings(mrope_section=[4, 2, 2], mrope_interleaved=True, partial_rotary_factor=1.0),
            bos_token_id=ids["<|endoftext|>"],
            eos_token_id=ids["<|im_end|>"],
            pad_token_id=ids["<|endoftext|>"],
        ),
        vision_config=_qwen3_vision_config(),
        **_qwen_vision_token_ids(ids),
    )
    _save_weights(Qwen3_5ForConditionalGeneration, config, out)
    return out
