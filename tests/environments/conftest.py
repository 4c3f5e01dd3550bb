from pathlib import Path

import pytest

from cli_environments import copy_checkout


@pytest.fixture(scope="session")
def fresh_clone(tmp_path_factory) -> Path:
    """A copy of what `git clone` of this repository gives, shared by the tests that only read it."""
    return copy_checkout(tmp_path_factory.mktemp("clone") / "residency-kit")


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The kit's wheel, built from a fresh copy of the checkout through setuptools' PEP 517 hook."""
    from cli_environments import build_distribution

    clone = copy_checkout(tmp_path_factory.mktemp("wheel-src") / "residency-kit")
    return build_distribution(clone, "build_wheel", tmp_path_factory.mktemp("dist"))
