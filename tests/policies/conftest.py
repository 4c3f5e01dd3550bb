"""Shared fixtures for the policy tests: one policy-pack process per session, driven like the engine.

Tests write fixture programs with raw ``pulumi_oci`` / ``pulumi_aws`` resources, run them with
``preview(program)`` (mock runtime, preview mode, then Analyze/AnalyzeStack over gRPC against the real
pack process) and compare ``judged(result, policy)`` with the exact sets of URNs they expect, as Checkov's
tests do: the resources the policy flagged and those it judged and passed (``flagged`` alone where only the
flagged set is the point).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Judged:
    """What one policy made of a run: the resources it flagged, and those it judged and passed."""

    flagged: frozenset[str]
    passed: frozenset[str]

    def __init__(self, flagged: set[str] | frozenset[str] = frozenset(), passed: set[str] | frozenset[str] = frozenset()):
        object.__setattr__(self, "flagged", frozenset(flagged))
        object.__setattr__(self, "passed", frozenset(passed))


def _scope_test(policy: str) -> Callable[[str], bool] | None:
    """The pack's declared scope of a stack policy (its types or ``applies_to``), or None when it judges the
    stack itself."""
    from residency_policies.registry import ALL_POLICIES
    from residency_policies.type_aliases import canonical_type

    declared = next(p for p in ALL_POLICIES if p.name == policy)
    types, test = declared.resource_types, declared.applies_to
    if types is None and test is None:
        return None
    return lambda t: (types is None or canonical_type(t) in types) and (test is None or test(canonical_type(t)))


def judged(result: PreviewResult, policy: str) -> Judged:
    """The policy's two sets, as the pack answered over the protocol.

    A resource policy answers ``Analyze`` per resource: it judged every resource it did not call not applicable.
    A stack policy answers ``AnalyzeStack`` once: when it did not call the stack not applicable it judged the
    resources of its declared scope (the root stack, for a policy that judges the stack itself). Never both
    flagged and not applicable: a policy that says it does not apply to a resource must not flag it.
    """
    flagged_urns = result.flagged_urns(policy)
    replies = result.not_applicable_to(policy)
    not_applicable = {n.urn for n in replies if n.urn}
    stack_not_applicable = any(not n.urn for n in replies)
    urns = [r.urn for r in result.resources]
    info = next((p for pack in result.packs for p in pack.policies if p.name == policy), None)
    if info is not None and info.policy_type == "stack":
        scope = _scope_test(policy)
        if stack_not_applicable:
            in_scope: set[str] = set()
        elif scope is None:
            in_scope = {result.stack.root.urn}
        else:
            in_scope = {r.urn for r in result.resources if scope(r.type)}
        not_applicable = set(urns) - in_scope
    overlap = flagged_urns & not_applicable
    assert not overlap, f"{policy} flagged resources it also called not applicable: {sorted(overlap)}"
    return Judged(flagged_urns, set(urns) - not_applicable - flagged_urns)


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
