"""Test-only startup shim: lmms-eval model classes without torchvision, a record of what reached the model.

Why it exists: the test environment has a CPU-only torch and no torchvision (the only
torchvision the package registry offers is a CUDA build that fails to import on CPU).
Two things then stop several of lmms-eval's own classes (the Qwen ones, ``internvl_hf``,
``idefics2``, ``llama_vision``) before they reach an image, although neither is needed
for images:

1. The processors of Qwen2-VL, Qwen2.5-VL, Qwen3-VL and InternVL load a *video* processor,
   and its only backend is torchvision, so ``AutoProcessor.from_pretrained`` raises
   ImportError. Fix: processors skip ``video_processor`` (transformers 5 lists
   sub-processors in one method, transformers 4 per class; both are handled), so it is
   never loaded; images still go through the (PIL-backed) image processor.
2. ``qwen_vl_utils`` (which lmms-eval uses to fetch and resize images) imports
   torchvision at the top, for its video readers only; lmms-eval imports it through
   ``optional_import``, which only logs "Failed to import qwen_vl_utils" and leaves a
   stub that fails at the first image. lmms-eval's ``idefics2`` and ``llama_vision``
   modules import torchvision's ``to_pil_image`` at the top, for video frames only.
   Fix: while those modules execute, placeholder ``torchvision`` modules stand in the
   import system; they are removed right after, and any call into them (a video) raises
   a clear error.

How it is used: ``tests.tiny_models.shim_env`` copies this file into a temporary
directory and puts that directory on the lmms-eval subprocess's ``PYTHONPATH``; Python's
``site`` module then imports it at start-up. It is never installed into site-packages,
the package under test never imports it, and its torchvision stand-ins do nothing when
torchvision is installed (the real library is then used everywhere).

It also makes lmms-eval parse its task YAMLs with libyaml, only to start faster
(``libyaml_loader.py``, copied beside this file).

A second, independent hook records what reached the model: when
``MED_REWARDBENCH_GENERATE_LOG`` names a file, every ``GenerationMixin.generate`` call
appends one JSON line to it (the model class, the token ids it was given, the shape of
every tensor input, and the token ids it returned). The tests decode those ids with the
checkpoint's tokenizer to see the judge prompt and count image tokens, without touching
lmms-eval's model classes. The call itself is not changed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import types
from collections.abc import Callable
from typing import Any

from libyaml_loader import use_libyaml  # copied beside this file by tests.tiny_models.shim_env

_MARK = "_med_rewardbench_test_shim"
GENERATE_LOG_VARIABLE = "MED_REWARDBENCH_GENERATE_LOG"


def _torchvision_missing() -> bool:
    try:
        return importlib.util.find_spec("torchvision") is None
    except (ImportError, ValueError):
        return True


def _unavailable(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("torchvision is not installed: this test shim only lets qwen_vl_utils handle images, not videos")


def _placeholder_torchvision() -> dict[str, types.ModuleType]:
    """Module objects with just the names ``qwen_vl_utils.vision_process`` binds at import time."""

    def module(name: str) -> types.ModuleType:
        mod = types.ModuleType(name, "placeholder installed by a test shim; see tests/shims/sitecustomize.py")
        # A real spec keeps importlib.util.find_spec() well-behaved if anything probes it meanwhile.
        mod.__spec__ = importlib.machinery.ModuleSpec(name, loader=None)
        setattr(mod, _MARK, True)
        return mod

    root, io, transforms, functional = (
        module(name)
        for name in ("torchvision", "torchvision.io", "torchvision.transforms", "torchvision.transforms.functional")
    )
    root.__version__ = "0.0.0+placeholder"
    root.io, root.transforms = io, transforms
    io.read_video = _unavailable
    transforms.functional = functional
    functional.resize = _unavailable
    functional.to_pil_image = _unavailable
    transforms.InterpolationMode = types.SimpleNamespace(BICUBIC="bicubic", BILINEAR="bilinear", NEAREST="nearest")
    return {mod.__name__: mod for mod in (root, io, transforms, functional)}


def _with_placeholder_torchvision(run: Callable[[], None]) -> None:
    placeholders = _placeholder_torchvision()
    saved = {name: sys.modules.get(name) for name in placeholders}
    sys.modules.update(placeholders)
    try:
        run()
    finally:
        for name, previous in saved.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous


def _drop_video_processor(module: types.ModuleType) -> None:
    mixin = module.ProcessorMixin
    if "get_attributes" in mixin.__dict__:  # transformers 5: one method lists the sub-processors
        original = mixin.__dict__["get_attributes"].__func__

        def get_attributes(cls: type) -> list[str]:
            return [name for name in original(cls) if name != "video_processor"]

        mixin.get_attributes = classmethod(get_attributes)
        return
    # transformers 4: each processor class lists them in `attributes`; load the others and pass
    # None for the video processor, which the processor then accepts.
    load_arguments = mixin.__dict__["_get_arguments_from_pretrained"].__func__
    check_argument = mixin.check_argument_for_proper_class

    def _get_arguments_from_pretrained(cls: type, *args: Any, **kwargs: Any) -> list[Any]:
        every = list(cls.attributes)
        if "video_processor" not in every:
            return load_arguments(cls, *args, **kwargs)
        had_own = "attributes" in cls.__dict__
        cls.attributes = [name for name in every if name != "video_processor"]
        try:
            loaded = load_arguments(cls, *args, **kwargs)
        finally:
            if had_own:
                cls.attributes = every
            else:
                del cls.attributes
        loaded.insert(every.index("video_processor"), None)
        return loaded

    def check_argument_for_proper_class(self: Any, attribute_name: str, argument: Any) -> Any:
        if attribute_name == "video_processor" and argument is None:
            return None
        return check_argument(self, attribute_name, argument)

    mixin._get_arguments_from_pretrained = classmethod(_get_arguments_from_pretrained)
    mixin.check_argument_for_proper_class = check_argument_for_proper_class


class _Loader(importlib.abc.Loader):
    """Wraps a module's real loader to run code around its execution; everything else is delegated."""

    def __init__(
        self,
        inner: Any,
        around: Callable[[Callable[[], None]], None] | None,
        after: Callable[[types.ModuleType], None] | None,
    ) -> None:
        self._inner, self._around, self._after = inner, around, after

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._inner.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__loader__ = self._inner  # tracebacks and inspect read sources through the real loader

        def execute() -> None:
            self._inner.exec_module(module)

        (self._around or (lambda run: run()))(execute)
        if self._after is not None:
            self._after(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _rows(value: Any) -> list[list[Any]] | None:
    """A 2-D tensor (or a 1-D one, as one row) as nested lists; None for anything else."""
    if not hasattr(value, "tolist") or not hasattr(value, "dim"):
        return None
    return value.tolist() if value.dim() == 2 else [value.tolist()] if value.dim() == 1 else None


def _record_generate(module: types.ModuleType) -> None:
    mixin = module.GenerationMixin
    original = mixin.generate
    log_path = os.environ[GENERATE_LOG_VARIABLE]

    def generate(self: Any, *args: Any, **kwargs: Any) -> Any:
        output = original(self, *args, **kwargs)
        inputs = dict(kwargs)
        if args:
            inputs.setdefault("input_ids", args[0])
        sequences = getattr(output, "sequences", output)
        record = {
            "model_class": type(self).__name__,
            "input_ids": _rows(inputs.get("input_ids")),
            "attention_mask": _rows(inputs.get("attention_mask")),
            "tensors": {
                name: {"shape": list(value.shape), "dtype": str(value.dtype)}
                for name, value in inputs.items()
                if hasattr(value, "shape") and hasattr(value, "dtype")
            },
            "sequences": _rows(sequences),
        }
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        return output

    generate.__wrapped__ = original  # type: ignore[attr-defined]
    mixin.generate = generate


class _Finder(importlib.abc.MetaPathFinder):
    """Runs hooks around the import of named modules: module name -> (code run around its execution,
    code run on it afterwards)."""

    def __init__(
        self, hooks: dict[str, tuple[Callable[..., None] | None, Callable[[types.ModuleType], None] | None]]
    ) -> None:
        self.hooks = hooks

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.hooks:
            return None
        for finder in sys.meta_path:
            if isinstance(finder, _Finder) or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, *self.hooks[fullname])
                return spec
        return None


TORCHVISION_HOOKS: dict[str, tuple[Callable[..., None] | None, Callable[[types.ModuleType], None] | None]] = {
    "qwen_vl_utils.vision_process": (_with_placeholder_torchvision, None),
    # lmms-eval's idefics2 and llama_vision import torchvision's to_pil_image at the top, for
    # video frames only.
    "lmms_eval.models.simple.idefics2": (_with_placeholder_torchvision, None),
    "lmms_eval.models.simple.llama_vision": (_with_placeholder_torchvision, None),
    "transformers.processing_utils": (None, _drop_video_processor),
}
RECORDER_HOOKS: dict[str, tuple[Callable[..., None] | None, Callable[[types.ModuleType], None] | None]] = {
    "transformers.generation.utils": (None, _record_generate),
}


def install() -> bool:
    """Install the hooks once: the torchvision stand-ins only where torchvision is missing, the
    recorder only when asked for. Returns whether the torchvision stand-ins are active."""
    if any(isinstance(finder, _Finder) for finder in sys.meta_path):
        return _torchvision_missing()
    hooks = {}
    if os.environ.get(GENERATE_LOG_VARIABLE):
        hooks.update(RECORDER_HOOKS)
    missing = _torchvision_missing()
    if missing:
        hooks.update(TORCHVISION_HOOKS)
    if hooks:
        sys.meta_path.insert(0, _Finder(hooks))
    return missing


use_libyaml()
install()
