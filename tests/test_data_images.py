"""Images: paths stay inside the data, reads are bounded, decoding is strict, and the judge sees true contrast.

Pixel values the judge should receive are worked out by hand in each test, not by the
package's conversion.
"""

from __future__ import annotations

import io
import os
import struct
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from med_rewardbench_tasks import data, lmms_eval_tasks
from med_rewardbench_tasks.data.image_checks import MAX_IMAGE_FILE_BYTES, read_bounded
from tests.conftest import run_lmms_eval
from tests.layouts import case_row, label, png, write_organ


def load(root: Path, organ: str = "brain") -> list[data.Case]:
    return data.load_organ(organ, data.LocalDirectory(root))


def with_image(root: Path, image: object) -> Path:
    return write_organ(root, "brain", [case_row(1, image=image)], [label(1)])


def noisy_png(size: int = 64) -> bytes:
    pixels = np.random.default_rng(0).integers(0, 256, (size, size), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def encoded(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def judged_pixels(root: Path) -> np.ndarray:
    """What doc_to_visual hands the judge for the first case, as an RGB array."""
    doc = data.cases_to_dataset(load(root))[0]
    (image,) = lmms_eval_tasks.doc_to_visual(doc)
    assert image.mode == "RGB"
    return np.asarray(image)


# ---------------------------------------------------------------------------------------
# Paths and reads
# ---------------------------------------------------------------------------------------
IMAGES = Path("pair_gt_all") / "parquet"  # image paths are relative to the table naming them


@pytest.mark.parametrize(
    ("path", "message"),
    [
        pytest.param("/etc/hostname", r"image path '/etc/hostname' is absolute", id="absolute"),
        pytest.param(
            "../../../outside.png", r"image path '\.\./\.\./\.\./outside\.png' leaves the dataset", id="dotdot"
        ),
        pytest.param("images/../../../../x.png", r"image path .* leaves the dataset folder", id="dotdot-inside"),
    ],
)
def test_image_paths_that_leave_the_dataset_are_refused_naming_the_row(tmp_path: Path, path: str, message: str) -> None:
    data_dir = tmp_path / "copy"
    (tmp_path / "outside.png").write_bytes(png())
    with_image(data_dir, {"bytes": None, "path": path})
    with pytest.raises(data.DataValidationError, match=r"brain\.parquet row 0 \(question_id 1\): " + message):
        load(data_dir)


def test_a_symlink_out_of_the_dataset_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "copy"
    (tmp_path / "secret.png").write_bytes(png())
    with_image(data_dir, {"bytes": None, "path": "images/scan.png"})
    (data_dir / IMAGES / "images").mkdir()
    (data_dir / IMAGES / "images" / "scan.png").symlink_to(tmp_path / "secret.png")
    with pytest.raises(
        data.DataValidationError, match=r"row 0 \(question_id 1\): image path 'images/scan\.png' leads out"
    ):
        load(data_dir)


def test_a_symlink_inside_the_dataset_is_followed(tmp_path: Path) -> None:
    with_image(tmp_path, {"bytes": None, "path": "link.png"})
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "real.png").write_bytes(png(77))
    (tmp_path / IMAGES / "link.png").symlink_to(tmp_path / "scans" / "real.png")
    assert load(tmp_path)[0].image == png(77)


def test_a_path_from_the_dataset_root_is_read_when_the_file_relative_one_is_not_there(tmp_path: Path) -> None:
    with_image(tmp_path, {"bytes": None, "path": "scans/brain/1.png"})
    (tmp_path / "scans" / "brain").mkdir(parents=True)
    (tmp_path / "scans" / "brain" / "1.png").write_bytes(png(55))
    assert load(tmp_path)[0].image == png(55)


def test_a_path_naming_a_file_from_both_places_is_refused_naming_both(tmp_path: Path) -> None:
    with_image(tmp_path, {"bytes": None, "path": "scans/1.png"})
    for folder in (tmp_path / "scans", tmp_path / IMAGES / "scans"):
        folder.mkdir(parents=True)
        (folder / "1.png").write_bytes(png())
    with pytest.raises(
        data.DataValidationError,
        match=r"row 0 \(question_id 1\): image path 'scans/1\.png' names two files, pair_gt_all/parquet/scans/1\.png "
        r"\(relative to pair_gt_all/parquet/brain\.parquet\) and scans/1\.png \(relative to the dataset's root\)",
    ):
        load(tmp_path)


def test_a_path_found_in_neither_place_names_both(tmp_path: Path) -> None:
    with_image(tmp_path, {"bytes": None, "path": "scans/1.png"})
    with pytest.raises(
        data.DataValidationError,
        match=r"row 0 \(question_id 1\): image pair_gt_all/parquet/scans/1\.png or scans/1\.png is not a file of",
    ):
        load(tmp_path)


def test_an_image_given_as_base64_text(tmp_path: Path) -> None:
    import base64

    image = noisy_png()
    with_image(tmp_path, base64.b64encode(image).decode())
    assert load(tmp_path)[0].image == image


def test_a_data_uri_that_does_not_decode_is_named(tmp_path: Path) -> None:
    with_image(tmp_path, "data:image/png;base64,iVBORw0KGgo=broken")
    with pytest.raises(data.DataValidationError, match=r"row 0 \(question_id 1\): image is given as base64 text"):
        load(tmp_path)


def finishes(action, seconds: float = 20.0) -> BaseException | None:
    """Run ``action`` in a thread; fail the test if it hangs. Returns what it raised."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            action()
            outcome.append(None)
        except BaseException as error:  # handed back to the test
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still running after {seconds} s"
    return outcome[0]


def test_a_fifo_named_as_an_image_is_refused_without_hanging(tmp_path: Path) -> None:
    with_image(tmp_path, {"bytes": None, "path": "pipe.png"})
    os.mkfifo(tmp_path / IMAGES / "pipe.png")
    raised = finishes(lambda: load(tmp_path))
    assert isinstance(raised, data.DataValidationError)
    assert "row 0 (question_id 1): image file" in str(raised) and "pipe.png is not a regular file" in str(raised)


def test_a_huge_image_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with_image(tmp_path, {"bytes": None, "path": "huge.png"})
    with open(tmp_path / IMAGES / "huge.png", "wb") as handle:  # sparse: no disk, no memory
        handle.truncate(MAX_IMAGE_FILE_BYTES + 1)
    with pytest.raises(data.DataValidationError, match=r"huge\.png is 268,435,457 bytes, more than the 268,435,456"):
        load(tmp_path)


def test_dev_zero_is_never_read_without_bound(tmp_path: Path) -> None:
    raised = finishes(lambda: read_bounded(Path("/dev/zero"), limit=1024, what="image file", where="row 0"))
    assert isinstance(raised, data.DataValidationError)
    assert str(raised) == "row 0: image file /dev/zero is not a regular file"


def test_a_label_file_that_is_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1)], labels=None)
    os.mkfifo(tmp_path / "pair_gt_all" / "brain.jsonl")
    raised = finishes(lambda: load(tmp_path))
    assert isinstance(raised, data.DataValidationError)
    assert "brain.jsonl: not a regular file" in str(raised)


# ---------------------------------------------------------------------------------------
# Strict decoding: truncation and decompression bombs
# ---------------------------------------------------------------------------------------
def test_a_png_cut_in_half_is_refused_even_when_pillow_accepts_truncated_images(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = noisy_png()
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # what importing lmms-eval does
    Image.open(io.BytesIO(whole[: len(whole) // 2])).load()  # Pillow itself now accepts the half image
    with_image(tmp_path, {"bytes": whole[: len(whole) // 2], "path": None})
    with pytest.raises(data.DataValidationError, match=r"row 0 \(question_id 1\): image does not decode \(OSError"):
        load(tmp_path)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the harness's setting is left as it was


def png_bomb(width: int, height: int) -> bytes:
    """A valid greyscale PNG of width x height black pixels: a few hundred KiB that decode to width*height bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + pixels
    stream = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", stream) + chunk(b"IEND", b"")


def test_a_decompression_bomb_names_the_row_the_limit_and_the_switch(tmp_path: Path) -> None:
    with_image(tmp_path, {"bytes": png_bomb(20_000, 20_000), "path": None})
    with pytest.raises(data.DataValidationError) as raised:
        load(tmp_path)
    assert str(raised.value).endswith(
        "brain.parquet row 0 (question_id 1): image is 20000x20000 (400,000,000 pixels), over the limit of "
        "178,956,970 pixels that guards against decompression bombs; if the image is genuine, raise the limit "
        "with MED_REWARDBENCH_MAX_IMAGE_PIXELS=<pixels>"
    )


def test_the_pixel_limit_is_ours_to_set_whatever_pillow_was_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_image(tmp_path, {"bytes": png(size=8), "path": None})
    monkeypatch.setenv("MED_REWARDBENCH_MAX_IMAGE_PIXELS", "63")
    with pytest.raises(data.DataValidationError, match=r"image is 8x8 \(64 pixels\), over the limit of 63 pixels"):
        load(tmp_path)
    monkeypatch.setenv("MED_REWARDBENCH_MAX_IMAGE_PIXELS", "64")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)  # a harness's stricter global is not ours
    assert load(tmp_path)[0].image == png(size=8)
    assert judged_pixels(tmp_path).shape == (8, 8, 3)
    assert Image.MAX_IMAGE_PIXELS == 10


def test_a_malformed_pixel_limit_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_image(tmp_path, {"bytes": png(), "path": None})
    monkeypatch.setenv("MED_REWARDBENCH_MAX_IMAGE_PIXELS", "lots")
    with pytest.raises(data.DataValidationError, match=r"MED_REWARDBENCH_MAX_IMAGE_PIXELS='lots' must be a positive"):
        load(tmp_path)


# ---------------------------------------------------------------------------------------
# What the judge sees: high bit depth
# ---------------------------------------------------------------------------------------
def test_a_16_bit_greyscale_png_keeps_its_contrast(tmp_path: Path) -> None:
    # 12-bit detector values in a 16-bit PNG. By hand: (v - 100) * 255 / 3995, rounded:
    # 100 -> 0, 2100 -> 127.66 -> 128, 4095 -> 255, 1100 -> 63.83 -> 64.
    values = np.array([[100, 2100], [4095, 1100]], dtype=np.uint16)
    with_image(tmp_path, {"bytes": encoded(Image.fromarray(values), "PNG"), "path": None})
    pixels = judged_pixels(tmp_path)
    assert pixels[..., 0].tolist() == [[0, 128], [255, 64]]
    assert (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all()


def test_a_float_tiff_keeps_its_contrast(tmp_path: Path) -> None:
    # 0.0 -> 0, 0.25 -> 63.75 -> 64, 1.0 -> 255, 0.2 -> 51.
    values = np.array([[0.0, 0.25], [1.0, 0.2]], dtype=np.float32)
    with_image(tmp_path, {"bytes": encoded(Image.fromarray(values, mode="F"), "TIFF"), "path": None})
    assert judged_pixels(tmp_path)[..., 0].tolist() == [[0, 64], [255, 51]]


def test_a_constant_high_bit_depth_image_is_black(tmp_path: Path) -> None:
    values = np.full((3, 3), 3000, dtype=np.uint16)
    with_image(tmp_path, {"bytes": encoded(Image.fromarray(values), "PNG"), "path": None})
    assert judged_pixels(tmp_path).max() == 0


def test_a_float_image_with_nan_is_refused(tmp_path: Path) -> None:
    values = np.array([[0.0, np.nan], [1.0, 0.5]], dtype=np.float32)
    with_image(tmp_path, {"bytes": encoded(Image.fromarray(values, mode="F"), "TIFF"), "path": None})
    with pytest.raises(
        data.DataValidationError, match=r"row 0 \(question_id 1\): image \(F mode\) has NaN or infinite"
    ):
        load(tmp_path)


def test_8_bit_images_reach_the_judge_as_pillow_converts_them(tmp_path: Path) -> None:
    values = np.array([[0, 90], [200, 255]], dtype=np.uint8)
    with_image(tmp_path, {"bytes": encoded(Image.fromarray(values, mode="L"), "PNG"), "path": None})
    assert judged_pixels(tmp_path)[..., 0].tolist() == [[0, 90], [200, 255]]


# ---------------------------------------------------------------------------------------
# Inside a real lmms-eval process
# ---------------------------------------------------------------------------------------
@pytest.mark.integration
def test_lmms_eval_run_on_a_copy_with_a_truncated_png_stops_naming_the_row(tmp_path: Path) -> None:
    whole = noisy_png()
    copy = tmp_path / "copy"
    rows = [case_row(1), case_row(2, image={"bytes": whole[: len(whole) // 2], "path": None})]
    write_organ(copy, "brain", rows, [label(1), label(2)])
    run = run_lmms_eval(
        [
            "--model",
            "med_rewardbench_baseline",
            "--model_args",
            "strategy=always_a",
            "--tasks",
            "med_rewardbench_brain",
        ],
        tmp_path / "run",
        env={"MED_REWARDBENCH_DATA_DIR": str(copy)},
        expect_results=False,
    )
    assert "brain.parquet row 1 (question_id 2): image does not decode (OSError" in run.output
    assert not run.results.get("results")


def test_vlmevalkit_tsv_carries_the_mapped_8_bit_picture(tmp_path: Path) -> None:
    # VLMEvalKit decodes the TSV's image itself and would clip a 16-bit one; the TSV holds what the judge sees.
    import base64

    from med_rewardbench_tasks.vlmevalkit import cases_to_frame

    values = np.array([[100, 2100], [4095, 1100]], dtype=np.uint16)
    with_image(tmp_path, {"bytes": encoded(Image.fromarray(values), "PNG"), "path": None})
    [row] = cases_to_frame(load(tmp_path)).to_dict("records")
    with Image.open(io.BytesIO(base64.b64decode(row["image"]))) as shown:
        assert shown.mode == "RGB" and np.asarray(shown)[..., 0].tolist() == [[0, 128], [255, 64]]


def test_vlmevalkit_tsv_keeps_8_bit_images_byte_for_byte(tmp_path: Path) -> None:
    import base64

    from med_rewardbench_tasks.vlmevalkit import cases_to_frame

    with_image(tmp_path, {"bytes": png(), "path": None})
    [row] = cases_to_frame(load(tmp_path)).to_dict("records")
    assert base64.b64decode(row["image"]) == png()
