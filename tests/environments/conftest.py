from pathlib import Path

import pytest

from cli_environments import copy_checkout


@pytest.fixture(scope="session")
def fresh_clone(tmp_path_factory) -> Path:
    """A copy of what `git clone` of this repository gives, shared by the tests that only read it."""
    return copy_checkout(tmp_path_factory.mktemp("clone") / "residency-kit")
