"""Test-only start-up shim for lmms-eval CLI runs: task YAMLs parsed by libyaml (see libyaml_loader)."""

from libyaml_loader import use_libyaml

use_libyaml()
