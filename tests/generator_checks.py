"""The generators' drift checks (`policies/tools/generate_*.py --check`), run in the test's own process.

Every generator reads the installed SDKs' sources through `sdk_schema`, which parses them once per process
(about 2.5 s). Run as one subprocess per check, each check parsed them again; in process, and scheduled on one
worker (`SDK_SCHEMA_GROUP`), the suite parses them once. tests/policies/test_data_bearing_types.py still runs
its generator as the command a maintainer types.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "policies" / "tools"
SDK_SCHEMA_GROUP = pytest.mark.xdist_group("sdk-schema")


def generator(script: str):
    """The generator module ``policies/tools/<script>.py``, loaded afresh (its imports are shared)."""
    name = f"_checked_{script}"  # not the name the generators import each other by: that copy stays shared
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{script}.py")
    assert spec is not None and spec.loader is not None, f"no generator {script}.py in {TOOLS}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def check_generated(script: str) -> tuple[int, str]:
    """``<script>.py --check``: its exit code and what it printed to stderr (the stale file and the fix)."""
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        code = generator(script).main(["--check"])
    return code, errors.getvalue()
