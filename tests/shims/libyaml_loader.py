"""Test-only: lmms-eval reads its task YAMLs through libyaml's C parser, for a faster start.

lmms-eval parses all of its ~3,300 task YAML files at every start (``TaskManager`` indexes
every task) with ``yaml.full_load``, PyYAML's pure-Python parser: several seconds of every CLI
run on a 2-core machine. Where PyYAML has its libyaml binding, :func:`use_libyaml` makes
``full_load`` use ``CFullLoader``: the same full constructor and resolver on libyaml's C
parser, so the same documents (all 2,097 task files lmms-eval 0.7.3 ships load identically).
Constructors registered later (lmms-eval's ``!function``) are registered on it too.

Imported by the start-up shims the tests put on an lmms-eval subprocess's ``PYTHONPATH``
(``tests/shims/sitecustomize.py`` for model classes, ``fast_start_sitecustomize.py`` for the
other CLI runs); never by the package under test.
"""

from __future__ import annotations

from typing import Any


def use_libyaml() -> None:
    import yaml

    if not getattr(yaml, "__with_libyaml__", False):
        return
    c_loader = yaml.CFullLoader
    add_constructor = yaml.add_constructor

    def add_constructor_to_every_loader(tag: str, constructor: Any, Loader: Any = None) -> None:
        add_constructor(tag, constructor, Loader)
        if Loader is None:  # PyYAML itself adds it to its pure-Python loaders only
            c_loader.add_constructor(tag, constructor)

    def full_load(stream: Any) -> Any:
        loader = c_loader(stream)
        # PyYAML's pure-Python reader names the file it reads; lmms-eval's !function constructor
        # resolves the function's module beside that file. The C reader has no name: give it one.
        loader.name = getattr(stream, "name", "<file>")
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()

    yaml.add_constructor = add_constructor_to_every_loader
    yaml.full_load = full_load
