"""Fixtures for the robustness suite: the real residency pack over gRPC, and a compliant estate to mutate.

The base estate is the benchmark estate (``benchmarks/estate.py``) at one compartment: typed ``pulumi_oci``
resources captured on the mock runtime in preview mode, so its wire shape is exactly what the engine would
send. Tests deep-copy its ``EngineStack``, mutate inputs or add resources, and analyze the copy directly.
"""

from __future__ import annotations

import illustrative_rules
import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from benchmarks.estate import Spec, program
from process_watch import pid_dir  # noqa: F401  (shared fixture)
from residency_kit.engine.api import preview_function
from residency_kit.engine.pack_config import PolicyConfig
from residency_kit.engine.packs import PolicyPackProcess
from residency_kit.engine.results import Violation
from residency_kit.engine.stack import EngineResource, EngineStack
from residency_policies.urns import make_urn

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
PROJECT = "robust"
STACK = "robust"
CONFIG = {"oci:region": "us-ashburn-1", "aws:region": "us-east-2", **illustrative_rules.stack_config()}
BASE_SPEC = Spec(
    compartments=1, subnets_per_vcn=3, rules_per_list=3, nsg_rules_per_vcn=2, buckets_per_compartment=1,
    statements_per_policy=2,
)  # fmt: skip

# How the pack reports its own failures (reporting.py ``Reporter.crash``; pulumi_policy's
# UnknownValueError advisory); a gRPC error surfaces as PolicyPackError from ``analyze``.
CRASH_MARKERS = ("failed while checking", "can't run policy")


@pytest.fixture(scope="session")
def pack():
    with PolicyPackProcess(PACK_DIR, project=PROJECT, stack=STACK, config=CONFIG) as process:
        yield process


@pytest.fixture(scope="session")
def base_stack() -> EngineStack:
    result = preview_function(program(BASE_SPEC), pack=None, project=PROJECT, stack=STACK, config=CONFIG)
    return result.stack


@pytest.fixture
def estate(base_stack) -> EngineStack:
    """A fresh deep copy of the compliant estate, free to mutate."""
    return clone(base_stack)


def clone(stack: EngineStack) -> EngineStack:
    return EngineStack(project=stack.project, stack=stack.stack, resources=copy.deepcopy(stack.resources))


def crashes(violations: list[Violation]) -> list[str]:
    return [f"{v.policy} on {v.urn}: {v.message}" for v in violations if any(m in v.message for m in CRASH_MARKERS)]


def add_resource(
    stack: EngineStack,
    type_: str,
    name: str,
    inputs: Mapping[str, Any],
    *,
    property_dependencies: Mapping[str, list[str]] | None = None,
    provider_of: EngineResource | None = None,
    protect: bool = False,
) -> EngineResource:
    """Append a custom resource to ``stack`` using the provider of ``provider_of`` (or the first resource's)."""
    template = provider_of or next(r for r in stack.resources if r.provider)
    deps = {k: list(v) for k, v in (property_dependencies or {}).items()}
    resource = EngineResource(
        urn=make_urn(stack.stack, stack.project, type_, name),
        type=type_,
        name=name,
        custom=True,
        parent=stack.root.urn,
        provider=template.provider,
        protect=protect,
        inputs=dict(inputs),
        dependencies=sorted({u for urns in deps.values() for u in urns}),
        property_dependencies=deps,
        custom_timeouts={"create": "", "update": "", "delete": ""},
        id="04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    )
    stack.resources.append(resource)
    stack.by_urn[resource.urn] = resource
    return resource


def of_type(stack: EngineStack, suffix: str) -> list[EngineResource]:
    """Resources whose type token ends with ``suffix`` (e.g. ``"/subnet:Subnet"``), in registration order."""
    return [r for r in stack.resources if r.type.endswith(suffix)]


def configure(pack: PolicyPackProcess, overrides: Mapping[str, PolicyConfig]) -> None:
    """Send the engine's ``Configure`` with the pack's reconciled config plus ``overrides`` (over gRPC)."""
    pack.reconfigure(overrides)


# CI runs are repeatable: a fresh random example there would fail a submission for a bug no change
# introduced. Developers' runs stay random and keep exploring.
import os as _os  # noqa: E402 - beside the profile it selects

from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True)
if _os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
