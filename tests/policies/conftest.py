"""Shared fixtures for the policy tests: one policy-pack process per session, driven like the engine.

Tests write fixture programs with raw ``pulumi_oci`` / ``pulumi_aws`` resources, run them with
``preview(program)`` (mock runtime, preview mode, then Analyze/AnalyzeStack over gRPC against the real
pack process) and compare ``flagged(result, policy)`` with the exact set of URNs they expect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import illustrative_rules

from residency_kit.engine.api import preview_function
from residency_kit.engine.results import PreviewResult
from residency_kit.engine.packs import PolicyPackProcess

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
PROJECT = "test"
STACK = "test"
# The providers' regions, and the parties the programs are judged against as a team gives them: the stack's
# `residency:` config (tests/illustrative_rules.py); the pack's rules file adds the kit's floor.
CONFIG: dict[str, str] = {"oci:region": "us-ashburn-1", "aws:region": "us-east-2", **illustrative_rules.stack_config()}
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaatestcompartment"
KEY_IAD = "ocid1.key.oc1.iad.bbbbbbbbvault.abcdefghijklmnop"
TAGS = {"jurisdiction": "US"}


def urn(type_: str, name: str, parents: tuple[str, ...] = ()) -> str:
    """The engine's URN for a resource (the root stack's type is omitted from the qualified type)."""
    qualified = "$".join((*parents, type_))
    return f"urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}"


def provider_urn(package: str, name: str) -> str:
    return urn(f"pulumi:providers:{package}", name)


def start_pack(pack_dir: Path = PACK_DIR, policy_config: Mapping[str, Any] | None = None, config=None) -> PolicyPackProcess:
    pack = PolicyPackProcess(pack_dir, project=PROJECT, stack=STACK, config=dict(config or CONFIG), policy_config=policy_config)
    pack.start()
    return pack


@pytest.fixture(scope="session")
def pack():
    process = start_pack()
    yield process
    process.close()


@pytest.fixture(scope="session")
def preview(pack) -> Callable[..., PreviewResult]:
    def run(program: Callable[[], Any], *, config: Mapping[str, str] | None = None, using: PolicyPackProcess | None = None) -> PreviewResult:
        return preview_function(program, pack=using or pack, project=PROJECT, stack=STACK, config=dict(config or CONFIG))

    return run


def flagged(result: PreviewResult, policy: str, level: str | None = None) -> set[str]:
    """URNs the policy flagged (optionally only at one enforcement level)."""
    return {v.urn for v in result.violations_of(policy) if level is None or v.enforcement_level == level}


def messages(result: PreviewResult, policy: str) -> list[str]:
    return [v.message for v in result.violations_of(policy)]


@pytest.fixture(autouse=True)
def stack_rules_in_process(monkeypatch):
    """Rules built in this process (in-process servicers, ``build_rules`` in unit tests) see the same stack
    config as the pack processes do (``CONFIG``): the parties of ``illustrative_rules``."""
    from residency_policies import rules_file

    monkeypatch.setattr(rules_file, "_stack_layer", lambda: dict(illustrative_rules.RULES))
