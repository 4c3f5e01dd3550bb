"""Suite-wide settings.

A policy pack without a `virtualenv` option runs, as under the Pulumi CLI, on PULUMI_PYTHON_CMD or `python3`
from PATH (residency_kit/engine/pack_interpreter.py). The test packs are such packs: the suite's own interpreter
stands in for the activated virtualenv a user would run them from, for the kit's own pack too (it names no
virtualenv: it runs on the Python the kit is installed in), and tests that check the PATH rule set their own
environment.

Parallel workers (`make test` runs `pytest -n auto --dist loadgroup`, pytest-xdist). Each worker is its own
process with its own session: session-scoped fixtures (the policy packs, the built wheel) are built once per
worker that needs them. Tests that share a module-scoped fixture (a component's captured program, a module's
pack with its own config, the kit stacks' previews) are one group that runs on one worker, so the fixture is
built once; every other test is scheduled on its own. The kit's own stacks previewed as shipped
(`kit_stack_preview`, the slowest preview the suite makes) are one session fixture, and every module that
reads it is one group, so each stack is previewed once in the run. Nothing a test writes is shared: each has its own
`tmp_path`, and the stray-process checks look only at the pids their own test recorded (tests/process_watch.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from residency_kit.engine.results import PreviewResult

os.environ.setdefault("PULUMI_PYTHON_CMD", sys.executable)

REPO = Path(__file__).resolve().parents[1]
KIT_STACKS_GROUP = "kit-stack-previews"


def _fixture_scopes(item: pytest.Item) -> dict[str, str]:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return {}
    return {name: defs[-1].scope for name, defs in info.name2fixturedefs.items() if defs}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups (--dist loadgroup)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def module(item: pytest.Item) -> str:
        return item.nodeid.split("::", 1)[0]

    readers = {module(item) for item in items if "kit_stack_preview" in _fixture_scopes(item)}
    for item in items:
        scopes = _fixture_scopes(item)
        if "kit_stack_preview" in scopes or (module(item) in readers and "module" in scopes.values()):
            item.add_marker(pytest.mark.xdist_group(KIT_STACKS_GROUP))
        elif "module" in scopes.values():
            item.add_marker(pytest.mark.xdist_group(f"module-fixture:{module(item)}"))


@pytest.fixture(scope="session")
def kit_stack_preview() -> Callable[[str], PreviewResult]:
    """The kit's own program previewed as shipped with its own pack, once per stack for the run; tests only read
    the results."""
    from residency_kit.engine.api import preview_directory

    previews: dict[str, PreviewResult] = {}

    def preview(stack: str) -> PreviewResult:
        if stack not in previews:
            previews[stack] = preview_directory(REPO, stack=stack, policy_packs=[REPO / "policies"])
        return previews[stack]

    return preview
