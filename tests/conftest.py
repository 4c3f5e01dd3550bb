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
built once; every other test is scheduled on its own. Nothing a test writes is shared: each has its own
`tmp_path`, and the stray-process checks look only at the pids their own test recorded (tests/process_watch.py).
"""

import os
import sys

import pytest

os.environ.setdefault("PULUMI_PYTHON_CMD", sys.executable)


def _module_fixtures(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(defs and defs[-1].scope == "module" for defs in info.name2fixturedefs.values())


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups (--dist loadgroup)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _module_fixtures(item):
            item.add_marker(pytest.mark.xdist_group(f"module-fixture:{item.nodeid.split('::', 1)[0]}"))
