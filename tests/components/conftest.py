"""Shared helpers for component tests: stack config as the engine passes it to the program."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_stack_config(stack: str) -> dict[str, str]:
    """The stack's config as the program sees it: objects and lists as JSON text, scalars as strings."""
    document = yaml.safe_load((REPO_ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    config: dict[str, str] = {}
    for key, value in (document.get("config") or {}).items():
        if isinstance(value, (dict, list, bool)):
            config[key] = json.dumps(value)
        else:
            config[key] = str(value)
    return config


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def stack_config():
    return load_stack_config
