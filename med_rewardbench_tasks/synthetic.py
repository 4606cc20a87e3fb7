"""Synthetic Med-RewardBench cases in the exact on-disk layout of the real dataset.

The real benchmark (``Nandzy/Med-RewardBench``) cannot be shipped with this package, yet
the loading code, the lmms-eval task and the metrics all need data of the right shape to
be exercised. This module draws such data:

* a schematic grayscale "scan" per case (an outline of the organ system with one seeded
  finding drawn into it, plus a little texture), PNG encoded;
* a question about that image and two candidate answers built from explicit quality
  traits, so that the six expert-style labels follow from how each answer was written;
* the real file layout: ``pair_gt_all/parquet/<organ>.parquet`` carrying the Hugging Face
  feature metadata, and ``pair_gt_all/<organ>.jsonl`` with the labels.

How the labels are derived (per case, answer 1 and answer 2 each get traits):

* ``accuracy``: the winner states the correct key fact for the question type (the drawn
  finding, its drawn location, the modality whose texture was rendered, abnormal rather
  than normal, the step that fits the drawn finding); the loser states a plausible but
  wrong one and keeps its supporting sentences consistent with that wrong belief.
* ``relevance``: the loser drifts into one or two off-topic sentences; the winner does not.
* ``comprehensiveness``: the winner covers strictly more supporting points (location,
  appearance, differential, next step, clinical correlation ...) than the loser.
* ``creativity``: the winner adds a non-obvious, practical insight; the loser does not.
* ``responsiveness``: the winner answers the question in its first sentence; the loser
  opens with a caveat and only states its answer at the end.
* ``overall``: a weighted vote of the five traits (accuracy 5, relevance 3,
  responsiveness 3, comprehensiveness 2, creativity 2). The weights sum to an odd number,
  so the vote never ties.

For each case one answer is drawn as the "stronger" one and wins each of the five base
dimensions with probability 0.7, so the dimensions usually but not always agree. Which
slot (answer1/"A" or answer2/"B") holds the stronger answer is a fair coin, so labels are
balanced. Traits that add text pull in opposite directions (more points and an insight
make the winner longer; a digression and a caveat make the loser longer), so answer
length predicts the winner only partially and differently per dimension.

Everything is deterministic in its arguments: an explicit :class:`random.Random` seeds
both the text and (through a derived seed) the image noise. Nothing here runs at import.
"""

from __future__ import annotations

import io
import json
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from med_rewardbench_tasks.constants import (
    BENCHMARK_CASES,
    DIMENSIONS,
    LABELS_DIR,
    ORGANS,
    PARQUET_DIR,
    Dimension,
    Organ,
    Winner,
)

SYNTHETIC_DATASET_NAME: Final = "synthetic-pipeline-sample"

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
QUESTION_TYPES: Final[tuple[QuestionType, ...]] = (
    "abnormality",
    "location",
    "modality",
    "normality",
    "management",
)

# Weights of the overall vote; their sum (15) is odd, so the vote cannot tie.
OVERALL_WEIGHTS: Final[Mapping[Dimension, int]] = {
    "accuracy": 5,
    "relevance": 3,
    "responsiveness": 3,
    "comprehensiveness": 2,
    "creativity": 2,
}
# Probability that the case's stronger answer wins a given base dimension.
STRONGER_WIN_PROBABILITY: Final = 0.7

# Column order of the written parquet files (``department`` only when requested).
COLUMNS: Final[tuple[str, ...]] = (
    "image",
    "question",
    "answer1_text",
    "answer2_text",
    "question_id",
    "modality_type",
    "body_part",
    "dataset",
    "question_type",
    "image_id",
)


# --------------------------------------------------------------------------------------
# Case record


@dataclass(frozen=True)
class SyntheticCase:
    """One synthetic benchmark row plus its six labels.

    ``labels`` is aligned with :data:`med_rewardbench_tasks.constants.DIMENSIONS`;
    ``"A"`` means ``answer1_text`` won that dimension. ``finding`` and
    ``finding_location`` record what was drawn; they are not written to disk.
    """

    organ: Organ
    question_id: int
    image_png: bytes
    image_id: str
    question: str
    answer1_text: str
    answer2_text: str
    modality_type: str
    body_part: str
    dataset: str
    question_type: QuestionType
    labels: tuple[Winner, ...]
    finding: str
    finding_location: str
    department: Department | None = None

    @property
    def human_answer(self) -> dict[Dimension, Winner]:
        """The labels as the ``human_answer`` object of the real jsonl files."""
        return dict(zip(DIMENSIONS, self.labels, strict=True))

    def row(self) -> dict[str, object]:
        """The parquet row: the real columns, plus ``department`` when the case has one."""
        row: dict[str, object] = {
            "image": {"bytes": self.image_png, "path": self.image_id},
            "question": self.question,
            "answer1_text": self.answer1_text,
            "answer2_text": self.answer2_text,
            "question_id": self.question_id,
            "modality_type": self.modality_type,
            "body_part": self.body_part,
            "dataset": self.dataset,
            "question_type": self.question_type,
            "image_id": self.image_id,
        }
        if self.department is not None:
            row["department"] = self.department
        return row

    def label_record(self) -> dict[str, object]:
        """The jsonl record: ``{"question_id": ..., "human_answer": {...}}``."""
        return {"question_id": self.question_id, "human_answer": self.human_answer}


# --------------------------------------------------------------------------------------
# Domain content

Primitive = Literal["blob", "ring", "line", "cluster", "patchy", "band", "spiculated"]
Tone = Literal["bright", "dark"]


@dataclass(frozen=True)
class _Modality:
    name: str  # short name used in questions
    noun: str  # "a CT slice"
    cue: str  # a sentence fragment describing how it looks
    texture: Literal["xray", "ct", "mri", "ultrasound", "photo"]


@dataclass(frozen=True)
class _Finding:
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
class _OrganSpec:
    body_part: str
    department: Department
    structures: str
    modalities: tuple[_Modality, ...]
    locations: Mapping[str, tuple[float, float]]
    findings: tuple[_Finding, ...]
    insights: tuple[str, ...]
    mask: Literal["none", "circle", "sector"] = "none"


_M_XRAY = _Modality("X-ray", "a plain radiograph", "the projection image with dense bone shown white", "xray")
_M_CT = _Modality("CT", "a CT slice", "the axial cross-section with calibrated tissue densities", "ct")
_M_MRI = _Modality("MRI", "an MRI image", "the smooth soft-tissue contrast without bony streak artifact", "mri")
_M_US = _Modality(
    "ultrasound", "an ultrasound image", "the fan-shaped field of view with speckled echo texture", "ultrasound"
)
_M_MAMMO = _Modality(
    "mammography", "a mammogram", "the compressed breast projection with fine glandular detail", "xray"
)
_M_FUNDUS = _Modality(
    "fundus photography",
    "a fundus photograph",
    "the circular colour view of the retina centred on the posterior pole",
    "photo",
)
_M_FA = _Modality(
    "fluorescein angiography", "a fluorescein angiogram", "the bright dye-filled vessels on a dark background", "photo"
)
_M_ENDO = _Modality(
    "endoscopy", "an endoscopic image", "the circular close-up view of the mucosa through the scope", "photo"
)
_M_CAPSULE = _Modality(
    "capsule endoscopy", "a capsule endoscopy frame", "the round wide-angle frame taken by a swallowed camera", "photo"
)
_M_ECHO = _Modality(
    "echocardiography",
    "an echocardiogram",
    "the sector-shaped beating-heart view with speckled echo texture",
    "ultrasound",
)
_M_CMR = _Modality(
    "cardiac MRI", "a cardiac MRI image", "the bright blood-pool signal with crisp myocardial borders", "mri"
)
_M_PANO = _Modality(
    "panoramic radiograph",
    "a panoramic dental radiograph",
    "the unrolled view of both dental arches in one image",
    "xray",
)
_M_INTRAORAL = _Modality(
    "intraoral radiograph",
    "an intraoral dental radiograph",
    "the close-up view of a few teeth taken with a film inside the mouth",
    "xray",
)


def _fracture(locations: tuple[str, ...]) -> _Finding:
    return _Finding(
        "fracture",
        "a fracture",
        "line",
        "dark",
        locations,
        "a thin lucent line interrupting the cortex",
        "immobilize the limb and arrange orthopedic follow-up with repeat radiographs",
        ("a stress fracture", "a nutrient vessel channel"),
        "point tenderness after the injury",
    )


_ORGAN_SPECS: Final[Mapping[Organ, _OrganSpec]] = {
    "abdomen": _OrganSpec(
        body_part="Abdomen",
        department="radiology",
        structures="liver, kidneys and bowel loops",
        modalities=(_M_CT, _M_MRI, _M_US),
        locations={
            "right lobe of the liver": (0.33, 0.42),
            "left kidney": (0.69, 0.63),
            "right kidney": (0.31, 0.63),
            "splenic region of the left upper quadrant": (0.73, 0.38),
        },
        findings=(
            _Finding(
                "hepatic cyst",
                "a hepatic cyst",
                "ring",
                "dark",
                ("right lobe of the liver",),
                "a well-circumscribed round lesion of fluid density with no enhancing wall",
                "confirm with ultrasound, since a simple cyst needs no treatment",
                ("a hepatic abscess", "a cystic metastasis"),
                "liver function tests",
            ),
            _Finding(
                "renal mass",
                "a renal mass",
                "blob",
                "bright",
                ("left kidney", "right kidney"),
                "a solid rounded lesion bulging the renal contour",
                "characterize it with multiphase contrast imaging and refer to urology",
                ("renal cell carcinoma", "an angiomyolipoma"),
                "hematuria and renal function",
            ),
            _Finding(
                "splenic infarct",
                "a splenic infarct",
                "blob",
                "dark",
                ("splenic region of the left upper quadrant",),
                "a peripheral wedge-shaped area of low density",
                "search for an embolic source, including echocardiography",
                ("a splenic abscess", "a splenic laceration"),
                "left upper quadrant pain and the cardiac rhythm",
            ),
        ),
        insights=(
            "comparing the lesion's density with the gallbladder on the same slice "
            "is a quick internal reference for fluid",
            "reviewing the coronal reformat often shows which organ a mass actually arises from",
        ),
    ),
    "brain": _OrganSpec(
        body_part="Brain",
        department="neurology",
        structures="ventricles, midline and gray-white matter differentiation",
        modalities=(_M_MRI, _M_CT),
        locations={
            "left frontal lobe": (0.62, 0.32),
            "right frontal lobe": (0.38, 0.32),
            "left parietal lobe": (0.65, 0.62),
            "right temporal lobe": (0.3, 0.55),
        },
        findings=(
            _Finding(
                "brain tumor",
                "a brain tumor",
                "blob",
                "bright",
                ("left frontal lobe", "right frontal lobe", "left parietal lobe", "right temporal lobe"),
                "a rounded lesion with surrounding edema and mild mass effect",
                "obtain contrast-enhanced MRI and refer to neurosurgery",
                ("a high-grade glioma", "a solitary metastasis"),
                "headache, seizures and focal deficits",
            ),
            _Finding(
                "ischemic infarct",
                "an ischemic infarct",
                "blob",
                "dark",
                ("left frontal lobe", "right frontal lobe", "left parietal lobe", "right temporal lobe"),
                "a wedge-shaped area of low signal following an arterial territory",
                "start an urgent stroke work-up with vascular imaging",
                ("cerebritis", "a low-grade glioma"),
                "the exact time of symptom onset",
            ),
            _Finding(
                "intracerebral hemorrhage",
                "an intracerebral hemorrhage",
                "blob",
                "bright",
                ("left frontal lobe", "right temporal lobe", "left parietal lobe"),
                "a dense, well-defined collection within the brain parenchyma",
                "arrange urgent neurosurgical assessment and control the blood pressure",
                ("a hemorrhagic tumor", "a cavernous malformation"),
                "anticoagulant use and blood pressure",
            ),
        ),
        insights=(
            "checking whether the lesion respects an arterial territory is a fast way to separate stroke from tumor",
            "a midline shift measured at the septum pellucidum gives a simple, reproducible marker to follow over time",
        ),
    ),
    "breast": _OrganSpec(
        body_part="Breast",
        department="radiology",
        structures="fibroglandular tissue, skin line and nipple",
        modalities=(_M_MAMMO, _M_US, _M_MRI),
        locations={
            "upper outer quadrant": (0.42, 0.34),
            "lower inner quadrant": (0.42, 0.68),
            "retroareolar region": (0.66, 0.5),
            "upper inner quadrant": (0.3, 0.42),
        },
        findings=(
            _Finding(
                "spiculated mass",
                "a spiculated mass",
                "spiculated",
                "bright",
                ("upper outer quadrant", "lower inner quadrant", "upper inner quadrant"),
                "an irregular dense mass with fine lines radiating from it",
                "perform an ultrasound-guided core biopsy",
                ("invasive carcinoma", "a radial scar"),
                "a palpable lump or skin retraction",
            ),
            _Finding(
                "breast cyst",
                "a breast cyst",
                "ring",
                "dark",
                ("upper outer quadrant", "retroareolar region", "lower inner quadrant"),
                "a round, circumscribed lesion with smooth margins",
                "confirm with targeted ultrasound and aspirate only if it is painful",
                ("a fibroadenoma", "a complicated cyst"),
                "cyclical breast pain",
            ),
            _Finding(
                "microcalcifications",
                "clustered microcalcifications",
                "cluster",
                "bright",
                ("upper outer quadrant", "retroareolar region", "upper inner quadrant"),
                "a tight group of tiny bright punctate foci",
                "obtain magnification views and a stereotactic biopsy",
                ("ductal carcinoma in situ", "benign fibrocystic change"),
                "any previous mammograms",
            ),
        ),
        insights=(
            "comparing the two breasts side by side makes an asymmetric density much easier to spot",
            "the shape of calcifications often says more than their number, so their morphology is worth describing",
        ),
    ),
    "chest": _OrganSpec(
        body_part="Chest",
        department="radiology",
        structures="lung fields, cardiac silhouette and costophrenic angles",
        modalities=(_M_XRAY, _M_CT),
        locations={
            "right upper zone": (0.32, 0.33),
            "left lower zone": (0.68, 0.68),
            "right lower zone": (0.32, 0.68),
            "left upper zone": (0.68, 0.33),
        },
        findings=(
            _Finding(
                "consolidation",
                "a lobar consolidation",
                "patchy",
                "bright",
                ("right upper zone", "left lower zone", "right lower zone", "left upper zone"),
                "a patchy area of increased opacity with air bronchograms",
                "start antibiotics and repeat the radiograph after treatment",
                ("bacterial pneumonia", "pulmonary hemorrhage"),
                "fever, cough and inflammatory markers",
            ),
            _Finding(
                "pleural effusion",
                "a pleural effusion",
                "band",
                "bright",
                ("left lower zone", "right lower zone"),
                "a homogeneous opacity blunting the costophrenic angle with a meniscus",
                "perform ultrasound-guided thoracentesis if it is large or unexplained",
                ("heart failure", "a parapneumonic effusion"),
                "breathlessness and a history of heart failure",
            ),
            _Finding(
                "pneumothorax",
                "a pneumothorax",
                "line",
                "bright",
                ("right upper zone", "left upper zone"),
                "a thin pleural line with no lung markings beyond it",
                "estimate its size and consider needle aspiration or a chest drain",
                ("a skin fold", "a large bulla"),
                "sudden pleuritic chest pain",
            ),
        ),
        insights=(
            "a quick bedside ultrasound can often settle whether an opacity is fluid or airless lung without a CT",
            "the silhouette sign helps here: a border that disappears tells you which lobe is involved",
        ),
    ),
    "eye": _OrganSpec(
        body_part="Eye",
        department="ophthalmology",
        structures="optic disc, macula and retinal vessels",
        modalities=(_M_FUNDUS, _M_FA),
        locations={
            "optic disc": (0.35, 0.5),
            "macula": (0.6, 0.52),
            "superior vascular arcade": (0.5, 0.3),
            "inferotemporal periphery": (0.7, 0.72),
        },
        findings=(
            _Finding(
                "retinal hemorrhages",
                "dot-and-blot retinal hemorrhages",
                "cluster",
                "dark",
                ("superior vascular arcade", "inferotemporal periphery", "macula"),
                "scattered dark dot and blot spots in the inner retina",
                "screen for diabetes and hypertension and arrange ophthalmology follow-up",
                ("diabetic retinopathy", "a retinal vein occlusion"),
                "blood glucose and blood pressure",
            ),
            _Finding(
                "optic disc swelling",
                "optic disc swelling",
                "blob",
                "bright",
                ("optic disc",),
                "an elevated, swollen disc with blurred margins",
                "arrange urgent neuroimaging to exclude raised intracranial pressure",
                ("papilledema", "optic neuritis"),
                "headache and transient visual obscurations",
            ),
            _Finding(
                "drusen",
                "macular drusen",
                "cluster",
                "bright",
                ("macula",),
                "multiple small yellowish deposits beneath the retina",
                "perform OCT and monitor for progression of macular degeneration",
                ("age-related macular degeneration", "a pattern dystrophy"),
                "distortion of straight lines on an Amsler grid",
            ),
        ),
        insights=(
            "an Amsler grid at home lets the patient notice new distortion between visits",
            "comparing the vessel calibre near the disc with the periphery can hint at raised venous pressure",
        ),
        mask="circle",
    ),
    "foot": _OrganSpec(
        body_part="Foot",
        department="orthopedics",
        structures="metatarsals, phalanges and tarsal bones",
        modalities=(_M_XRAY, _M_MRI),
        locations={
            "base of the fifth metatarsal": (0.68, 0.56),
            "second metatarsal shaft": (0.44, 0.42),
            "calcaneus": (0.5, 0.86),
            "first metatarsophalangeal joint": (0.3, 0.26),
        },
        findings=(
            _fracture(("base of the fifth metatarsal", "second metatarsal shaft", "calcaneus")),
            _Finding(
                "osteomyelitis",
                "osteomyelitis",
                "patchy",
                "dark",
                ("calcaneus", "first metatarsophalangeal joint", "base of the fifth metatarsal"),
                "focal bone destruction with a periosteal reaction",
                "obtain MRI and a bone biopsy for culture",
                ("Charcot arthropathy", "a bone tumor"),
                "a diabetic foot ulcer and inflammatory markers",
            ),
            _Finding(
                "erosive arthropathy",
                "an erosive arthropathy",
                "blob",
                "dark",
                ("first metatarsophalangeal joint",),
                "a punched-out erosion with overhanging edges",
                "check serum urate and aspirate the joint for crystals",
                ("gout", "rheumatoid arthritis"),
                "episodes of a red, hot, swollen joint",
            ),
        ),
        insights=(
            "weight-bearing views can reveal instability that a non-weight-bearing film hides",
            "comparing with the other foot is a cheap way to tell a normal variant from pathology",
        ),
    ),
    "gastrointestinal_tract": _OrganSpec(
        body_part="Gastrointestinal tract",
        department="gastroenterology",
        structures="mucosa, folds and lumen",
        modalities=(_M_ENDO, _M_CAPSULE),
        locations={
            "2 o'clock position of the wall": (0.7, 0.3),
            "6 o'clock position of the wall": (0.5, 0.8),
            "9 o'clock position of the wall": (0.2, 0.5),
            "11 o'clock position of the wall": (0.38, 0.2),
        },
        findings=(
            _Finding(
                "polyp",
                "a polyp",
                "blob",
                "bright",
                (
                    "2 o'clock position of the wall",
                    "6 o'clock position of the wall",
                    "9 o'clock position of the wall",
                    "11 o'clock position of the wall",
                ),
                "a rounded, raised protrusion of the mucosa",
                "remove it by endoscopic polypectomy and send it for histology",
                ("an adenomatous polyp", "a hyperplastic polyp"),
                "a family history of colorectal cancer",
            ),
            _Finding(
                "ulcer",
                "an ulcer",
                "ring",
                "bright",
                ("2 o'clock position of the wall", "6 o'clock position of the wall", "9 o'clock position of the wall"),
                "a crater with a whitish fibrin base and raised margins",
                "take biopsies and test for Helicobacter pylori",
                ("a peptic ulcer", "an ulcerated malignancy"),
                "regular NSAID use",
            ),
            _Finding(
                "active bleeding",
                "active bleeding",
                "patchy",
                "dark",
                ("6 o'clock position of the wall", "11 o'clock position of the wall"),
                "a focus of fresh blood oozing from the mucosa",
                "achieve endoscopic hemostasis with clips or thermal therapy",
                ("an angiodysplasia", "a Dieulafoy lesion"),
                "the hemoglobin level and hemodynamic status",
            ),
        ),
        insights=(
            "narrow-band imaging can sharpen the surface pattern and guide where to biopsy",
            "tattooing the site makes the lesion easy to find again at surgery or the next scope",
        ),
        mask="circle",
    ),
    "heart": _OrganSpec(
        body_part="Heart",
        department="cardiology",
        structures="cardiac chambers, valves and pericardium",
        modalities=(_M_ECHO, _M_CMR),
        locations={
            "left ventricle": (0.56, 0.42),
            "left atrium": (0.56, 0.74),
            "right ventricle": (0.37, 0.44),
            "pericardial space": (0.8, 0.56),
        },
        findings=(
            _Finding(
                "pericardial effusion",
                "a pericardial effusion",
                "band",
                "dark",
                ("pericardial space",),
                "a fluid rim surrounding the heart",
                "assess for tamponade physiology and consider pericardiocentesis",
                ("pericarditis", "a malignant effusion"),
                "hypotension and pulsus paradoxus",
            ),
            _Finding(
                "ventricular thrombus",
                "a left ventricular thrombus",
                "blob",
                "bright",
                ("left ventricle",),
                "a rounded echogenic mass near the ventricular apex",
                "start anticoagulation and repeat the imaging",
                ("a thrombus", "prominent trabeculation"),
                "a recent myocardial infarction",
            ),
            _Finding(
                "atrial myxoma",
                "an atrial myxoma",
                "blob",
                "bright",
                ("left atrium",),
                "a mobile mass attached to the interatrial septum",
                "refer for surgical excision after cardiothoracic review",
                ("a myxoma", "an atrial thrombus"),
                "embolic events or positional breathlessness",
            ),
        ),
        insights=(
            "contrast echocardiography can outline a small thrombus that the standard views miss",
            "watching the mass through the cardiac cycle shows whether it is attached or freely mobile",
        ),
        mask="sector",
    ),
    "lower_limb": _OrganSpec(
        body_part="Lower limb",
        department="orthopedics",
        structures="femur, tibia, fibula and knee joint",
        modalities=(_M_XRAY, _M_MRI),
        locations={
            "distal femur": (0.46, 0.34),
            "proximal tibia": (0.46, 0.64),
            "fibular shaft": (0.63, 0.8),
            "femoral shaft": (0.46, 0.14),
        },
        findings=(
            _fracture(("distal femur", "proximal tibia", "fibular shaft", "femoral shaft")),
            _Finding(
                "bone tumor",
                "an aggressive bone tumor",
                "spiculated",
                "bright",
                ("distal femur", "proximal tibia"),
                "a destructive lesion with a sunburst periosteal reaction",
                "stage it with MRI and refer to a bone tumor center",
                ("an osteosarcoma", "an Ewing sarcoma"),
                "night pain in a young patient",
            ),
            _Finding(
                "osteochondroma",
                "an osteochondroma",
                "blob",
                "bright",
                ("distal femur", "proximal tibia"),
                "a bony outgrowth continuous with the cortex pointing away from the joint",
                "follow it clinically and image with MRI only if it grows or hurts",
                ("an osteochondroma", "a parosteal osteosarcoma"),
                "a painless hard lump",
            ),
        ),
        insights=(
            "the cartilage cap thickness on MRI is the single most useful number for an exostosis",
            "imaging the joint above and below avoids missing a second injury",
        ),
    ),
    "lung": _OrganSpec(
        body_part="Lung",
        department="radiology",
        structures="lung parenchyma, airways and pulmonary vessels",
        modalities=(_M_CT, _M_XRAY),
        locations={
            "right upper lobe": (0.31, 0.38),
            "left lower lobe": (0.69, 0.64),
            "right middle lobe": (0.29, 0.56),
            "left upper lobe": (0.69, 0.38),
        },
        findings=(
            _Finding(
                "pulmonary nodule",
                "a pulmonary nodule",
                "blob",
                "bright",
                ("right upper lobe", "left lower lobe", "right middle lobe", "left upper lobe"),
                "a solitary round soft-tissue nodule",
                "arrange follow-up CT according to the Fleischner guidelines",
                ("a granuloma", "a primary lung cancer"),
                "smoking history",
            ),
            _Finding(
                "cavitary lesion",
                "a cavitary lesion",
                "ring",
                "dark",
                ("right upper lobe", "left upper lobe"),
                "a thick-walled lesion with central air",
                "send sputum for tuberculosis testing and consider bronchoscopy",
                ("tuberculosis", "a squamous cell carcinoma"),
                "night sweats and weight loss",
            ),
            _Finding(
                "ground-glass opacity",
                "a ground-glass opacity",
                "patchy",
                "bright",
                ("right upper lobe", "left lower lobe", "right middle lobe", "left upper lobe"),
                "a hazy area of increased density that does not hide the vessels",
                "repeat the CT after a short interval to see whether it persists",
                ("an infection", "an adenocarcinoma in situ"),
                "recent respiratory symptoms",
            ),
        ),
        insights=(
            "measuring the nodule's volume rather than its diameter makes growth easier to detect",
            "scrolling in the lung window and the mediastinal window shows whether there is a solid part",
        ),
    ),
    "oral_cavity": _OrganSpec(
        body_part="Oral cavity",
        department="dentistry",
        structures="teeth, alveolar bone and mandibular canal",
        modalities=(_M_PANO, _M_INTRAORAL),
        locations={
            "lower left molar region": (0.74, 0.64),
            "upper right premolar region": (0.32, 0.36),
            "lower incisor region": (0.5, 0.7),
            "upper left molar region": (0.74, 0.36),
        },
        findings=(
            _Finding(
                "periapical lesion",
                "a periapical lesion",
                "blob",
                "dark",
                ("lower left molar region", "upper right premolar region", "lower incisor region"),
                "a rounded radiolucency at the root apex",
                "test pulp vitality and plan root canal treatment",
                ("a periapical granuloma", "a radicular cyst"),
                "tenderness to percussion",
            ),
            _Finding(
                "dental caries",
                "dental caries",
                "blob",
                "dark",
                ("lower left molar region", "upper right premolar region", "upper left molar region"),
                "a radiolucent defect in the crown enamel and dentin",
                "confirm clinically and place a restoration",
                ("caries", "cervical burnout"),
                "sensitivity to sweet or cold food",
            ),
            _Finding(
                "impacted tooth",
                "an impacted tooth",
                "blob",
                "bright",
                ("lower left molar region", "upper left molar region"),
                "a tooth retained within the bone in an angled position",
                "refer for surgical assessment and extraction",
                ("an impacted third molar", "a supernumerary tooth"),
                "recurrent pericoronitis",
            ),
        ),
        insights=(
            "the relation of the roots to the mandibular canal decides whether a cone-beam CT is worth doing",
            "comparing with the same tooth on the opposite side helps tell disease from normal anatomy",
        ),
    ),
    "pelvic_cavity": _OrganSpec(
        body_part="Pelvic cavity",
        department="obstetrics_gynecology",
        structures="uterus, ovaries and bladder",
        modalities=(_M_US, _M_MRI, _M_CT),
        locations={
            "right adnexa": (0.28, 0.48),
            "left adnexa": (0.72, 0.48),
            "uterine fundus": (0.5, 0.36),
            "posterior cul-de-sac": (0.5, 0.74),
        },
        findings=(
            _Finding(
                "ovarian cyst",
                "an ovarian cyst",
                "ring",
                "dark",
                ("right adnexa", "left adnexa"),
                "a thin-walled, fluid-filled round structure",
                "repeat the pelvic ultrasound in six to eight weeks",
                ("a functional cyst", "a cystadenoma"),
                "the phase of the menstrual cycle",
            ),
            _Finding(
                "uterine fibroid",
                "a uterine fibroid",
                "blob",
                "bright",
                ("uterine fundus",),
                "a well-defined solid mass within the myometrium",
                "arrange gynecology review, with MRI if surgery is planned",
                ("a leiomyoma", "an adenomyoma"),
                "heavy menstrual bleeding",
            ),
            _Finding(
                "free pelvic fluid",
                "free pelvic fluid",
                "band",
                "dark",
                ("posterior cul-de-sac",),
                "fluid layering in the most dependent part of the pelvis",
                "do a pregnancy test and look for a ruptured cyst or ectopic pregnancy",
                ("physiological fluid", "a hemoperitoneum"),
                "the pregnancy status",
            ),
        ),
        insights=(
            "a full bladder acts as an acoustic window and can make a subtle adnexal lesion obvious",
            "timing a repeat scan to the early follicular phase lets a functional cyst resolve on its own",
        ),
        mask="none",
    ),
    "upper_limb": _OrganSpec(
        body_part="Upper limb",
        department="orthopedics",
        structures="humerus, radius, ulna and elbow joint",
        modalities=(_M_XRAY, _M_MRI),
        locations={
            "distal radius": (0.4, 0.84),
            "humeral shaft": (0.5, 0.18),
            "olecranon": (0.58, 0.5),
            "ulnar shaft": (0.6, 0.7),
        },
        findings=(
            _fracture(("distal radius", "humeral shaft", "ulnar shaft", "olecranon")),
            _Finding(
                "bone cyst",
                "a bone cyst",
                "ring",
                "dark",
                ("humeral shaft", "distal radius"),
                "a well-defined lucent lesion with a thin sclerotic rim",
                "follow it with radiographs and consider curettage if it risks fracture",
                ("a simple bone cyst", "an aneurysmal bone cyst"),
                "pain after minor trauma",
            ),
            _Finding(
                "joint effusion",
                "an elbow joint effusion",
                "blob",
                "dark",
                ("olecranon",),
                "elevated fat pads indicating fluid in the elbow joint",
                "treat it as an occult fracture with a sling and repeat imaging",
                ("an occult fracture", "an inflammatory arthritis"),
                "a fall on an outstretched hand",
            ),
        ),
        insights=(
            "a visible posterior fat pad is itself a strong clue to a hidden fracture",
            "an oblique view often shows a fracture line that the standard views miss",
        ),
    ),
}

_ORGAN_DEPARTMENT: Final[Mapping[Organ, Department]] = {organ: spec.department for organ, spec in _ORGAN_SPECS.items()}

_GENERIC_INSIGHTS: Final[tuple[str, ...]] = (
    "looking at an older study first is often the fastest way to decide whether this is new",
    "a short note to the referring clinician describing what would change the plan tends to help more than a long list",
    "asking the patient where exactly it hurts can narrow a broad differential quickly",
)

_DIGRESSIONS: Final[tuple[str, ...]] = (
    "Hospitals now store most images digitally, which makes sharing them between sites easier.",
    "Regular exercise and a balanced diet remain important for general health.",
    "Many imaging centers offer evening appointments to shorten waiting lists.",
    "Radiation dose standards have improved steadily over the last few decades, "
    "and modern scanners use far less than older machines did.",
    "Medical imaging has a long history going back to the discovery of X-rays in 1895.",
    "Patients often ask whether they can eat before a scan, and the answer depends on the study.",
    "Insurance coverage for follow-up imaging varies a lot between providers, so it is worth checking in advance.",
)

_PREAMBLES: Final[tuple[str, ...]] = (
    "It is difficult to be certain from a single image without the clinical history.",
    "Image interpretation always depends on context, "
    "so any conclusion here should be provisional and confirmed by the treating team.",
    "Before answering, it is worth noting that image quality and positioning can affect interpretation.",
    "This needs careful consideration.",
)

_QUESTION_TEMPLATES: Final[Mapping[QuestionType, tuple[str, ...]]] = {
    "abnormality": (
        "What abnormality is shown in this {modality} image of the {body}?",
        "What is the main finding in this image?",
        "Describe the most significant abnormality visible in this {body} image.",
    ),
    "location": (
        "Where is the abnormality located in this image?",
        "In which part of the {body} is the lesion seen?",
    ),
    "modality": (
        "Which imaging modality was used to obtain this image?",
        "What type of imaging study is shown here?",
    ),
    "normality": (
        "Is this {body} image normal?",
        "Does this {modality} image show any abnormality?",
    ),
    "management": (
        "Based on this image, what is the most appropriate next step?",
        "What management would you recommend for the finding shown in this {modality} image?",
    ),
}


# --------------------------------------------------------------------------------------
# Public helpers


def department_of(organ: Organ) -> Department:
    """The clinical department a case of ``organ`` belongs to."""
    return _ORGAN_DEPARTMENT[organ]


def distribute_cases(total: int, organs: Sequence[Organ] = ORGANS) -> dict[Organ, int]:
    """Spread ``total`` cases over ``organs`` as evenly as possible.

    Every organ gets ``total // len(organs)`` cases and the first ``total % len(organs)``
    organs one more, in the given order (1026 over the 13 organs gives 79 to the first
    twelve and 78 to the last, since 13 * 79 = 1027).
    """
    if total < 0:
        raise ValueError(f"total must be non-negative, got {total}")
    if not organs:
        raise ValueError("organs must not be empty")
    if len(set(organs)) != len(organs):
        raise ValueError("organs must be distinct")
    base, extra = divmod(total, len(organs))
    return {organ: base + (1 if i < extra else 0) for i, organ in enumerate(organs)}


# --------------------------------------------------------------------------------------
# Images


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


def _draw_finding(d: ImageDraw.ImageDraw, s: int, r: random.Random, finding: _Finding, at: tuple[float, float]) -> None:
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


def _texture(img: Image.Image, modality: _Modality, mask: str, noise_seed: int) -> Image.Image:
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


def _render_image(
    organ: Organ, modality: _Modality, finding: _Finding, location: str, size: int, r: random.Random
) -> bytes:
    spec = _ORGAN_SPECS[organ]
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    _DRAWERS[organ](draw, size, r)
    _draw_finding(draw, size, r, finding, spec.locations[location])
    out = _texture(img, modality, spec.mask, r.getrandbits(64))
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# Text


@dataclass(frozen=True)
class _Belief:
    """What one answer claims about the image (the truth, or a wrong variant of it)."""

    finding: _Finding | None  # None: the answer claims the image is normal
    location: str
    modality: _Modality


@dataclass(frozen=True)
class _Traits:
    accurate: bool
    digressions: int  # off-topic sentences (0 for the relevance winner)
    points: int  # supporting points covered
    insight: bool
    direct: bool  # answers in its first sentence


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _key_sentence(qtype: QuestionType, b: _Belief, r: random.Random) -> str:
    f = b.finding
    if qtype == "abnormality":
        assert f is not None
        return r.choice(("The main finding is {}.", "This image shows {}.")).format(f.phrase)
    if qtype == "location":
        return r.choice(("The abnormality is located in the {}.", "The lesion lies in the {}.")).format(b.location)
    if qtype == "modality":
        return r.choice(("This is {}.", "The study is {}.")).format(b.modality.noun)
    if qtype == "normality":
        if f is None:
            return r.choice(
                ("The image appears normal.", "No significant abnormality is seen; the study looks normal.")
            )
        return r.choice(("The image is not normal: it shows {}.", "There is an abnormality: {}.")).format(f.phrase)
    assert f is not None
    return r.choice(("The most appropriate next step is to {}.", "I would {}.")).format(f.step)


def _point_pool(qtype: QuestionType, b: _Belief, spec: _OrganSpec) -> list[str]:
    f = b.finding
    if f is None:
        return [
            f"The {spec.structures} appear unremarkable.",
            "No focal lesion, collection or fracture line is identified.",
            "Comparison with any prior imaging would confirm stability.",
            "If symptoms persist, clinical review and follow-up are reasonable.",
        ]
    pool: dict[str, str] = {
        "finding": f"The appearance is consistent with {f.phrase}.",
        "location": f"The abnormality is located in the {b.location}.",
        "description": f"The finding appears as {f.description}.",
        "differential": f"The differential includes {f.differential[0]} and {f.differential[1]}.",
        "step": f"A reasonable next step is to {f.step}.",
        "clinical": f"This should be correlated with {f.clinical}.",
        "cue": f"{_cap(b.modality.cue)} is typical of {b.modality.name}.",
    }
    drop = {
        "abnormality": ("finding", "cue"),
        "location": ("location", "cue"),
        "modality": ("differential", "clinical"),
        "normality": ("finding", "cue"),
        "management": ("step", "cue"),
    }[qtype]
    return [text for key, text in pool.items() if key not in drop]


def _compose(qtype: QuestionType, belief: _Belief, traits: _Traits, spec: _OrganSpec, r: random.Random) -> str:
    key = _key_sentence(qtype, belief, r)
    pool = _point_pool(qtype, belief, spec)
    points = r.sample(pool, traits.points)
    body: list[str] = list(points)
    if traits.insight:
        insight = r.choice(spec.insights + _GENERIC_INSIGHTS)
        body.append(
            r.choice(
                ("One less obvious point: {}.", "A practical tip: {}.", "It is also worth noting that {}.")
            ).format(insight)
        )
    for digression in r.sample(_DIGRESSIONS, traits.digressions):
        body.insert(r.randint(0, len(body)), digression)
    sentences = [key, *body] if traits.direct else [r.choice(_PREAMBLES), *body, key]
    return " ".join(sentences)


def _wrong_belief(qtype: QuestionType, truth: _Belief, spec: _OrganSpec, r: random.Random) -> _Belief:
    if qtype == "location":
        return _Belief(truth.finding, r.choice([x for x in spec.locations if x != truth.location]), truth.modality)
    if qtype == "modality":
        return _Belief(truth.finding, truth.location, r.choice([m for m in spec.modalities if m != truth.modality]))
    if qtype == "normality":
        return _Belief(None, truth.location, truth.modality)
    other = r.choice([f for f in spec.findings if f != truth.finding])
    location = truth.location if truth.location in other.locations else r.choice(other.locations)
    return _Belief(other, location, truth.modality)


_POINT_PAIRS: Final[tuple[tuple[int, int], ...]] = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
_BASE_DIMENSIONS: Final[tuple[Dimension, ...]] = tuple(d for d in DIMENSIONS if d != "overall")


def _draw_winners(r: random.Random) -> dict[Dimension, int]:
    """Winner slot (0 = answer1, 1 = answer2) per dimension, overall by weighted vote."""
    stronger = r.randint(0, 1)
    winners: dict[Dimension, int] = {
        dim: stronger if r.random() < STRONGER_WIN_PROBABILITY else 1 - stronger for dim in _BASE_DIMENSIONS
    }
    margin = sum(w if winners[dim] == 0 else -w for dim, w in OVERALL_WEIGHTS.items())
    winners["overall"] = 0 if margin > 0 else 1
    return winners


def _make_case(
    organ: Organ, question_id: int, r: random.Random, image_size: int, with_department: bool
) -> SyntheticCase:
    spec = _ORGAN_SPECS[organ]
    finding = r.choice(spec.findings)
    truth = _Belief(finding, r.choice(finding.locations), r.choice(spec.modalities))
    qtype: QuestionType = r.choice(QUESTION_TYPES)
    image = _render_image(organ, truth.modality, finding, truth.location, image_size, r)
    question = r.choice(_QUESTION_TEMPLATES[qtype]).format(modality=truth.modality.name, body=spec.body_part.lower())

    winners = _draw_winners(r)
    low, high = r.choice(_POINT_PAIRS)
    loser_digressions = 1 if r.random() < 0.7 else 2
    traits = [
        _Traits(
            accurate=winners["accuracy"] == slot,
            digressions=0 if winners["relevance"] == slot else loser_digressions,
            points=high if winners["comprehensiveness"] == slot else low,
            insight=winners["creativity"] == slot,
            direct=winners["responsiveness"] == slot,
        )
        for slot in (0, 1)
    ]
    wrong = _wrong_belief(qtype, truth, spec, r)
    answers = [_compose(qtype, truth if t.accurate else wrong, t, spec, r) for t in traits]
    labels: tuple[Winner, ...] = tuple("A" if winners[dim] == 0 else "B" for dim in DIMENSIONS)
    return SyntheticCase(
        organ=organ,
        question_id=question_id,
        image_png=image,
        image_id=f"{organ}_{question_id:06d}.png",
        question=question,
        answer1_text=answers[0],
        answer2_text=answers[1],
        modality_type=organ,
        body_part=spec.body_part,
        dataset=SYNTHETIC_DATASET_NAME,
        question_type=qtype,
        labels=labels,
        finding=finding.name,
        finding_location=truth.location,
        department=spec.department if with_department else None,
    )


def make_cases(
    cases_per_organ: Mapping[Organ, int],
    *,
    seed: int,
    image_size: int = 128,
    first_question_id: int = 1,
    with_department: bool = False,
) -> list[SyntheticCase]:
    """Generate cases organ by organ (in the mapping's order) with consecutive question ids.

    Deterministic: the same arguments give equal cases with byte-identical PNG images.
    """
    if image_size < 32:
        raise ValueError(f"image_size must be at least 32, got {image_size}")
    unknown = [organ for organ in cases_per_organ if organ not in _ORGAN_SPECS]
    if unknown:
        raise ValueError(f"unknown organs: {unknown}")
    r = random.Random(seed)
    cases: list[SyntheticCase] = []
    qid = first_question_id
    for organ, count in cases_per_organ.items():
        if count < 0:
            raise ValueError(f"negative case count for {organ}: {count}")
        for _ in range(count):
            cases.append(_make_case(organ, qid, r, image_size, with_department))
            qid += 1
    return cases


# --------------------------------------------------------------------------------------
# Writing


def write_layout(cases: Sequence[SyntheticCase], out_dir: Path) -> list[Path]:
    """Write ``cases`` in the real dataset layout under ``out_dir``.

    For each organ present (in :data:`ORGANS` order): ``pair_gt_all/parquet/<organ>.parquet``
    (written through :class:`datasets.Dataset` so it carries the Hugging Face feature
    metadata, ``image`` as a :class:`datasets.Image` feature) and ``pair_gt_all/<organ>.jsonl``
    with one label record per line. Rows keep the order of ``cases``. Returns the written
    paths, parquet then jsonl per organ.
    """
    import datasets

    out_dir = Path(out_dir)
    ids = [case.question_id for case in cases]
    if len(set(ids)) != len(ids):
        raise ValueError("question_id values must be unique")
    with_department = {case.department is not None for case in cases}
    if len(with_department) > 1:
        raise ValueError("either all cases or none must carry a department")
    parquet_dir = out_dir / PARQUET_DIR
    labels_dir = out_dir / LABELS_DIR
    parquet_dir.mkdir(parents=True, exist_ok=True)

    columns = list(COLUMNS) + (["department"] if with_department == {True} else [])
    features = datasets.Features(
        {
            name: datasets.Image()
            if name == "image"
            else datasets.Value("int64")
            if name == "question_id"
            else datasets.Value("string")
            for name in columns
        }
    )
    bars_were_disabled = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    written: list[Path] = []
    try:
        for organ in ORGANS:
            organ_cases = [case for case in cases if case.organ == organ]
            if not organ_cases:
                continue
            rows = [case.row() for case in organ_cases]
            table = {name: [row[name] for row in rows] for name in columns}
            parquet_path = parquet_dir / f"{organ}.parquet"
            datasets.Dataset.from_dict(table, features=features).to_parquet(str(parquet_path))
            jsonl_path = labels_dir / f"{organ}.jsonl"
            jsonl_path.write_text(
                "".join(json.dumps(case.label_record()) + "\n" for case in organ_cases), encoding="utf-8"
            )
            written += [parquet_path, jsonl_path]
    finally:
        if not bars_were_disabled:
            datasets.enable_progress_bars()
    return written


def write_synthetic_benchmark(
    out_dir: Path, *, total: int = BENCHMARK_CASES, seed: int = 0, image_size: int = 128
) -> list[Path]:
    """Distribute ``total`` cases over all organs, generate them and write the layout."""
    cases = make_cases(distribute_cases(total), seed=seed, image_size=image_size)
    return write_layout(cases, out_dir)
