"""private-data-stores through the analyzer protocol: raw OCI/AWS programs, exact flagged URNs."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from residency_rules_programs import aws_provider, flagged, oci_provider, urn_of

POLICY = "private-data-stores"
COMP = "ocid1.compartment.oc1..aaaaaaaacompartment"


def _block(name, bucket, ao, **off):
    settings = dict(block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
                    restrict_public_buckets=True)
    settings.update(off)
    return aws.s3.BucketPublicAccessBlock(name, bucket=bucket, **settings, opts=ao)


def compliant():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.objectstorage.Bucket("oci-default", compartment_id=COMP, namespace="ns", name="a", opts=o)
    oci.objectstorage.Bucket("oci-private", compartment_id=COMP, namespace="ns", name="b",
                             access_type="NoPublicAccess", opts=o)
    b = aws.s3.Bucket("blocked-by-dependency", opts=ao)
    _block("blocked-by-dependency-pab", b.id, ao)
    named = aws.s3.BucketV2("blocked-by-name", bucket="named-bucket", opts=ao)
    _block("blocked-by-name-pab", "named-bucket", ao)
    aws.s3.BucketPolicy("org-only", bucket=named.id, policy=json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-usoversight01"}}}]}), opts=ao)
    aws.s3.BucketAcl("private-acl", bucket=named.id, acl="private", opts=ao)


def violating():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.objectstorage.Bucket("oci-public", compartment_id=COMP, namespace="ns", name="p", access_type="ObjectRead",
                             opts=o)
    oci.objectstorage.Preauthrequest("par", namespace="ns", bucket="a", name="share", access_type="AnyObjectRead",
                                     bucket_listing_action="ListObjects", time_expires="2030-01-01T00:00:00Z", opts=o)
    aws.s3.Bucket("no-block", opts=ao)
    half = aws.s3.Bucket("half-block", opts=ao)
    _block("half-block-pab", half.id, ao, restrict_public_buckets=False)
    public = aws.s3.BucketV2("inline-public-acl", acl="public-read", opts=ao)
    _block("inline-public-acl-pab", public.id, ao)
    aws.s3.BucketAclV2("acl-all-users", bucket="x", access_control_policy=aws.s3.BucketAclV2AccessControlPolicyArgs(
        owner=aws.s3.BucketAclV2AccessControlPolicyOwnerArgs(id="owner"),
        grants=[aws.s3.BucketAclV2AccessControlPolicyGrantArgs(
            permission="READ", grantee=aws.s3.BucketAclV2AccessControlPolicyGrantGranteeArgs(
                type="Group", uri="http://acs.amazonaws.com/groups/global/AllUsers"))]), opts=ao)
    aws.s3.BucketPolicy("public-policy", bucket="x", policy=json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"}]}), opts=ao)


def unknown_at_preview():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    ns = oci.objectstorage.Bucket("first", compartment_id=COMP, namespace="ns", name="f", opts=o)
    oci.objectstorage.Bucket("access-unknown", compartment_id=COMP, namespace="ns", name="u",
                             access_type=ns.id.apply(lambda _: "NoPublicAccess"), opts=o)
    b = aws.s3.Bucket("block-unknown", opts=ao)
    aws.s3.BucketPublicAccessBlock("block-unknown-pab", bucket=b.id, block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=b.id.apply(lambda _: True), opts=ao)


def test_compliant_program_is_not_flagged(pack):
    assert flagged(compliant, pack, POLICY) == set()


def test_every_public_data_store_is_flagged(pack):
    assert flagged(violating, pack, POLICY) == {urn_of(t, n) for t, n in [
        ("oci:ObjectStorage/bucket:Bucket", "oci-public"),
        ("oci:ObjectStorage/preauthrequest:Preauthrequest", "par"),
        ("aws:s3/bucket:Bucket", "no-block"),
        ("aws:s3/bucket:Bucket", "half-block"),
        ("aws:s3/bucketV2:BucketV2", "inline-public-acl"),
        ("aws:s3/bucketAclV2:BucketAclV2", "acl-all-users"),
        ("aws:s3/bucketPolicy:BucketPolicy", "public-policy"),
    ]}


def test_unknown_public_access_settings_fail_closed(pack):
    urns, messages = flagged(unknown_at_preview, pack, POLICY, with_messages=True)
    assert urns == {urn_of("oci:ObjectStorage/bucket:Bucket", "access-unknown"),
                    urn_of("aws:s3/bucket:Bucket", "block-unknown")}
    assert all("cannot be verified at preview" in m for m in messages)
