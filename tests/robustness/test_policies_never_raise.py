"""No policy ever raises, whatever the properties: every policy sees generated and malformed input.

Each example goes through the real pack over the analyzer protocol (``Analyze`` per resource, then
``AnalyzeStack``), so every resource policy sees every generated resource and every stack policy the
whole stack. A policy that raised would surface either as a gRPC error (``PolicyPackError`` from
``analyze``), as the framework's fail-closed "failed while checking" violation, or as pulumi_policy's
"can't run policy ... during preview" advisory; none may appear.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from residency_kit.engine.stack import UNKNOWN, EngineResource, EngineStack
from residency_policies.urns import make_urn
from tests.robustness.conftest import PROJECT, STACK, clone, crashes
from tests.robustness.strategies import PROPERTY_KEYS, TYPE_TOKENS, properties, values

SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ROOT = make_urn(STACK, PROJECT, "pulumi:pulumi:Stack", f"{PROJECT}-{STACK}")


def _root() -> EngineResource:
    return EngineResource(urn=ROOT, type="pulumi:pulumi:Stack", name=f"{PROJECT}-{STACK}", custom=False, synthesized=True)


@st.composite
def generated_stacks(draw) -> EngineStack:
    """A root stack, one OCI and one AWS provider with generated config, and 1-5 generated resources."""
    resources = [_root()]
    providers = []
    for package in ("oci", "aws"):
        props = draw(st.dictionaries(st.sampled_from(["region", "version", "tenancyOcid", "assumeRole"]), values(6), max_size=3))
        provider = EngineResource(
            urn=make_urn(STACK, PROJECT, f"pulumi:providers:{package}", f"p-{package}"), type=f"pulumi:providers:{package}",
            name=f"p-{package}", custom=True, parent=ROOT, inputs=props, id=UNKNOWN,
        )  # fmt: skip
        providers.append(provider)
        resources.append(provider)
    count = draw(st.integers(1, 5))
    for i in range(count):
        type_ = draw(st.sampled_from(TYPE_TOKENS), label="type")
        name = f"r{i}-" + draw(st.text("abcdefghijklmnopqrstuvwxyz-_.0123456789", max_size=12))
        urn = make_urn(STACK, PROJECT, type_, name)
        earlier = [r.urn for r in resources[3:]]
        deps: dict[str, list[str]] = {}
        if earlier:
            deps = draw(st.dictionaries(st.sampled_from(PROPERTY_KEYS), st.lists(st.sampled_from(earlier), min_size=1, max_size=3), max_size=3))
        provider = draw(st.sampled_from(providers))
        resources.append(
            EngineResource(
                urn=urn, type=type_, name=name, custom=True, parent=ROOT,
                provider="" if type_.startswith("pulumi:providers:") else f"{provider.urn}::{UNKNOWN}",
                protect=draw(st.booleans()), inputs=draw(properties(), label="props"),
                dependencies=sorted({u for v in deps.values() for u in v}), property_dependencies=deps, id=UNKNOWN,
            )  # fmt: skip
        )
    return EngineStack(project=PROJECT, stack=STACK, resources=resources)


@settings(max_examples=40, **SETTINGS)
@given(stack=generated_stacks())
def test_generated_resources_never_crash_a_policy(pack, stack):
    violations = pack.analyze(stack)  # a policy exception would be a gRPC error raised here
    assert crashes(violations) == []


@st.composite
def corruptions(draw, count: int):
    """``count`` (resource index, key, value) edits; the key is one the resource has or one policies read."""
    return [
        (draw(st.integers(0, 10**6)), draw(st.one_of(st.none(), st.sampled_from(PROPERTY_KEYS))), draw(values(8)))
        for _ in range(count)
    ]


@settings(max_examples=25, **SETTINGS)
@given(edits=st.integers(1, 4).flatmap(corruptions))
def test_corrupted_estate_never_crashes_a_policy(pack, base_stack, edits):
    """The compliant estate with a few properties replaced by malformed values: joins now meet garbage."""
    stack = clone(base_stack)
    resources = [r for r in stack.resources if not r.synthesized]
    for index, key, value in edits:
        resource = resources[index % len(resources)]
        if key is None:
            existing = sorted(resource.inputs) or PROPERTY_KEYS
            key = existing[random.Random(index).randrange(len(existing))]
        resource.inputs[key] = value
    violations = pack.analyze(stack)
    assert crashes(violations) == []
