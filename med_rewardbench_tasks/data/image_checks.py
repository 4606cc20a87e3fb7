"""Images of Med-RewardBench cases: bounded reads, strict decoding, and what the judge is shown.

Rules, each a defence against data that would otherwise distort a run silently:

* **Reads stay inside the data and are bounded.** An image named by a path is read only
  from inside the dataset's folder (see :mod:`.sources`); the read itself accepts only a
  regular file no larger than :data:`MAX_IMAGE_FILE_BYTES`, so ``/dev/zero``, a FIFO or a
  huge file ends in an error instead of exhausting memory or hanging.
* **Decoding is strict whatever the process set.** lmms-eval sets Pillow's global
  ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` when it is imported, which makes a PNG cut in
  half decode into a partly black image. Validation decodes with that switch off, and
  refuses images over a pixel limit (decompression bombs) with an error that says how to
  raise it: ``MED_REWARDBENCH_MAX_IMAGE_PIXELS``.
* **What the judge is shown** (8-bit RGB, high-bit-depth images mapped by their own range) is
  :mod:`med_rewardbench_tasks.images`, shared with the lmms-eval task folder; validation refuses
  here what it cannot map (NaN or infinite pixels).

Pillow and numpy are imported by the functions that need them.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Final

from med_rewardbench_tasks.images import (
    DECODE_ERRORS,
    decode_image,
    max_image_pixels,
    to_rgb,
)

from .model import DataValidationError

if TYPE_CHECKING:
    from pathlib import Path


# Far above any encoded scan in the benchmark; a file this large is a mistake or an attack.
MAX_IMAGE_FILE_BYTES: Final = 256 * 1024 * 1024


def read_bounded(path: Path, *, limit: int, what: str, where: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is a DataValidationError.

    The file is opened non-blocking so a FIFO cannot hang the run, and its type and size
    are checked on the open descriptor (no window for a swap between check and read).
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise DataValidationError(f"{where}: {what} {path} cannot be read ({error.strerror})") from error
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise DataValidationError(f"{where}: {what} {path} is not a regular file")
        if info.st_size > limit:
            raise DataValidationError(
                f"{where}: {what} {path} is {info.st_size:,} bytes, more than the {limit:,} bytes allowed"
            )
        chunks: list[bytes] = []
        remaining = limit + 1  # one byte more than allowed reveals a file that grew since fstat
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:
            raise DataValidationError(f"{where}: {what} {path} is more than the {limit:,} bytes allowed")
        return b"".join(chunks)
    except OSError as error:
        raise DataValidationError(f"{where}: {what} {path} cannot be read ({error.strerror})") from error
    finally:
        os.close(descriptor)


def validate_image(data: bytes, *, where: str) -> None:
    """Check that ``data`` decodes completely, within the pixel limit, into an image the judge can be shown."""
    from PIL import Image

    try:
        limit = max_image_pixels()
    except ValueError as error:  # the environment switch itself is malformed
        raise DataValidationError(f"{where}: {error}") from error
    try:
        image = decode_image(data, strict=True, pixel_limit=limit)
    except Image.DecompressionBombError as error:  # a Pillow limit stricter than ours, set by the process
        raise DataValidationError(f"{where}: {error}; if the image is genuine, raise Pillow's limit") from error
    except ValueError as error:
        if str(error).startswith("image is "):
            raise DataValidationError(f"{where}: {error}") from error
        raise DataValidationError(f"{where}: image does not decode (ValueError: {error})") from error
    except DECODE_ERRORS as error:
        raise DataValidationError(f"{where}: image does not decode ({type(error).__name__}: {error})") from error
    if image.mode == "F":  # the one kind of image to_rgb can refuse
        try:
            to_rgb(image)
        except ValueError as error:
            raise DataValidationError(f"{where}: {error}") from error
