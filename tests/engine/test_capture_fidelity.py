"""What the captured stack holds is what the engine would analyze: transforms applied, registered outputs of
components and the stack, computed outputs unknown in AnalyzeStack, default providers that invokes need,
engine URNs for read resources, no aliases on creates, and remote components marked unchecked."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci
from google.protobuf import json_format

from residency_kit.engine.analyzer_requests import analyze_request, stack_resource
from residency_kit.engine.api import preview_function

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
CONFIG = {"oci:region": "us-ashburn-1", "aws:region": "us-east-2"}


def preview(program):
    return preview_function(program, pack=None, config=CONFIG)


def stack_props(result, name):
    resource = result.stack.named(name)
    return json_format.MessageToDict(stack_resource(result.stack, resource).properties)


def test_resource_and_stack_transforms_change_what_is_registered():
    def tag(args):
        return pulumi.ResourceTransformResult(
            props={**args.props, "freeformTags": {"team": "data"}},
            opts=pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(protect=True)),
        )

    def rename(args):
        return pulumi.ResourceTransformResult(props={**args.props, "description": "set by the stack"}, opts=args.opts)

    def program():
        pulumi.runtime.register_resource_transform(rename)
        oci.identity.Compartment("c", compartment_id="ocid1.tenancy.oc1..aaaa", name="c", description="d",
                                 opts=pulumi.ResourceOptions(transforms=[tag]))

    compartment = preview(program).stack.named("c")
    assert compartment.inputs["freeformTags"] == {"team": "data"}
    assert compartment.inputs["description"] == "set by the stack"
    assert compartment.protect is True


def test_analyze_stack_sees_outputs_computed_unknown_and_registered_outputs_of_components_and_the_stack():
    class Store(pulumi.ComponentResource):
        def __init__(self, name):
            super().__init__("testkit:storage:Store", name, {"note": "an input"})
            self.bucket = aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self,
                                        additional_secret_outputs=["arn"]))
            self.register_outputs({"bucketName": "fixed-name"})

    def program():
        Store("store")
        pulumi.export("answer", 42)

    result = preview(program)
    bucket = stack_props(result, "store-bucket")
    assert bucket["tagsAll"] == UNKNOWN and bucket["bucketRegion"] == UNKNOWN  # computed by the provider
    assert bucket["arn"] == {SECRET_SIG_KEY: "1b47061264138c4ac30d75fd1eb44270", "value": UNKNOWN}
    assert stack_props(result, "store") == {"bucketName": "fixed-name"}  # not its input props
    assert json_format.MessageToDict(analyze_request(result.stack, result.stack.named("store")).properties) == {
        "note": "an input"
    }
    assert json_format.MessageToDict(stack_resource(result.stack, result.stack.root).properties) == {"answer": 42}


def test_an_invoke_without_a_provider_brings_in_the_default_provider():
    def program():
        west = aws.Provider("west", region="us-west-2")
        aws.get_caller_identity()
        aws.s3.Bucket("b", opts=pulumi.ResourceOptions(provider=west))

    names = [r.name for r in preview(program).resources if r.type == "pulumi:providers:aws"]
    assert sorted(names) == ["default_7_51_1", "west"]


def test_resources_depending_on_a_read_name_its_engine_urn_and_creates_carry_no_aliases():
    def program():
        vpc = aws.ec2.Vpc.get("existing", "vpc-0a1b2c3d4e5f60718")
        aws.ec2.SecurityGroup("sg", vpc_id=vpc.id, opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-sg")]))

    result = preview(program)
    sg = result.stack.named("sg")
    assert sg.property_dependencies["vpcId"] == ["urn:pulumi:test::test::aws:ec2/vpc:Vpc::existing"]
    assert sg.aliases == [] and list(analyze_request(result.stack, sg).options.aliases) == []


def test_a_remote_component_is_never_a_clean_verdict():
    def program():
        pulumi.ComponentResource("awsx:ec2:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"}, remote=True)

    result = preview(program)
    assert [r.name for r in result.remote_components] == ["vpc"]
    assert not result.checked
    assert any("remote component awsx:ec2:Vpc 'vpc' was not checked" in reason for reason in result.not_checked)


def test_resources_of_a_provider_whose_configuration_is_unknown_have_no_outputs_over_the_stack():
    def program():
        seed = oci.identity.Compartment("seed", compartment_id="ocid1.tenancy.oc1..aaaa", name="s", description="d")
        dynamic = oci.Provider("dyn", region=seed.id.apply(lambda _: "us-ashburn-1"))
        oci.objectstorage.Bucket("b", compartment_id="c", name="b", namespace="n",
                                 opts=pulumi.ResourceOptions(provider=dynamic))

    result = preview(program)
    assert stack_props(result, "b") == {}  # the engine does not create through an unconfigured provider
    assert json_format.MessageToDict(analyze_request(result.stack, result.stack.named("b")).properties)["name"] == "b"


def test_base_classes_instantiated_directly_carry_the_programs_line():
    """The SDK finds no concrete class's ``__init__`` for ``pulumi.ComponentResource(...)`` and sends no position;
    the capture gives it the line that made the call, and leaves subclasses' positions to the SDK."""
    import inspect

    class Sub(pulumi.ComponentResource):
        def __init__(self, name):
            super().__init__("testkit:x:Sub", name)

    lines = {}

    def program():
        lines["direct"] = inspect.currentframe().f_lineno + 1
        group = pulumi.ComponentResource("testkit:x:Group", "direct")
        lines["raw"] = inspect.currentframe().f_lineno + 1
        pulumi.CustomResource("aws:s3/bucket:Bucket", "raw", {}, opts=pulumi.ResourceOptions(parent=group))
        lines["sub"] = inspect.currentframe().f_lineno + 1
        Sub("sub")

    result = preview(program)
    for name, line in lines.items():
        resource = result.stack.named(name)
        assert (resource.source_file, resource.source_line) == (__file__, line), name
