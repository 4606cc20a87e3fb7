"""What a judge is shown: a case's image decoded within a pixel limit and mapped to 8-bit RGB.

Shared by the package's tasks and the lmms-eval task folder (it imports nothing of the
package): the docs hold either encoded bytes (the package's own loader) or a PIL image
(``datasets`` decoding a Hub dataset), and both reach the judge through :func:`judge_image`.

* **High-bit-depth images keep their contrast.** Pillow's ``convert("RGB")`` clips 16-bit
  and float pixels to 0..255, so 12-bit X-ray data arrives almost white and a float image
  in 0..1 arrives black. An image with more than 8 bits per sample is mapped linearly from
  its own minimum..maximum pixel value onto 0..255 (see :func:`to_rgb`).
* **One pixel limit, whatever a harness set.** Pillow's decompression-bomb guard is a process
  global that harnesses change; :func:`decode_image` applies its own limit, raised with
  ``MED_REWARDBENCH_MAX_IMAGE_PIXELS``, and can decode strictly (no truncated images) however
  ``ImageFile.LOAD_TRUNCATED_IMAGES`` was set.

Pillow and numpy are imported by the functions that need them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_PIXELS_ENV: Final = "MED_REWARDBENCH_MAX_IMAGE_PIXELS"
# Pillow's own refusal threshold (twice its Image.MAX_IMAGE_PIXELS default of 89,478,485):
# the limit a user of Pillow already lives with, enforced here whatever a harness changed.
DEFAULT_MAX_IMAGE_PIXELS: Final = 2 * 89_478_485

# Pillow's decoding switches are process globals; flipping them for one strict decode must
# not interleave with another thread doing the same.
_PILLOW_SWITCHES: Final = threading.Lock()
_HIGH_BIT_DEPTH_MODES: Final = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
# What Pillow raises for data it cannot decode (its UnidentifiedImageError is an OSError).
DECODE_ERRORS: Final = (OSError, SyntaxError, EOFError)


def max_image_pixels(env: Mapping[str, str] | None = None) -> int:
    """The pixel limit: ``$MED_REWARDBENCH_MAX_IMAGE_PIXELS`` when set, else Pillow's default refusal threshold."""
    env = os.environ if env is None else env
    raw = env.get(MAX_PIXELS_ENV, "").strip().replace("_", "")
    if not raw:
        return DEFAULT_MAX_IMAGE_PIXELS
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"{MAX_PIXELS_ENV}={env[MAX_PIXELS_ENV]!r} must be a positive number of pixels")
    return int(raw)


def decode_image(data: bytes, *, strict: bool, pixel_limit: int | None = None, draft_size: int | None = None) -> Image:
    """Decode fully, refusing truncated data when ``strict`` and images over the pixel limit.

    ``draft_size`` lets a JPEG decode at a reduced scale, no smaller than that many pixels a
    side (for previews; the whole stream is still read). Raises ValueError (too many pixels),
    or what Pillow raises for data it cannot decode.
    """
    import io

    from PIL import Image, ImageFile

    limit = max_image_pixels() if pixel_limit is None else pixel_limit
    with _PILLOW_SWITCHES:
        saved_truncated, saved_pixels = ImageFile.LOAD_TRUNCATED_IMAGES, Image.MAX_IMAGE_PIXELS
        if strict:
            ImageFile.LOAD_TRUNCATED_IMAGES = False
        # Our own check below replaces Pillow's (which refuses above twice its global
        # MAX_IMAGE_PIXELS, a value harnesses change): one limit, one message, one switch.
        Image.MAX_IMAGE_PIXELS = None
        try:
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > limit:
                raise ValueError(
                    f"image is {width}x{height} ({width * height:,} pixels), over the limit of {limit:,} pixels "
                    f"that guards against decompression bombs; if the image is genuine, raise the limit with "
                    f"{MAX_PIXELS_ENV}=<pixels>"
                )
            if draft_size is not None:
                image.draft(image.mode, (draft_size, draft_size))
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES, Image.MAX_IMAGE_PIXELS = saved_truncated, saved_pixels
    return image


def to_rgb(image: Image) -> Image:
    """The 8-bit RGB image a judge is shown.

    8-bit images convert as Pillow converts them. An image with more than 8 bits per
    sample (Pillow modes ``I;16*``, ``I``, ``F``: 16-bit greyscale PNG/TIFF, 32-bit
    integer or float TIFF) is mapped linearly from its own pixel range: the smallest value
    becomes 0, the largest 255, ``round((v - min) * 255 / (max - min))`` in between. A
    constant image becomes black. NaN or infinite pixels raise ValueError: no honest
    8-bit picture exists for them.
    """
    if image.mode not in _HIGH_BIT_DEPTH_MODES:
        return image.convert("RGB")
    import numpy as np
    from PIL import Image

    values = np.asarray(image)
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        raise ValueError(f"image ({image.mode} mode) has NaN or infinite pixel values; it cannot be shown to a judge")
    low, high = values.min(), values.max()
    if high == low:
        scaled = np.zeros(values.shape, dtype=np.uint8)
    elif values.dtype.kind in "iu" and int(high) - int(low) < 1 << 16:
        # Integer pixels: the same formula through a table of every value in range (about 10x faster).
        steps = np.arange(int(high) - int(low) + 1, dtype=np.float64)
        table = np.rint(steps * (255.0 / (int(high) - int(low)))).astype(np.uint8)
        scaled = table[values.astype(np.int64) - int(low)]
    else:
        scale = 255.0 / (float(high) - float(low))
        scaled = np.rint((values.astype(np.float64) - float(low)) * scale).astype(np.uint8)
    return Image.fromarray(scaled, mode="L").convert("RGB")


def judge_image(value: Any) -> Image:
    """What ``doc_to_visual`` hands the judge: a doc's image (bytes, an Image struct, a PIL image) as 8-bit RGB."""
    from PIL import Image

    if isinstance(value, Image.Image):
        return to_rgb(value)
    data = value.get("bytes") if isinstance(value, Mapping) else value
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError(f"expected encoded image bytes, got {type(data).__name__}")
    # Validated when the data loaded: decoding here needs no strictness, only our pixel limit.
    return to_rgb(decode_image(bytes(data), strict=False))


def shown_image_bytes(data: bytes) -> bytes:
    """Encoded bytes for a harness that decodes images itself (VLMEvalKit's TSV).

    An 8-bit image is passed on unchanged; an image with more than 8 bits per sample is
    re-encoded as the PNG of what :func:`judge_image` shows, since such a harness would clip it.
    """
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as opened:
        if opened.mode not in _HIGH_BIT_DEPTH_MODES:
            return data
    encoded = io.BytesIO()
    judge_image(data).save(encoded, format="PNG")
    return encoded.getvalue()
