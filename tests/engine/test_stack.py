"""Registrations rewritten into what the engine analyzes: URNs, root Stack, default and explicit providers."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci
import pytest

from residency_kit.engine.capture import capture
from residency_kit.engine.preview_mocks import PreviewMocks
from residency_kit.engine.stack import (
    UNKNOWN,
    EngineStackError,
    build_engine_stack,
    default_provider_name,
    duration_seconds,
    secret,
)

CONFIG = {"oci:region": "us-ashburn-1", "oci:privateKey": "[secret]", "aws:region": "us-east-2", "app:x": "1"}


class Inner(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:x:Inner", name, None, opts)
        oci.identity.Compartment(f"{name}-c", compartment_id="t", description="d", name="n",
                                 opts=pulumi.ResourceOptions(parent=self))


class Outer(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:x:Outer", name, None, opts)
        Inner(f"{name}-inner", opts=pulumi.ResourceOptions(parent=self))


def _stack(program, config=CONFIG, secret_keys=("oci:privateKey",)):
    monitor = capture(program, project="proj", stack="dev", preview=True, config=config, mocks=PreviewMocks(config))
    return build_engine_stack(monitor.registrations, project="proj", stack="dev", config=config, secret_keys=secret_keys)


def test_urns_have_no_stack_prefix_and_full_parent_type_chains():
    stack = _stack(lambda: Outer("o"))
    assert stack.root.urn == "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
    assert stack.named("o").urn == "urn:pulumi:dev::proj::test:x:Outer::o"
    assert stack.named("o").parent == stack.root.urn
    inner = stack.named("o-inner")
    assert inner.urn == "urn:pulumi:dev::proj::test:x:Outer$test:x:Inner::o-inner"
    leaf = stack.named("o-inner-c")
    assert leaf.urn == "urn:pulumi:dev::proj::test:x:Outer$test:x:Inner$oci:Identity/compartment:Compartment::o-inner-c"
    assert leaf.parent == inner.urn
    assert stack.root.parent == ""


def test_default_provider_per_package_with_namespace_stripped_config_and_secrets():
    def program():
        oci.identity.Compartment("c", compartment_id="t", description="d", name="n")
        aws.sns.Topic("b")

    stack = _stack(program)
    oci_default = stack.named("default_5_5_0")
    assert oci_default.urn == "urn:pulumi:dev::proj::pulumi:providers:oci::default_5_5_0"
    assert oci_default.inputs == {"region": "us-ashburn-1", "privateKey": secret("[secret]"), "version": "5.5.0"}
    aws_default = stack.named("default_7_51_1")
    assert aws_default.inputs == {"region": "us-east-2", "version": "7.51.1"}
    assert stack.named("c").provider == f"{oci_default.urn}::{UNKNOWN}"
    assert stack.provider_of(stack.named("b")) is aws_default
    # Each default provider comes right before its first user, after the root Stack.
    types = [r.type for r in stack.resources]
    assert types.index("pulumi:providers:oci") < types.index("oci:Identity/compartment:Compartment")


def test_explicit_provider_is_referenced_and_no_default_is_synthesized():
    def program():
        p = oci.Provider("home", region="us-phoenix-1")
        oci.identity.Compartment("c", compartment_id="t", description="d", name="n",
                                 opts=pulumi.ResourceOptions(provider=p, protect=True))

    stack = _stack(program)
    assert [r.type for r in stack.resources] == [
        "pulumi:pulumi:Stack", "pulumi:providers:oci", "oci:Identity/compartment:Compartment",
    ]
    home, comp = stack.named("home"), stack.named("c")
    assert home.urn == "urn:pulumi:dev::proj::pulumi:providers:oci::home"
    assert home.inputs["region"] == "us-phoenix-1"
    assert comp.provider == f"{home.urn}::{UNKNOWN}"
    assert comp.protect is True
    assert home.provider == ""


def test_unknowns_and_dependencies_use_engine_urns():
    def program():
        a = oci.identity.Compartment("a", compartment_id="t", description="d", name="n")
        oci.identity.Compartment("b", compartment_id=a.id, description="d", name="n")

    stack = _stack(program)
    a, b = stack.named("a"), stack.named("b")
    assert b.inputs["compartmentId"] == UNKNOWN
    assert b.property_dependencies == {"compartmentId": [a.urn]}
    assert a.urn in b.dependencies


def test_disabled_default_providers_name_the_resource():
    config = {**CONFIG, "pulumi:disable-default-providers": '["oci"]'}
    with pytest.raises(EngineStackError, match="'c'.*disable-default-providers"):
        _stack(lambda: oci.identity.Compartment("c", compartment_id="t", description="d", name="n"), config=config)


@pytest.mark.parametrize(
    ("version", "name"),
    [("5.5.0", "default_5_5_0"), ("", "default"), ("1.2.3-alpha.1", "default_1_2_3_alpha_1"), ("1.0.0+b", "default_1_0_0_b")],
)
def test_default_provider_names(version, name):
    assert default_provider_name(version) == name


def test_durations():
    assert duration_seconds("1h30m") == 5400
    assert duration_seconds("") == 0
    with pytest.raises(ValueError):
        duration_seconds("5 minutes")


def test_default_providers_are_placed_where_their_package_config_is_written(tmp_path):
    from residency_kit.engine.project import load_project, provider_config_positions

    (tmp_path / "Pulumi.yaml").write_text("name: proj\nruntime: python\nconfig:\n  gcp:project: p\n  aws:region: us-east-1\n")
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:profile: ops\n  proj:x: 1\n  aws:region: us-east-2\n  oci:auth: SecurityToken\n"
    )
    project = load_project(tmp_path)
    positions = provider_config_positions(project, "dev")
    stack_file, project_file = str(tmp_path / "Pulumi.dev.yaml"), str(tmp_path / "Pulumi.yaml")
    assert positions.of_package("aws") == (stack_file, 4)  # the region line wins over the package's first key
    assert positions.of_package("oci") == (stack_file, 5)
    assert positions.of_package("gcp") == (project_file, 4)  # only Pulumi.yaml sets it
    assert positions.of_package("azure") == (stack_file, 1)  # nothing sets it: the stack file
    assert provider_config_positions(project, "new").of_package("aws") == (project_file, 5)  # no stack file
    assert provider_config_positions(project, "new").of_package("azure") == (project_file, 1)

    def program():
        aws.s3.Bucket("b")

    monitor = capture(program, project="proj", stack="dev", preview=True, config=CONFIG, mocks=PreviewMocks(CONFIG))
    from residency_kit.engine.stack import EngineStackBuilder

    builder = EngineStackBuilder(project="proj", stack="dev", config=CONFIG, config_positions=positions)
    for reg in monitor.registrations:
        builder.add(reg)
    provider = builder.stack().named("default_7_51_1")
    assert (provider.source_file, provider.source_line) == (stack_file, 4)
    assert builder.stack().root.source_file == ""
