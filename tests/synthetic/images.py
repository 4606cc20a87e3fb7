"""The drawn "scan" of a synthetic case: an organ outline, one finding, the modality's texture; PNG bytes."""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Mapping
from typing import Final

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from med_rewardbench_tasks.constants import Organ

from .content import Finding, Modality, OrganSpec


def _xy(point: tuple[float, float], size: int) -> tuple[float, float]:
    return point[0] * size, point[1] * size


def _box(cx: float, cy: float, rx: float, ry: float, size: int) -> tuple[float, float, float, float]:
    return ((cx - rx) * size, (cy - ry) * size, (cx + rx) * size, (cy + ry) * size)


def _bar(
    draw: ImageDraw.ImageDraw, a: tuple[float, float], b: tuple[float, float], width: float, fill: int, size: int
) -> None:
    draw.line([_xy(a, size), _xy(b, size)], fill=fill, width=max(1, round(width * size)))


def _draw_abdomen(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.ellipse(_box(0.5, 0.52, 0.45, 0.36, s), fill=95)
    d.ellipse(_box(0.33, 0.42, 0.17, 0.14, s), fill=125)  # liver
    d.ellipse(_box(0.73, 0.38, 0.08, 0.07, s), fill=118)  # spleen
    for x in (0.31, 0.69):
        d.ellipse(_box(x, 0.63, 0.06, 0.08, s), fill=135)  # kidneys
    d.ellipse(_box(0.5, 0.73, 0.06, 0.055, s), fill=225)  # vertebral body
    d.ellipse(_box(0.5, 0.57, 0.03, 0.03, s), fill=175)  # aorta
    for _ in range(5):  # bowel loops
        d.ellipse(_box(r.uniform(0.4, 0.62), r.uniform(0.35, 0.55), 0.03, 0.025, s), outline=150, fill=70)


def _draw_brain(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.ellipse(_box(0.5, 0.5, 0.4, 0.46, s), fill=230)  # skull
    d.ellipse(_box(0.5, 0.5, 0.36, 0.42, s), fill=120)  # brain
    d.ellipse(_box(0.5, 0.5, 0.3, 0.36, s), fill=140)  # white matter
    d.ellipse(_box(0.45, 0.46, 0.035, 0.1, s), fill=45)  # lateral ventricles
    d.ellipse(_box(0.55, 0.46, 0.035, 0.1, s), fill=45)
    _bar(d, (0.5, 0.08), (0.5, 0.3), 0.01, 200, s)  # falx


def _draw_breast(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.pieslice(_box(0.0, 0.5, 0.78, 0.44, s), start=-90, end=90, fill=80)
    d.pieslice(_box(0.0, 0.5, 0.6, 0.32, s), start=-90, end=90, fill=125)  # glandular cone
    for _ in range(10):
        y0 = r.uniform(0.25, 0.75)
        _bar(d, (0.02, y0), (r.uniform(0.45, 0.7), 0.5 + (y0 - 0.5) * 0.4), 0.006, 150, s)
    d.ellipse(_box(0.77, 0.5, 0.02, 0.03, s), fill=140)  # nipple


def _draw_chest(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.rectangle((0, 0, s, s), fill=140)
    d.ellipse(_box(0.32, 0.5, 0.17, 0.33, s), fill=40)  # lungs
    d.ellipse(_box(0.68, 0.5, 0.17, 0.33, s), fill=40)
    d.rectangle(_box(0.5, 0.5, 0.05, 0.38, s), fill=190)  # spine / mediastinum
    d.ellipse(_box(0.55, 0.65, 0.14, 0.12, s), fill=180)  # heart
    for i in range(6):  # ribs
        y = 0.25 + 0.09 * i
        d.arc(_box(0.32, y + 0.1, 0.2, 0.1, s), 200, 340, fill=110, width=max(1, s // 96))
        d.arc(_box(0.68, y + 0.1, 0.2, 0.1, s), 200, 340, fill=110, width=max(1, s // 96))
    _bar(d, (0.12, 0.17), (0.45, 0.2), 0.02, 200, s)  # clavicles
    _bar(d, (0.88, 0.17), (0.55, 0.2), 0.02, 200, s)


def _draw_eye(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.ellipse(_box(0.5, 0.5, 0.46, 0.46, s), fill=120)
    d.ellipse(_box(0.6, 0.52, 0.07, 0.07, s), fill=90)  # macula
    d.ellipse(_box(0.35, 0.5, 0.06, 0.06, s), fill=215)  # optic disc
    for sign in (-1, 1):
        pts = [(0.35, 0.5)]
        for k in range(1, 6):
            pts.append((0.35 + 0.09 * k, 0.5 + sign * (0.2 * math.sin(k / 5 * math.pi * 0.9) + r.uniform(-0.02, 0.02))))
        d.line([_xy(p, s) for p in pts], fill=70, width=max(1, s // 64))
    for _ in range(4):
        ang = r.uniform(0, 2 * math.pi)
        _bar(d, (0.35, 0.5), (0.35 + 0.3 * math.cos(ang), 0.5 + 0.3 * math.sin(ang)), 0.006, 80, s)


def _draw_foot(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.polygon(
        [_xy(p, s) for p in ((0.2, 0.15), (0.8, 0.15), (0.78, 0.7), (0.62, 0.95), (0.38, 0.95), (0.22, 0.7))], fill=70
    )
    d.ellipse(_box(0.5, 0.84, 0.12, 0.08, s), fill=190)  # calcaneus
    d.rectangle(_box(0.5, 0.69, 0.2, 0.06, s), fill=175)  # tarsals
    for i, x in enumerate((0.3, 0.42, 0.52, 0.61, 0.7)):
        _bar(d, (x, 0.62), (x - 0.01, 0.3), 0.045 if i == 0 else 0.03, 200, s)  # metatarsals
        _bar(d, (x - 0.01, 0.26), (x - 0.02, 0.18), 0.025, 190, s)  # phalanges


def _draw_gi(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.ellipse(_box(0.5, 0.5, 0.48, 0.48, s), fill=170)
    cx, cy = 0.5 + r.uniform(-0.05, 0.05), 0.5 + r.uniform(-0.05, 0.05)
    for k, val in ((0.34, 145), (0.24, 120), (0.15, 85)):
        d.ellipse(_box(cx, cy, k, k * 0.9, s), outline=200, fill=val, width=max(1, s // 96))
    d.ellipse(_box(cx, cy, 0.07, 0.06, s), fill=25)  # dark lumen


def _draw_heart(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.ellipse(_box(0.52, 0.56, 0.3, 0.34, s), fill=150)  # myocardium
    d.ellipse(_box(0.56, 0.42, 0.1, 0.15, s), fill=35)  # LV
    d.ellipse(_box(0.37, 0.44, 0.07, 0.13, s), fill=40)  # RV
    d.ellipse(_box(0.56, 0.74, 0.08, 0.07, s), fill=40)  # LA
    d.ellipse(_box(0.38, 0.73, 0.07, 0.07, s), fill=40)  # RA
    _bar(d, (0.47, 0.3), (0.47, 0.82), 0.02, 170, s)  # septum


def _draw_lower_limb(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.rectangle(_box(0.48, 0.5, 0.25, 0.52, s), fill=70)  # soft tissue
    _bar(d, (0.46, 0.0), (0.46, 0.42), 0.09, 205, s)  # femur
    d.ellipse(_box(0.46, 0.44, 0.11, 0.05, s), fill=215)  # condyles
    d.ellipse(_box(0.46, 0.54, 0.11, 0.04, s), fill=210)  # tibial plateau
    _bar(d, (0.46, 0.54), (0.46, 1.0), 0.08, 205, s)  # tibia
    _bar(d, (0.62, 0.58), (0.63, 1.0), 0.03, 190, s)  # fibula


def _draw_lung(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.ellipse(_box(0.5, 0.52, 0.46, 0.36, s), fill=130)  # chest wall
    d.ellipse(_box(0.3, 0.5, 0.17, 0.27, s), fill=30)  # lungs
    d.ellipse(_box(0.7, 0.5, 0.17, 0.27, s), fill=30)
    d.ellipse(_box(0.5, 0.45, 0.07, 0.09, s), fill=160)  # mediastinum
    d.ellipse(_box(0.5, 0.8, 0.06, 0.05, s), fill=230)  # spine
    for _ in range(14):  # vessels
        x = r.choice((r.uniform(0.18, 0.42), r.uniform(0.58, 0.82)))
        y = r.uniform(0.3, 0.7)
        d.ellipse(_box(x, y, 0.008, 0.008, s), fill=110)


def _draw_oral(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.ellipse(_box(0.5, 0.55, 0.46, 0.35, s), fill=95)  # jaw outline
    for row_y, sign in ((0.36, -1), (0.66, 1)):
        for i in range(14):
            x = 0.14 + i * 0.055
            top = row_y - 0.07 if sign < 0 else row_y - 0.02
            d.rectangle(_box(x, top + 0.045, 0.02, 0.06, s), fill=215)  # crowns and roots
    _bar(d, (0.12, 0.8), (0.88, 0.8), 0.008, 60, s)  # mandibular canal


def _draw_pelvis(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.ellipse(_box(0.5, 0.52, 0.45, 0.4, s), fill=100)
    d.ellipse(_box(0.5, 0.2, 0.14, 0.09, s), fill=35)  # bladder
    d.ellipse(_box(0.5, 0.45, 0.13, 0.17, s), fill=150)  # uterus
    d.ellipse(_box(0.5, 0.45, 0.02, 0.1, s), fill=185)  # endometrium
    for x in (0.28, 0.72):
        d.ellipse(_box(x, 0.48, 0.07, 0.06, s), fill=120)  # ovaries


def _draw_upper_limb(d: ImageDraw.ImageDraw, s: int, r: random.Random) -> None:
    d.rectangle(_box(0.52, 0.5, 0.22, 0.52, s), fill=70)
    _bar(d, (0.5, 0.0), (0.52, 0.44), 0.08, 205, s)  # humerus
    d.ellipse(_box(0.53, 0.47, 0.09, 0.04, s), fill=215)  # elbow
    _bar(d, (0.44, 0.52), (0.4, 0.95), 0.045, 200, s)  # radius
    _bar(d, (0.6, 0.5), (0.58, 0.95), 0.04, 195, s)  # ulna


_DRAWERS: Final[Mapping[Organ, Callable[[ImageDraw.ImageDraw, int, random.Random], None]]] = {
    "abdomen": _draw_abdomen,
    "brain": _draw_brain,
    "breast": _draw_breast,
    "chest": _draw_chest,
    "eye": _draw_eye,
    "foot": _draw_foot,
    "gastrointestinal_tract": _draw_gi,
    "heart": _draw_heart,
    "lower_limb": _draw_lower_limb,
    "lung": _draw_lung,
    "oral_cavity": _draw_oral,
    "pelvic_cavity": _draw_pelvis,
    "upper_limb": _draw_upper_limb,
}


def _draw_finding(d: ImageDraw.ImageDraw, s: int, r: random.Random, finding: Finding, at: tuple[float, float]) -> None:
    cx, cy = at[0] + r.uniform(-0.02, 0.02), at[1] + r.uniform(-0.02, 0.02)
    rad = r.uniform(0.045, 0.075)
    tone = 235 if finding.tone == "bright" else 15
    rim = 15 if finding.tone == "bright" else 235
    kind = finding.primitive
    if kind == "blob":
        for _ in range(3):
            ox, oy = r.uniform(-0.3, 0.3) * rad, r.uniform(-0.3, 0.3) * rad
            d.ellipse(_box(cx + ox, cy + oy, rad * r.uniform(0.7, 1.0), rad * r.uniform(0.7, 1.0), s), fill=tone)
    elif kind == "ring":
        d.ellipse(_box(cx, cy, rad, rad, s), fill=tone, outline=rim, width=max(1, s // 64))
    elif kind == "line":
        ang = r.uniform(0, math.pi)
        dx, dy = math.cos(ang) * rad * 1.6, math.sin(ang) * rad * 1.6
        _bar(d, (cx - dx, cy - dy), (cx + dx, cy + dy), 0.012, tone, s)
    elif kind == "cluster":
        for _ in range(r.randint(5, 9)):
            px, py = cx + r.uniform(-rad, rad), cy + r.uniform(-rad, rad)
            d.ellipse(_box(px, py, 0.01, 0.01, s), fill=tone)
    elif kind == "patchy":
        for _ in range(5):
            px, py = cx + r.uniform(-rad, rad), cy + r.uniform(-rad, rad)
            d.ellipse(_box(px, py, rad * 0.6, rad * 0.5, s), fill=(tone + 128) // 2)
    elif kind == "band":
        d.chord(_box(cx, cy + rad, rad * 2.2, rad * 1.4, s), 180, 360, fill=tone)
    elif kind == "spiculated":
        for _ in range(8):
            ang = r.uniform(0, 2 * math.pi)
            _bar(d, (cx, cy), (cx + math.cos(ang) * rad * 1.9, cy + math.sin(ang) * rad * 1.9), 0.006, tone, s)
        d.ellipse(_box(cx, cy, rad * 0.8, rad * 0.8, s), fill=tone)


def _texture(img: Image.Image, modality: Modality, mask: str, noise_seed: int) -> Image.Image:
    size = img.size[0]
    rng = np.random.default_rng(noise_seed)
    blur = {"xray": 0.8, "ct": 0.6, "mri": 1.4, "ultrasound": 0.9, "photo": 1.0}[modality.texture]
    img = img.filter(ImageFilter.GaussianBlur(blur * size / 128))
    arr = np.asarray(img, dtype=np.float32)
    if modality.texture == "ultrasound":
        arr = arr * rng.gamma(9.0, 1.0 / 9.0, arr.shape).astype(np.float32)
        mask = "sector"
    else:
        sigma = {"xray": 6.0, "ct": 4.0, "mri": 3.0, "photo": 5.0}[modality.texture]
        arr = arr + rng.normal(0.0, sigma, arr.shape).astype(np.float32)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), mode="L")
    if mask != "none":
        m = Image.new("L", (size, size), 0)
        md = ImageDraw.Draw(m)
        if mask == "circle":
            md.ellipse((1, 1, size - 2, size - 2), fill=255)
        else:
            md.pieslice((-size * 0.45, -size * 0.95, size * 1.45, size * 0.95), 50, 130, fill=255)
        out = Image.composite(out, Image.new("L", (size, size), 0), m)
    return out


def render_image(
    organ: Organ, spec: OrganSpec, modality: Modality, finding: Finding, location: str, size: int, r: random.Random
) -> bytes:
    """The case's image, drawn with ``r`` (which also seeds the noise), as PNG bytes."""
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    _DRAWERS[organ](draw, size, r)
    _draw_finding(draw, size, r, finding, spec.locations[location])
    out = _texture(img, modality, spec.mask, r.getrandbits(64))
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()
