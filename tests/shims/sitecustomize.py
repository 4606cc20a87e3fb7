"""Test-only startup shim: lets lmms-eval's Qwen2-VL / Qwen2.5-VL classes run on a machine without torchvision.

Why it exists: the test environment has a CPU-only torch and no torchvision (the only
torchvision the package registry offers is a CUDA build that fails to import on CPU).
Two things then stop lmms-eval's own ``qwen2_vl`` / ``qwen2_5_vl`` classes before they
reach an image, although neither is needed for images:

1. transformers 5's Qwen processors load a *video* processor, and its only backend is
   torchvision, so ``AutoProcessor.from_pretrained`` raises ImportError.
   Fix: processors drop ``video_processor`` from their sub-processors, so it is never
   loaded; images still go through the (PIL-backed) image processor.
2. ``qwen_vl_utils`` (which lmms-eval uses to fetch and resize images) imports
   torchvision at the top, for its video readers only. lmms-eval imports it through
   ``optional_import``, which only logs "Failed to import qwen_vl_utils" and leaves a
   stub that fails at the first image.
   Fix: while ``qwen_vl_utils.vision_process`` executes, placeholder ``torchvision``
   modules stand in the import system; they are removed right after, and any call into
   them (a video) raises a clear error.

How it is used: ``tests.tiny_models.shim_env`` copies this file into a temporary
directory and puts that directory on the lmms-eval subprocess's ``PYTHONPATH``; Python's
``site`` module then imports it at start-up. It is never installed into site-packages,
the package under test never imports it, and it does nothing at all when torchvision is
installed (the real library is then used everywhere).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Callable
from typing import Any, ClassVar

_MARK = "_med_rewardbench_test_shim"


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
    original = mixin.__dict__["get_attributes"].__func__

    def get_attributes(cls: type) -> list[str]:
        return [name for name in original(cls) if name != "video_processor"]

    mixin.get_attributes = classmethod(get_attributes)


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


class _Finder(importlib.abc.MetaPathFinder):
    # module name -> (code run around its execution, code run on it afterwards)
    hooks: ClassVar[dict[str, tuple[Callable[..., None] | None, Callable[[types.ModuleType], None] | None]]] = {
        "qwen_vl_utils.vision_process": (_with_placeholder_torchvision, None),
        "transformers.processing_utils": (None, _drop_video_processor),
    }

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.hooks:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, *self.hooks[fullname])
                return spec
        return None


def install() -> bool:
    """Install the hooks once, and only where torchvision is missing; returns whether they are active."""
    if not _torchvision_missing():
        return False
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    return True


install()
