"""The cases behind a report's verdicts: question, answers and image, read from the data the run used.

lmms-eval's samples log keeps a case's identity and expert winners (``target``), not its
texts or image, so the case browser reads them again through the package's loader
(:mod:`med_rewardbench_tasks.data`) from the same data the run read:

* the shipped sample for the sample tasks;
* the source the logged case record names (``"source"``: a Hub repository at a revision, or
  a folder), when the log has it and it can be read here;
* otherwise what a run would read now: ``$MED_REWARDBENCH_DATA_DIR``, or the Hub.

A case whose data cannot be read (no network, a folder that is not on this machine, a case
missing from the data) is still shown, with a note saying why; so is a case whose loaded
labels differ from the logged ones (the data changed since the run). Images become JPEG
previews of at most ``image_size`` pixels a side, made from the image as the judge received
it (:func:`med_rewardbench_tasks.task_hooks.doc_to_visual`); one copy per case, shared
by every judge. Decoding images is the slow part of a report, so organs are read in worker
processes while the main process computes the metrics.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from med_rewardbench_tasks.constants import DIMENSIONS, HF_DATASET_ID
from med_rewardbench_tasks.images import DECODE_ERRORS
from med_rewardbench_tasks.report.workers import Workers

if TYPE_CHECKING:
    from med_rewardbench_tasks.data import Case, DataSource

DEFAULT_IMAGE_SIZE: Final = 512
JPEG_QUALITY: Final = 80
SAMPLE_SOURCE: Final = "sample"
# A Hub dataset as a log names it: "owner/name@revision", "hf://datasets/owner/name[@revision]".
_HUB_SOURCE: Final = re.compile(r"^(?P<prefix>hf://datasets/)?(?P<repo>[\w.-]+/[\w.-]+)(?:@(?P<revision>[\w./-]+))?$")


@dataclass(frozen=True)
class CaseContent:
    """What the case browser shows of one case besides the verdicts."""

    question: str | None = None
    answer1: str | None = None
    answer2: str | None = None
    image: str | None = None  # base64 JPEG preview
    labels: str | None = None  # the loaded expert winners, six letters in the original order
    note: str | None = None  # why something is missing


@dataclass(frozen=True)
class SourceChoice:
    """Where the cases of one logged source are read from, in words for the report."""

    key: str  # "sample", or the logged source string ("" when the log named none)
    source: DataSource | None
    description: str
    problem: str | None = None  # set when ``source`` is None: why no data can be read


def choose_source(dataset: str, logged: str | None) -> SourceChoice:
    """The data source to read for cases of a dataset whose log named ``logged`` (None: not recorded)."""
    from med_rewardbench_tasks import data

    if dataset == SAMPLE_SOURCE:
        return SourceChoice(SAMPLE_SOURCE, data.sample_source(), "the synthetic sample shipped with the package")
    key = logged or ""
    if logged:
        path = Path(logged).expanduser()
        if path.is_dir():
            return SourceChoice(key, data.LocalDirectory(path), f"{path} (named by the run's log)")
        match = _HUB_SOURCE.match(logged)
        # "owner/name" alone could as well be a relative folder: only a revision, the prefix or the
        # benchmark's own repository make it a Hub dataset.
        if match and (match["prefix"] or match["revision"] or match["repo"] == HF_DATASET_ID):
            return SourceChoice(
                key,
                data.HubDataset(match["repo"], match["revision"]),
                f"hf://datasets/{logged.removeprefix('hf://datasets/')} (named by the run's log)",
            )
    try:
        current = data.resolve_source()
    except (data.DataUnavailableError, ValueError) as error:
        return SourceChoice(key, None, "no data", problem=str(error))
    why = (
        f"the log names {logged!r}, which is not on this machine"
        if logged
        else "the log does not name its data source (an older run)"
    )
    return SourceChoice(key, current, f"{current.describe()} ({why}; read what a run would read now)")


def preview(image_bytes: bytes, image_size: int) -> str:
    """A base64 JPEG of the image as the judge received it, at most ``image_size`` pixels a side."""
    from med_rewardbench_tasks.images import decode_image
    from med_rewardbench_tasks.task_hooks import doc_to_visual

    # The cases are loaded without decoding their images (load_organ(decode_images=False)):
    # this one decode makes the checks a run makes (complete data, the pixel limit).
    decoded = decode_image(image_bytes, strict=True, draft_size=image_size)
    # Greyscale and RGB reach the judge unchanged (doc_to_visual only converts modes);
    # keeping greyscale as one channel makes the preview a third of the size.
    image = decoded if decoded.mode in ("L", "RGB") else doc_to_visual({"image": decoded})[0]
    factor = math.ceil(max(image.size) / image_size)
    if factor > 1:
        image = image.reduce(factor)  # box filter by an integer factor: fast, and enough for a preview
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _content(case: Case, image_size: int) -> CaseContent:
    image, note = None, None
    if image_size > 0:
        try:
            image = preview(case.image, image_size)
        except (*DECODE_ERRORS, ValueError) as error:
            note = f"the image could not be previewed ({type(error).__name__}: {error})"
    return CaseContent(
        question=case.question,
        answer1=case.answer1_text,
        answer2=case.answer2_text,
        image=image,
        labels="".join(case.labels[dimension] for dimension in DIMENSIONS),
        note=note,
    )


def read_organ(source: DataSource, organ: str, question_ids: frozenset[str], image_size: int) -> dict[str, CaseContent]:
    """One organ's wanted cases; a failure to read the organ becomes a note on each of them."""
    from med_rewardbench_tasks import data

    try:
        cases = data.load_organ(organ, source, decode_images=False)
    except (data.DataValidationError, data.DataUnavailableError, ValueError, OSError) as error:
        note = f"the data could not be read from {source.describe()}: {error}"
        return {qid: CaseContent(note=note) for qid in question_ids}
    found = {case.question_id: _content(case, image_size) for case in cases if case.question_id in question_ids}
    missing = CaseContent(note=f"no case with this question_id in organ {organ!r} of {source.describe()}")
    return {qid: found.get(qid, missing) for qid in question_ids}


Wanted = Mapping[tuple[str, str], frozenset[str]]  # (source key, organ) -> question ids


class CaseLoader:
    """Reads the wanted cases on the workers; :meth:`result` waits for them.

    Started as soon as the logs are read, so decoding images overlaps the metrics work.
    """

    def __init__(self, choices: Mapping[str, SourceChoice], wanted: Wanted, image_size: int, workers: Workers) -> None:
        self.choices = choices
        self._wanted = wanted
        self._futures: dict[tuple[str, str], Future[dict[str, CaseContent]]] = {}
        self._problems: dict[tuple[str, str], str] = {}
        # Largest organs first, so the last job to finish is a short one.
        for (key, organ), question_ids in sorted(wanted.items(), key=lambda item: -len(item[1])):
            choice = choices[key]
            if choice.source is None:
                self._problems[(key, organ)] = f"no data to read the case from: {choice.problem}"
            else:
                self._futures[(key, organ)] = workers.submit(read_organ, choice.source, organ, question_ids, image_size)

    def result(self) -> dict[tuple[str, str, str], CaseContent]:
        """(source key, organ, question_id) -> what to show of the case."""
        contents: dict[tuple[str, str, str], CaseContent] = {}
        for (key, organ), question_ids in self._wanted.items():
            if (key, organ) in self._problems:
                note = CaseContent(note=self._problems[(key, organ)])
                contents.update({(key, organ, qid): note for qid in question_ids})
                continue
            for qid, content in self._futures[(key, organ)].result().items():
                contents[(key, organ, qid)] = content
        return contents
