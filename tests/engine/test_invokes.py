"""Invokes offline: pure functions computed exactly, lookups shaped by the SDK with residency-deciding fields
unknown, pinned answers winning, unanswerable invokes unknown, and every answer recorded with its users."""

from __future__ import annotations

import subprocess
import sys
import json
import re
import zlib
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci
import pytest

from residency_kit.engine.capture import capture
from residency_kit.engine.invokes import InvokeAnswerer
from residency_kit.engine.invokes.aws_policy_document import policy_document
from residency_kit.engine.invokes.pinned import PinnedAnswersError, load_pinned_answers
from residency_kit.engine.invokes.sdk_shapes import object_shape, result_class
from residency_kit.engine.preview_mocks import PreviewMocks

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
CONFIG = {"oci:region": "us-phoenix-1", "aws:region": "us-west-2"}
TENANCY = "ocid1.tenancy.oc1..aaaaaaaatesttenancy"
TOKENS = Path(__file__).with_name("invoke_tokens.txt")


def run(program, config=CONFIG, pinned=None):
    mocks = PreviewMocks(config, pinned=pinned)
    monitor = capture(program, preview=True, config=config, mocks=mocks)
    return monitor, mocks.ledger


def record(ledger, token):
    (found,) = [r for r in ledger.records if r.token == token]
    return found


# --- aws.iam.getPolicyDocument: the provider's exact JSON -------------------------------------------------


def test_policy_document_text_is_the_providers():
    doc = policy_document({"statements": [
        {"sid": "List", "actions": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "resources": ["arn:aws:s3:::*"]},
        {"actions": ["sts:AssumeRole"], "principals": [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}]},
    ]})
    assert doc["json"] == (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "List",\n      "Effect": "Allow",\n'
        '      "Action": [\n        "s3:ListAllMyBuckets",\n        "s3:GetBucketLocation"\n      ],\n'
        '      "Resource": "arn:aws:s3:::*"\n    },\n    {\n      "Effect": "Allow",\n      "Action": "sts:AssumeRole",\n'
        '      "Principal": {\n        "Service": "ec2.amazonaws.com"\n      }\n    }\n  ]\n}'
    )
    assert doc["minifiedJson"] == json.dumps(json.loads(doc["json"]), separators=(",", ":"))
    assert doc["id"] == str(zlib.crc32(doc["json"].encode()))


def test_policy_document_principals_not_principals_conditions_and_not_fields():
    doc = json.loads(policy_document({"statements": [
        {"effect": "Deny", "notActions": ["iam:*", "sts:*"], "notResources": ["arn:aws:s3:::&{aws:username}/*"],
         "principals": [{"type": "*", "identifiers": ["*"]}],
         "conditions": [{"test": "StringNotEquals", "variable": "aws:PrincipalAccount", "values": ["111122223333"]},
                        {"test": "StringNotEquals", "variable": "aws:PrincipalAccount", "values": ["444455556666"]},
                        {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]},
        {"notPrincipals": [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root", "111122223333"]}],
         "actions": ["s3:GetObject"], "resources": ["*"]},
        {"principals": [{"type": "AWS", "identifiers": ["*"]}], "actions": ["s3:GetObject"]},
    ]})["json"])
    deny, not_principal, aws_star = doc["Statement"]
    assert deny["Principal"] == "*"  # only {"*": ["*"]} collapses to "*"
    assert aws_star["Principal"] == {"AWS": "*"}
    assert deny["NotAction"] == ["sts:*", "iam:*"]  # sets: reverse-sorted
    assert deny["NotResource"] == "arn:aws:s3:::${aws:username}/*"  # &{ -> ${
    # Blocks with the same test and variable merge their values; one value is a string.
    assert sorted(deny["Condition"]["StringNotEquals"]["aws:PrincipalAccount"]) == ["111122223333", "444455556666"]
    assert deny["Condition"]["Bool"] == {"aws:SecureTransport": "false"}
    assert not_principal["NotPrincipal"] == {"AWS": ["arn:aws:iam::111122223333:root", "111122223333"]}


_SOURCE_A = json.dumps({"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}]})


def test_policy_document_merges_sources_and_overrides_by_sid():
    source = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Keep", "Effect": "Allow", "Action": ["b", "a"], "Resource": "*",
         "Principal": {"AWS": ["z", "y"]}, "Condition": {"Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"x": 3}}},
        {"Sid": "Replace", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    ]})
    override = json.dumps({"Statement": [{"sid": "Replace", "effect": "Deny", "action": "s3:DeleteObject", "resource": "*"}]})
    doc = json.loads(policy_document({
        "sourcePolicyDocuments": [source], "overridePolicyDocuments": [override],
        "statements": [{"sid": "Own", "actions": ["kms:Decrypt"], "resources": ["*"]}],
    })["json"])
    keep, replaced, own = doc["Statement"]
    assert keep["Action"] == ["b", "a"]  # read back: kept as written
    assert keep["Principal"] == {"AWS": ["z", "y"]}  # read back: identifiers reverse-sorted
    assert keep["Condition"] == {"Bool": {"aws:SecureTransport": "true"}}  # bools become strings, numbers drop
    assert replaced == {"Sid": "Replace", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    assert own["Sid"] == "Own"


@pytest.mark.parametrize(("args", "message"), [
    ({"sourcePolicyDocuments": [_SOURCE_A, _SOURCE_A]},
     "sourcePolicyDocuments[1]: Statement[0] has Sid 'A', which an earlier statement of the source documents already "
     "has; the source documents' Sids must all differ (an override replaces by Sid instead)"),
    ({"statements": [{"sid": "X", "actions": ["a"]}, {"sid": "X", "actions": ["b"]}]},
     "statements[1].sid 'X' is already the Sid of an earlier statement; give each statement its own Sid or none"),
    ({"version": "2008-10-17", "statements": [{"actions": ["a"], "resources": ["&{x}"]}]},
     "statements[0].resources: '&{x}' writes a policy variable as &{...}, which a version 2008-10-17 document cannot "
     "hold; use version 2012-10-17"),
    ({"statements": [{"effect": "Permit"}]}, "statements[0].effect is 'Permit'; allowed: Allow, Deny"),
    ({"statements": [{"sid": "a-b"}]}, "statements[0].sid is 'a-b'; a Sid holds only letters and digits"),
    ({"version": "2020-01-01"}, "version is '2020-01-01'; allowed: 2008-10-17, 2012-10-17"),
    ({"sourceJson": "{}"},
     "sourceJson is deprecated and the provider accepts it only empty; pass the document in sourcePolicyDocuments"),
    ({"overridePolicyDocuments": ["[1]"]},
     "overridePolicyDocuments[0] must be a JSON object (a policy document), got [1]"),
    ({"overridePolicyDocuments": ['{"Statement": [{"Principal": {"AWS": [1]}}]}']},
     "overridePolicyDocuments[0]: Statement[0].Principal 'AWS' lists 1; principal identifiers are strings"),
    ({"sourcePolicyDocuments": ['{"Statement": [{"Condition": ["x"]}]}']},
     'sourcePolicyDocuments[0]: Statement[0].Condition is ["x"]; allowed: an object of operators, each an object of '
     "keys to values"),
])
def test_policy_document_refusals_name_the_argument_the_value_and_what_is_allowed(args, message):
    with pytest.raises(ValueError) as err:
        policy_document(args)
    assert str(err.value) == message


def test_policy_document_escapes_like_go():
    text = policy_document({"statements": [{"actions": ["a"], "resources": ["arn:<&>"]}]})["json"]
    assert '"Resource": "arn:\\u003c\\u0026\\u003e"' in text


# --- pure AWS and OCI functions, and lookups consistent with the provider ------------------------------


def test_pure_functions_follow_the_provider_not_the_stack_config():
    def program():
        gov = aws.Provider("gov", region="us-gov-west-1", allowed_account_ids=["123456789012"])
        opts = pulumi.InvokeOptions(provider=gov)
        part = aws.get_partition(opts=opts)
        region = aws.get_region(opts=opts)
        ident = aws.get_caller_identity(opts=opts)
        arn = aws.get_arn(arn="arn:aws:kms:eu-west-1:210987654321:key/abc")
        aws.s3.Bucket("b", bucket=f"{part.partition}-{region.name}-{ident.account_id}-{arn.region}-{arn.account}")

    monitor, ledger = run(program)
    assert monitor.named("b").inputs["bucket"] == "aws-us-gov-us-gov-west-1-123456789012-eu-west-1-210987654321"
    for token in ("aws:index/getPartition:getPartition", "aws:index/getArn:getArn"):
        assert record(ledger, token).kind == "computed"
    # The account is computed from allowedAccountIds; its ARN names a session offline cannot know.
    assert record(ledger, "aws:index/getCallerIdentity:getCallerIdentity").unknown == ["arn", "userId"]


def test_the_account_is_unknown_without_credentials_and_makes_every_input_built_from_it_unknown():
    def program():
        ident = aws.get_caller_identity()
        aws.s3.BucketPolicy("p", bucket="b", policy=json.dumps({"Statement": [{"Principal": {
            "AWS": f"arn:aws:iam::{ident.account_id}:root"}}]}))

    monitor, ledger = run(program)
    assert monitor.named("p").inputs["policy"] == UNKNOWN
    identity = record(ledger, "aws:index/getCallerIdentity:getCallerIdentity")
    assert "accountId" in identity.unknown and identity.used_by == [monitor.named("p").mock_urn]


def test_lookups_are_shaped_by_the_sdk_consistent_with_the_region_and_unknown_where_residency_is_decided():
    def program():
        azs = aws.get_availability_zones()
        vpc = aws.ec2.get_vpc(default=True)
        ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"])
        aws.ec2.Subnet("s", vpc_id=vpc.id, cidr_block=vpc.cidr_block, availability_zone=azs.names[1])
        aws.ec2.Instance("i", ami=ami.id, instance_type="t3.micro")
        ads = oci.identity.get_availability_domains(compartment_id=TENANCY)
        images = oci.core.get_images_output(compartment_id=TENANCY)
        oci.core.Instance("vm", compartment_id=TENANCY, availability_domain=ads.availability_domains[0].name,
                          shape="VM.Standard.E4.Flex",
                          source_details={"source_type": "image", "source_id": images.images[0].id})

    monitor, ledger = run(program)
    subnet = monitor.named("s").inputs
    assert subnet["availabilityZone"] == "us-west-2b"
    assert subnet["cidrBlock"] == UNKNOWN  # a looked-up CIDR decides residency: unknown, so the pack fails closed
    assert subnet["vpcId"].startswith("vpc-0assumed")
    assert monitor.named("i").inputs["ami"].startswith("ami-0assumed")
    vm = monitor.named("vm").inputs
    assert vm["availabilityDomain"] == "Uocm:PHX-AD-1"
    assert vm["sourceDetails"]["sourceId"].startswith("ocid1.image.oc1.phx.assumed")
    vpc = record(ledger, "aws:ec2/getVpc:getVpc")
    assert {"cidrBlock", "ownerId", "arn"} <= set(vpc.unknown) and "id" in vpc.assumed
    assert vpc.used_by == [monitor.named("s").mock_urn]
    assert record(ledger, "aws:index/getAvailabilityZones:getAvailabilityZones").used_by == [monitor.named("s").mock_urn]
    assert set(record(ledger, "oci:Core/getImages:getImages").used_by) == {monitor.named("vm").mock_urn}


def test_made_up_values_and_markers_depend_on_the_call_alone_not_on_the_calls_before_it():
    """The stand-in provider answers each invoke with a fresh ledger under the real engine; residency preview
    answers a whole run with one. Both must hand out the same made-up values and markers (issue 16)."""
    images = ("oci:Core/getImages:getImages", {"compartmentId": TENANCY, "operatingSystem": "Oracle Linux"})
    vpc = ("aws:ec2/getVpc:getVpc", {"default": True})

    alone = InvokeAnswerer(CONFIG)
    after_others = InvokeAnswerer(CONFIG)
    after_others.answer("aws:ec2/getAmi:getAmi", {"mostRecent": True, "owners": ["amazon"]})
    after_others.answer("oci:Core/getVcns:getVcns", {"compartmentId": TENANCY})
    assert after_others.answer(*images) == alone.answer(*images)
    assert after_others.answer(*vpc) == alone.answer(*vpc)
    # Numbers arrive as doubles over the wire; the answer is the same.
    assert alone.answer(images[0], {**images[1], "limit": 3.0}) == InvokeAnswerer(CONFIG).answer(images[0], {**images[1], "limit": 3})

    ids = [i["id"] for i in alone.answer(*images)["images"]]
    assert len(set(ids)) == len(ids) == 3 and all(i.startswith("ocid1.image.oc1.phx.assumed") for i in ids)
    other = InvokeAnswerer(CONFIG).answer(images[0], {"compartmentId": TENANCY, "operatingSystem": "Windows"})
    assert not set(ids) & {i["id"] for i in other["images"]}  # another lookup, other made-up values
    marker = alone.answer(*vpc)["cidrBlock"]
    assert marker.startswith("<<unknown aws:ec2/getVpc:getVpc.cidrBlock #") and marker.endswith(">>")
    # Another region is another lookup.
    east = InvokeAnswerer({**CONFIG, "aws:region": "us-east-1"}).answer(*vpc)
    assert east["cidrBlock"] != marker and east["id"] != alone.answer(*vpc)["id"]


def test_the_same_lookup_twice_gets_the_same_answer_and_both_calls_list_their_users():
    def program():
        first = aws.ec2.get_vpc(default=True)
        second = aws.ec2.get_vpc(default=True)
        aws.ec2.Subnet("first", vpc_id=first.id, cidr_block="10.0.1.0/24")
        aws.ec2.Subnet("second", vpc_id=second.id, cidr_block="10.0.2.0/24")

    monitor, ledger = run(program)
    assert monitor.named("first").inputs["vpcId"] == monitor.named("second").inputs["vpcId"]
    one, two = [r for r in ledger.records if r.token == "aws:ec2/getVpc:getVpc"]
    assert (one.call, two.call) == (1, 2) and one.invoke == two.invoke
    users = {monitor.named("first").mock_urn, monitor.named("second").mock_urn}
    assert set(one.used_by) == set(two.used_by) == users


def test_an_invoke_depending_on_a_resource_being_created_is_unknown_but_registers_the_default_provider():
    """As the engine: the default provider is resolved (registered) first, then the invoke is declined because a
    resource it depends on does not exist yet; the provider is never asked (no answer is recorded)."""
    def program():
        explicit = aws.Provider("p", region="us-east-2")
        bucket = aws.s3.BucketV2("b", opts=pulumi.ResourceOptions(provider=explicit))
        doc = aws.iam.get_policy_document_output(statements=[aws.iam.GetPolicyDocumentStatementArgs(
            actions=["s3:GetObject"], principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                type="AWS", identifiers=[bucket.arn])])])
        aws.iam.Role("r", assume_role_policy=doc.json, opts=pulumi.ResourceOptions(provider=explicit))

    monitor, ledger = run(program)
    assert monitor.named("r").inputs["assumeRolePolicy"] == UNKNOWN
    assert [u.package for u in monitor.default_provider_uses] == ["aws"]
    assert not [r for r in ledger.records if r.token == "aws:iam/getPolicyDocument:getPolicyDocument"]


def test_oci_availability_domain_names_carry_the_providers_region():
    def program():
        for region in ("us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1", "ap-singapore-1"):
            p = oci.Provider(region, region=region)
            ads = oci.identity.get_availability_domains(compartment_id=TENANCY, opts=pulumi.InvokeOptions(provider=p))
            oci.core.Volume(f"v-{region}", compartment_id=TENANCY, availability_domain=ads.availability_domains[0].name,
                            opts=pulumi.ResourceOptions(provider=p))

    monitor, _ = run(program)
    assert {r.name: r.inputs["availabilityDomain"] for r in monitor.of_type("oci:Core/volume:Volume")} == {
        "v-us-ashburn-1": "Uocm:US-ASHBURN-AD-1", "v-us-phoenix-1": "Uocm:PHX-AD-1",
        "v-eu-frankfurt-1": "Uocm:EU-FRANKFURT-1-AD-1", "v-ap-singapore-1": "Uocm:AP-SINGAPORE-1-AD-1",
    }


def test_tenancy_home_region_and_region_subscriptions_stay_unknown():
    def program():
        tenancy = oci.identity.get_tenancy(tenancy_id=TENANCY)
        subs = oci.identity.get_region_subscriptions(tenancy_id=TENANCY)
        home = [s for s in subs.region_subscriptions if s.is_home_region][0]
        oci.Provider("home", region=home.region_name)
        oci.Provider("key", region=tenancy.home_region_key)
        regions = oci.identity.get_regions(filters=[{"name": "name", "values": ["us-.*"], "regex": True}])
        oci.identity.Tag("t", tag_namespace_id="ns", name="t", description=",".join(r.name for r in regions.regions))

    monitor, ledger = run(program)
    assert monitor.named("home").inputs["region"] == UNKNOWN
    assert monitor.named("key").inputs["region"] == UNKNOWN
    assert "us-ashburn-1" in monitor.named("t").inputs["description"].split(",")
    assert "eu-frankfurt-1" not in monitor.named("t").inputs["description"].split(",")
    assert record(ledger, "oci:Identity/getRegions:getRegions").kind == "computed"


def test_an_unanswerable_invoke_makes_its_dependents_unknown_never_empty():
    def program():
        result = pulumi.runtime.invoke_output("nosuchprovider:index/getThing:getThing", {"x": 1})
        aws.s3.Bucket("b", bucket=result.apply(lambda r: r["name"]))

    monitor, ledger = run(program)
    assert monitor.named("b").inputs["bucket"] == UNKNOWN
    assert record(ledger, "nosuchprovider:index/getThing:getThing").kind == "unanswered"


# --- pinned answers -----------------------------------------------------------------------------------------


def test_pinned_answers_win_field_by_field(tmp_path):
    (tmp_path / "residency-invokes.yaml").write_text(
        "invokes:\n"
        "  - token: aws:ec2/getVpc:getVpc\n"
        "    args: {default: true}\n"
        "    result: {cidr_block: 10.20.0.0/16, id: vpc-0123456789abcdef0}\n"
    )
    pinned = load_pinned_answers(tmp_path)

    def program():
        vpc = aws.ec2.get_vpc(default=True)
        other = aws.ec2.get_vpc(id="vpc-other")
        aws.ec2.Subnet("pinned", vpc_id=vpc.id, cidr_block=vpc.cidr_block)
        aws.ec2.Subnet("not-pinned", vpc_id=other.id, cidr_block=other.cidr_block)

    monitor, ledger = run(program, pinned=pinned)
    assert monitor.named("pinned").inputs == {"vpcId": "vpc-0123456789abcdef0", "cidrBlock": "10.20.0.0/16"}
    assert monitor.named("not-pinned").inputs["cidrBlock"] == UNKNOWN
    first, second = [r for r in ledger.records if r.token == "aws:ec2/getVpc:getVpc"]
    assert first.pinned == ["cidrBlock", "id"] and "cidrBlock" not in first.unknown and "id" not in first.assumed
    assert "pinned by" in first.note and second.pinned == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("invokes: {}\n", "key 'invokes' must be a list"),
        ("invokes:\n  - token: getVpc\n    result: {a: 1}\n", "invokes[0].token: 'getVpc' is not a function token"),
        ("invokes:\n  - token: aws:ec2/getVpc:getVpc\n", "invokes[0].result: expected a non-empty mapping"),
        ("invokes:\n  - token: aws:ec2/getVpc:getVpc\n    result: {a: 1}\n    answer: 2\n", "unknown key(s) answer"),
        ("pinned: []\n", "expected a mapping with one key, 'invokes'"),
    ],
)
def test_a_malformed_fixtures_file_names_the_entry_and_key(tmp_path, text, message):
    (tmp_path / "residency-invokes.yaml").write_text(text)
    with pytest.raises(PinnedAnswersError, match=None) as err:
        load_pinned_answers(tmp_path)
    assert message in str(err.value) and str(tmp_path / "residency-invokes.yaml") in str(err.value)


# --- every invoke of the SDKs ---------------------------------------------------------------------------------


def test_the_token_list_is_every_invoke_the_pinned_sdks_define():
    """Drift test: regenerate with ``python tests/engine/invoke_tokens.py`` when an SDK pin changes."""
    from invoke_tokens import sdk_invoke_tokens

    assert sdk_invoke_tokens() == TOKENS.read_text().split()


def test_a_sample_of_every_sdk_invoke_gets_an_answer_its_result_class_accepts():
    # Every 40th token of the ~3,100 (importing all their modules takes minutes; the sample spans the modules
    # of both SDKs); the full sweep is ``python tests/engine/invoke_tokens.py --answer-all``.
    from invoke_tokens import ARGS

    tokens = TOKENS.read_text().split()[::40]
    answerer = InvokeAnswerer(CONFIG)
    for token in tokens:
        result = answerer.answer(token, ARGS.get(token, {}))
        cls = result_class(token)
        assert result is not None, token
        if cls is None:  # a provider function answered by invoke_single
            assert len(result) == 1, token
            continue
        cls(**{f.python_name: result.get(f.wire_name) for f in object_shape(cls).fields})


def test_provider_functions_are_computed():
    answerer = InvokeAnswerer(CONFIG)
    arn = "arn:aws:iam::111122223333:role/team/app/deployer"
    assert answerer.answer("aws:index/trimIamRolePath:trimIamRolePath", {"arn": arn}) == {
        "result": "arn:aws:iam::111122223333:role/deployer"
    }
    assert answerer.answer("aws:index/arnBuild:arnBuild", {
        "partition": "aws", "service": "s3", "region": "", "accountId": "", "resource": "bucket"}) == {"result": "arn:aws:s3:::bucket"}
    assert answerer.answer("aws:index/arnParse:arnParse", {"arn": arn})["accountId"] == "111122223333"
    assert all(r.kind == "computed" for r in answerer.ledger.records)


def test_the_sdk_records_each_getters_wire_name_where_the_shapes_read_it():
    """The one private name the shapes read (``pulumi.getter``'s recorded name): an SDK upgrade that moves it
    fails here, not in every lookup."""
    # Through the package, as every import of an SDK function's module must be: the SDK packages load lazily, and
    # importing `pulumi_aws.ec2.get_vpc` before `pulumi_aws.ec2` has run leaves `aws.ec2.get_vpc` bound to the
    # module for the rest of the process (importlib's LazyLoader keeps attributes set before the load).
    from pulumi_aws.ec2 import GetVpcResult

    from residency_kit.engine.invokes.sdk_shapes import sdk_getter_wire_name

    assert sdk_getter_wire_name(GetVpcResult.cidr_block.fget) == "cidrBlock"
    assert sdk_getter_wire_name(GetVpcResult.arn.fget) == "arn"
    shape = object_shape(GetVpcResult)
    assert {f.wire_name for f in shape.fields} >= {"cidrBlock", "ownerId", "cidrBlockAssociations", "id"}


# --- answers fit the SDK's result types ------------------------------------------------------------------------


def test_echoed_arguments_are_converted_to_the_result_fields_types_as_the_provider_converts_them():
    seen = {}

    def program():
        ami = aws.ec2.get_ami(most_recent="true", owners=["amazon"], include_deprecated="0")
        objects = aws.s3.get_objects(bucket="b", max_keys="25")
        ad = oci.identity.get_availability_domain(compartment_id=TENANCY, ad_number="2")
        images = oci.core.get_images(compartment_id=TENANCY, operating_system_version=8)
        seen.update(most_recent=ami.most_recent, include_deprecated=ami.include_deprecated,
                    max_keys=objects.max_keys, ad_number=ad.ad_number, os_version=images.operating_system_version)

    _, ledger = run(program)
    assert seen == {"most_recent": True, "include_deprecated": False, "max_keys": 25, "ad_number": 2, "os_version": "8"}
    assert type(seen["max_keys"]) is int and all(r.kind != "failed" for r in ledger.records)


def test_a_value_the_provider_would_not_convert_fails_the_invoke_naming_its_token_and_field():
    def program():
        aws.ec2.get_ami(most_recent="yes", owners=["amazon"])

    with pytest.raises(Exception, match=r"invoke of aws:ec2/getAmi:getAmi failed: argument mostRecent: 'yes' is not a bool"):
        run(program)


def test_an_answer_the_sdk_result_class_would_refuse_fails_the_invoke_naming_its_token(tmp_path):
    # A pinned answer of the wrong shape (a list where the SDK's GetVpcResult wants a string).
    (tmp_path / "residency-invokes.yaml").write_text(
        "invokes:\n  - token: aws:ec2/getVpc:getVpc\n    result: {cidr_block: [10.0.0.0/16]}\n"
    )

    def program():
        aws.ec2.get_vpc(default=True)

    mocks = PreviewMocks(CONFIG, pinned=load_pinned_answers(tmp_path))
    with pytest.raises(Exception, match=r"invoke of aws:ec2/getVpc:getVpc failed: the offline answer does not fit the SDK's GetVpcResult: "
                                        r"cidrBlock: a list where the result has a string \(pinned by "):
        capture(program, preview=True, config=CONFIG, mocks=mocks)
    (failed,) = mocks.ledger.records
    assert failed.kind == "failed" and "GetVpcResult" in failed.note


def test_a_fault_of_the_offline_answer_fails_the_invoke_naming_its_token(monkeypatch):
    from residency_kit.engine import invokes

    def broken(args, ctx, record, ledger):
        raise KeyError("zones")

    monkeypatch.setitem(invokes.HANDLERS, "aws:index/getavailabilityzones:getavailabilityzones", broken)

    def program():
        aws.get_availability_zones()

    mocks = PreviewMocks(CONFIG)
    with pytest.raises(Exception, match=r"invoke of aws:index/getAvailabilityZones:getAvailabilityZones failed: "
                                        r"residency preview could not answer it offline \(KeyError: 'zones'\)"):
        capture(program, preview=True, config=CONFIG, mocks=mocks)
    assert mocks.ledger.records[0].kind == "failed"


# --- values derived from unknown answers -------------------------------------------------------------------------


def test_a_policy_document_computed_from_an_unknown_account_is_unknown_wherever_its_escaped_text_goes():
    def program():
        me = aws.get_caller_identity()
        doc = aws.iam.get_policy_document(statements=[{
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "AWS", "identifiers": [f"arn:aws:iam::{me.account_id}:root"]}],
        }])
        assert "\\u003c\\u003cunknown " in doc.json  # Go's encoding/json escapes the marker's < and >
        aws.iam.Role("direct", assume_role_policy=doc.json)
        aws.iam.Role("embedded", assume_role_policy=json.dumps({"wrapped": doc.minified_json}))
        aws.iam.Role("literal", assume_role_policy=json.dumps({"Statement": []}))

    monitor, ledger = run(program)
    assert monitor.named("direct").inputs["assumeRolePolicy"] == UNKNOWN
    assert monitor.named("embedded").inputs["assumeRolePolicy"] == UNKNOWN  # escaped twice: still found
    assert monitor.named("literal").inputs["assumeRolePolicy"] != UNKNOWN
    identity = record(ledger, "aws:index/getCallerIdentity:getCallerIdentity")
    document = record(ledger, "aws:iam/getPolicyDocument:getPolicyDocument")
    users = {monitor.named("direct").mock_urn, monitor.named("embedded").mock_urn}
    assert set(identity.used_by) == users
    assert document.kind == "assumed" and {"json", "minifiedJson"} <= set(document.unknown)
    assert monitor.named("direct").mock_urn in document.used_by  # the document's own text, by exact match
    assert "#1 aws:index/getCallerIdentity:getCallerIdentity" in document.note


def test_a_policy_document_of_known_values_stays_computed():
    def program():
        doc = aws.iam.get_policy_document(statements=[{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}])
        aws.iam.Policy("p", policy=doc.json)

    monitor, ledger = run(program)
    assert json.loads(monitor.named("p").inputs["policy"])["Statement"][0]["Action"] == "s3:GetObject"
    assert record(ledger, "aws:iam/getPolicyDocument:getPolicyDocument").kind == "computed"


def test_unknown_list_items_have_distinct_markers_so_resources_named_after_them_stay_distinct():
    def program():
        azs = aws.get_availability_zones()  # no region configured: the zone names are unknown
        vpcs = aws.ec2.get_vpcs()
        for name in azs.names:
            aws.ec2.Subnet(f"subnet-{name}", vpc_id="vpc-1", cidr_block="10.0.0.0/24", availability_zone=name)
        aws.ec2.SecurityGroup("sg", vpc_id=vpcs.ids[0])

    monitor, ledger = run(program, config={})
    subnets = monitor.of_type("aws:ec2/subnet:Subnet")
    assert len({s.name for s in subnets}) == 3
    azs = record(ledger, "aws:index/getAvailabilityZones:getAvailabilityZones")
    # (The SDK registers resources concurrently: their order is not the loop's.)
    assert sorted(s.name.split(".names")[1] for s in subnets) == [f"[{i}] #{azs.invoke:08d}>>" for i in range(3)]
    assert all(s.inputs["availabilityZone"] == UNKNOWN for s in subnets)
    assert record(ledger, "aws:index/getAvailabilityZones:getAvailabilityZones").unknown[0] == "names[]"
    assert set(record(ledger, "aws:index/getAvailabilityZones:getAvailabilityZones").used_by) == {s.mock_urn for s in subnets}


def test_a_duplicate_name_built_from_an_unknown_value_says_where_it_came_from():
    from residency_kit.engine.stack import EngineStackError, build_engine_stack

    def program():
        me = aws.get_caller_identity()
        aws.s3.Bucket(f"logs-{me.account_id}")
        aws.s3.Bucket(f"logs-{me.account_id}")

    monitor, ledger = run(program)
    invoke = record(ledger, "aws:index/getCallerIdentity:getCallerIdentity").invoke
    with pytest.raises(EngineStackError, match=r"the name holds a value that is unknown offline \(<<unknown "
                                                rf"aws:index/getCallerIdentity:getCallerIdentity.accountId #{invoke:08d}>>\)"):
        build_engine_stack(monitor.registrations, project="p", stack="s", config=CONFIG)


def test_reading_a_result_class_leaves_the_sdk_function_callable():
    # In a fresh interpreter (nothing of the SDK loaded yet), as when an invoke is answered before the program
    # has touched the function's package: the package's ``get_ami`` must stay the function, not its module.
    code = ("from residency_kit.engine.invokes.sdk_shapes import result_class\n"
            "assert result_class('aws:ec2/getAmi:getAmi').__name__ == 'GetAmiResult'\n"
            "import pulumi_aws as aws\n"
            "print(type(aws.ec2.get_ami).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "function"


def test_no_code_here_imports_an_sdk_functions_module_before_its_package():
    # The same hazard in the tree itself: `from pulumi_aws.ec2.get_vpc import GetVpcResult` in a test, run first on
    # a worker, left `aws.ec2.get_vpc` a module for the worker's later tests. Every such import goes through the
    # package (`from pulumi_aws.ec2 import GetVpcResult`), which loads it first.
    direct = re.compile(r"^\s*(?:from|import)\s+pulumi_(?:aws|oci)\.[a-z0-9_]+\.[a-z0-9_]+", re.MULTILINE)
    root = Path(__file__).resolve().parents[2]
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=root, capture_output=True, text=True, check=True)
    found = [f"{path}: {match.group(0).strip()}" for path in tracked.stdout.split()
             for match in direct.finditer((root / path).read_text(encoding="utf-8"))]
    assert not found, found
