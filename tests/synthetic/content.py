"""What the synthetic cases are made of, read from ``cases.yaml`` beside this file (once, on first use)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, get_args

import yaml

from med_rewardbench_tasks.constants import ORGANS, Organ

CONTENT_FILE: Final = Path(__file__).with_name("cases.yaml")

Department = Literal[
    "radiology",
    "cardiology",
    "neurology",
    "ophthalmology",
    "gastroenterology",
    "orthopedics",
    "dentistry",
    "obstetrics_gynecology",
]
QuestionType = Literal["abnormality", "location", "modality", "normality", "management"]
QUESTION_TYPES: Final[tuple[QuestionType, ...]] = get_args(QuestionType)
Primitive = Literal["blob", "ring", "line", "cluster", "patchy", "band", "spiculated"]
Tone = Literal["bright", "dark"]
Texture = Literal["xray", "ct", "mri", "ultrasound", "photo"]
Mask = Literal["none", "circle", "sector"]


@dataclass(frozen=True)
class Modality:
    name: str  # short name used in questions
    noun: str  # "a CT slice"
    cue: str  # a sentence fragment describing how it looks
    texture: Texture


@dataclass(frozen=True)
class Finding:
    name: str
    phrase: str  # with article
    primitive: Primitive
    tone: Tone
    locations: tuple[str, ...]
    description: str
    step: str  # imperative verb phrase
    differential: tuple[str, str]
    clinical: str


@dataclass(frozen=True)
class OrganSpec:
    body_part: str
    department: Department
    structures: str
    modalities: tuple[Modality, ...]
    locations: Mapping[str, tuple[float, float]]
    findings: tuple[Finding, ...]
    insights: tuple[str, ...]
    mask: Mask = "none"


@dataclass(frozen=True)
class Content:
    organs: Mapping[Organ, OrganSpec]
    generic_insights: tuple[str, ...]
    digressions: tuple[str, ...]
    preambles: tuple[str, ...]
    question_templates: Mapping[QuestionType, tuple[str, ...]]


class ContentError(ValueError):
    """``cases.yaml`` does not describe cases the generator can draw; the message names the entry."""


def _one_of(value: Any, allowed: tuple[str, ...], where: str) -> Any:
    if value not in allowed:
        raise ContentError(f"{CONTENT_FILE}: {where} is {value!r}, expected one of {', '.join(allowed)}")
    return value


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
        raise ContentError(f"{CONTENT_FILE}: {where} must be a non-empty list of texts")
    return tuple(value)


def _fields(entry: Any, names: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ContentError(f"{CONTENT_FILE}: {where} must be a mapping")
    missing = [name for name in names if name not in entry]
    unknown = [name for name in entry if name not in names]
    if missing or unknown:
        raise ContentError(f"{CONTENT_FILE}: {where} has missing fields {missing} or unknown fields {unknown}")
    return entry


def _modality(entry: Any, where: str) -> Modality:
    fields = _fields(entry, ("name", "noun", "cue", "texture"), where)
    _one_of(fields["texture"], get_args(Texture), f"{where} texture")
    return Modality(**fields)


def _finding(entry: Any, locations: Mapping[str, Any], where: str) -> Finding:
    fields = _fields(entry, tuple(Finding.__dataclass_fields__), where)
    _one_of(fields["primitive"], get_args(Primitive), f"{where} primitive")
    _one_of(fields["tone"], get_args(Tone), f"{where} tone")
    for place in _texts(fields["locations"], f"{where} locations"):
        _one_of(place, tuple(locations), f"{where} location")
    if len(_texts(fields["differential"], f"{where} differential")) != 2:
        raise ContentError(f"{CONTENT_FILE}: {where} differential must name two diagnoses")
    return Finding(**{**fields, "locations": tuple(fields["locations"]), "differential": tuple(fields["differential"])})


def _organ(organ: str, entry: Any, modalities: Mapping[str, Modality]) -> OrganSpec:
    where = f"organs.{organ}"
    fields = _fields(entry, (*OrganSpec.__dataclass_fields__,), where)
    locations = fields["locations"]
    if not isinstance(locations, dict) or len(locations) < 2:
        raise ContentError(f"{CONTENT_FILE}: {where}.locations must map at least two places to [x, y]")
    points: dict[str, tuple[float, float]] = {}
    for place, point in locations.items():
        if not (isinstance(point, list) and len(point) == 2 and all(0 <= float(v) <= 1 for v in point)):
            raise ContentError(f"{CONTENT_FILE}: {where}.locations[{place!r}] must be [x, y] within 0..1")
        points[place] = (float(point[0]), float(point[1]))
    findings = fields["findings"]
    if not isinstance(findings, list) or len(findings) < 2:
        raise ContentError(f"{CONTENT_FILE}: {where}.findings must list at least two findings")
    return OrganSpec(
        body_part=fields["body_part"],
        department=_one_of(fields["department"], get_args(Department), f"{where}.department"),
        structures=fields["structures"],
        modalities=tuple(
            modalities[_one_of(name, tuple(modalities), f"{where}.modalities entry")]
            for name in _texts(fields["modalities"], f"{where}.modalities")
        ),
        locations=points,
        findings=tuple(_finding(f, points, f"{where}.findings[{i}]") for i, f in enumerate(findings)),
        insights=_texts(fields["insights"], f"{where}.insights"),
        mask=_one_of(fields["mask"], get_args(Mask), f"{where}.mask"),
    )


def parse_content(document: Any) -> Content:
    """Check and convert the YAML document; every organ system of the benchmark must be described."""
    top = _fields(
        document,
        (
            "shared_findings",
            "modalities",
            "organs",
            "generic_insights",
            "digressions",
            "preambles",
            "question_templates",
        ),
        "the document",
    )
    modalities = {name: _modality(entry, f"modalities.{name}") for name, entry in top["modalities"].items()}
    organs = top["organs"]
    if not isinstance(organs, dict) or list(organs) != list(ORGANS):
        raise ContentError(f"{CONTENT_FILE}: organs must describe {', '.join(ORGANS)}, in that order")
    templates = top["question_templates"]
    if not isinstance(templates, dict) or list(templates) != list(QUESTION_TYPES):
        raise ContentError(f"{CONTENT_FILE}: question_templates must cover {', '.join(QUESTION_TYPES)}, in that order")
    return Content(
        organs={organ: _organ(organ, organs[organ], modalities) for organ in ORGANS},
        generic_insights=_texts(top["generic_insights"], "generic_insights"),
        digressions=_texts(top["digressions"], "digressions"),
        preambles=_texts(top["preambles"], "preambles"),
        question_templates={q: _texts(templates[q], f"question_templates.{q}") for q in QUESTION_TYPES},
    )


@functools.cache
def load_content() -> Content:
    """The parsed ``cases.yaml``."""
    return parse_content(yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8")))
