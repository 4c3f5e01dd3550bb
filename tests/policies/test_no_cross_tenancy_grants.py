"""no-cross-tenancy-grants through the analyzer protocol: raw OCI/AWS programs, exact flagged URNs."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from residency_rules_programs import aws_provider, flagged, oci_provider, urn_of

POLICY = "no-cross-tenancy-grants"
TENANCY = "ocid1.tenancy.oc1..aaaaaaaadevtenancy"
TRUSTED_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaoversightexample0000000000000000000000000000000000"
PARENT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"
TRUSTED_ORG = "o-usoversight01"


def _doc(principal, condition=None, effect="Allow"):
    statement = {"Effect": effect, "Action": "sts:AssumeRole", "Principal": principal}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def compliant():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.identity.Policy("oversight-admit", compartment_id=TENANCY, description="x", statements=[
        f"Define tenancy Oversight as {TRUSTED_TENANCY}",
        "Define group Auditors as ocid1.group.oc1..aaaa",
        "Admit group Auditors of tenancy Oversight to read all-resources in tenancy",
        "Allow group Admins to manage all-resources in tenancy"], opts=o)
    aws.iam.Role("svc-role", assume_role_policy=_doc({"Service": "lambda.amazonaws.com"}), opts=ao)
    # (The object form, PolicyDocumentArgs, is refused by the SDK's mock-mode type check, so it is covered by
    # the analysis unit tests instead.)
    aws.iam.Role("oversight-role", assume_role_policy=_doc({"AWS": "arn:aws:iam::111111111111:root"}), opts=ao)
    aws.s3.BucketPolicy("org-only", bucket="b", policy=json.dumps({"Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": TRUSTED_ORG}}}]}), opts=ao)
    aws.lambda_.Permission("s3-invoke", action="lambda:InvokeFunction", function="fn", principal="s3.amazonaws.com",
                           source_account="123456789012", opts=ao)
    role = aws.iam.Role("inline-unknown", assume_role_policy=_doc({"Service": "ec2.amazonaws.com"}), opts=ao)
    # An identity policy names no principal: unknown at preview, still grants nobody new.
    aws.iam.RolePolicy("identity", role=role.id, policy=role.arn.apply(lambda a: json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": a}]})), opts=ao)


def violating():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.identity.Policy("parent-admit", compartment_id=TENANCY, description="x", statements=[
        f"define tenancy Parent as {PARENT_TENANCY}",
        "admit group Ops of tenancy Parent to manage all-resources in tenancy"], opts=o)
    oci.identity.Policy("endorse-any", compartment_id=TENANCY, description="x", statements=[
        "Endorse group Ops to manage object-family in any-tenancy"], opts=o)
    aws.iam.Role("parent-trust", assume_role_policy=_doc({"AWS": "arn:aws:iam::999999999999:role/admin"}), opts=ao)
    aws.iam.Role("unlisted-trust", assume_role_policy=_doc({"AWS": "222222222222"}), opts=ao)
    aws.s3.BucketPolicy("star", bucket="b", policy=_doc("*"), opts=ao)
    aws.kms.Key("key-parent-org", policy=_doc("*", {"StringEquals": {"aws:PrincipalOrgID": "o-parentexample1"}}),
                opts=ao)
    aws.sqs.QueuePolicy("queue-star", queue_url="https://sqs/q", policy=_doc({"AWS": "*"}), opts=ao)
    aws.sns.TopicPolicy("topic-parent", arn="arn:aws:sns:us-east-2:123456789012:t",
                        policy=_doc({"AWS": ["999999999999"]}), opts=ao)
    aws.ecr.RepositoryPolicy("ecr-star", repository="r", policy=_doc("*"), opts=ao)
    aws.lambda_.Permission("lambda-parent", action="lambda:InvokeFunction", function="fn", principal="999999999999",
                           opts=ao)
    aws.kms.Grant("grant-unlisted", key_id="k", operations=["Decrypt"],
                  grantee_principal="arn:aws:iam::222222222222:role/x", opts=ao)
    aws.ram.PrincipalAssociation("ram-parent", principal="999999999999",
                                 resource_share_arn="arn:aws:ram:us-east-2:123456789012:resource-share/x", opts=ao)
    aws.ec2.AmiLaunchPermission("ami-public", image_id="ami-1", group="all", opts=ao)
    aws.ec2.SnapshotCreateVolumePermission("snap-parent", snapshot_id="snap-1", account_id="999999999999", opts=ao)


def unknown_at_preview():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    group = oci.identity.Group("g", compartment_id=TENANCY, description="x", opts=o)
    oci.identity.Policy("statement-unknown", compartment_id=TENANCY, description="x",
                        statements=[group.name.apply(lambda n: f"Admit group {n} of tenancy X to read buckets in tenancy")],
                        opts=o)
    other = aws.iam.Role("other", assume_role_policy=_doc({"Service": "ec2.amazonaws.com"}), opts=ao)
    aws.iam.Role("trust-unknown-principal", assume_role_policy=other.arn.apply(lambda a: _doc({"AWS": a})), opts=ao)
    aws.s3.BucketPolicy("policy-object-unknown-principal", bucket="b",
                        policy=pulumi.Output.json_dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": other.arn},
                                                                        "Action": "s3:GetObject", "Resource": "*"}]}),
                        opts=ao)


def test_compliant_program_is_not_flagged(pack):
    assert flagged(compliant, pack, POLICY) == set()


def test_every_violating_grant_is_flagged(pack):
    assert flagged(violating, pack, POLICY) == {urn_of(t, n) for t, n in [
        ("oci:Identity/policy:Policy", "parent-admit"),
        ("oci:Identity/policy:Policy", "endorse-any"),
        ("aws:iam/role:Role", "parent-trust"),
        ("aws:iam/role:Role", "unlisted-trust"),
        ("aws:s3/bucketPolicy:BucketPolicy", "star"),
        ("aws:kms/key:Key", "key-parent-org"),
        ("aws:sqs/queuePolicy:QueuePolicy", "queue-star"),
        ("aws:sns/topicPolicy:TopicPolicy", "topic-parent"),
        ("aws:ecr/repositoryPolicy:RepositoryPolicy", "ecr-star"),
        ("aws:lambda/permission:Permission", "lambda-parent"),
        ("aws:kms/grant:Grant", "grant-unlisted"),
        ("aws:ram/principalAssociation:PrincipalAssociation", "ram-parent"),
        ("aws:ec2/amiLaunchPermission:AmiLaunchPermission", "ami-public"),
        ("aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission", "snap-parent"),
    ]}


def test_unknown_principals_fail_closed(pack):
    urns, messages = flagged(unknown_at_preview, pack, POLICY, with_messages=True)
    assert urns == {urn_of("oci:Identity/policy:Policy", "statement-unknown"),
                    urn_of("aws:iam/role:Role", "trust-unknown-principal"),
                    urn_of("aws:s3/bucketPolicy:BucketPolicy", "policy-object-unknown-principal")}
    assert all("cannot be verified at preview" in m for m in messages)
