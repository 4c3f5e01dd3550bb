import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from tests.policies.conftest import COMPARTMENT, KEY_IAD, flagged, judged, messages, provider_urn, urn

POLICY = "us-keys-for-data"
BUCKET = "oci:ObjectStorage/bucket:Bucket"


def _key(name, provider=None):
    return oci.kms.Key(name, compartment_id=COMPARTMENT, display_name=name, management_endpoint="https://mgmt.example",
                       key_shape=oci.kms.KeyKeyShapeArgs(algorithm="AES", length=32), opts=pulumi.ResourceOptions(provider=provider))


def _bucket(name, key=None, provider=None):
    return oci.objectstorage.Bucket(name, compartment_id=COMPARTMENT, namespace="ns", kms_key_id=key,
                                    opts=pulumi.ResourceOptions(provider=provider))


def _s3_with_key(name, key_arn, provider=None):
    o = pulumi.ResourceOptions(provider=provider)
    b = aws.s3.Bucket(name, opts=o)
    aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", bucket=b.id, rules=[
        aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=key_arn))], opts=o)
    return b


def test_compliant_literal_and_in_stack_keys(preview):
    def program():
        _bucket("literal", KEY_IAD)
        _bucket("in-stack", _key("k").id)  # unknown at preview: present, and the key's own region is allowed
        aws.ebs.Volume("ebs", availability_zone="us-east-2a", size=8, encrypted=True,
                       kms_key_id="arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        _s3_with_key("s3", aws.kms.Key("s3key").arn)

    assert flagged(preview(program), POLICY) == set()


def test_missing_foreign_and_external_keys_are_flagged(preview):
    def program():
        _bucket("no-key")
        _bucket("fra-key", "ocid1.key.oc1.fra.bbbbbbbbvault.abcdefghijklmnop")
        _bucket("eu-key-in-stack", _key("k-eu", oci.Provider("eu", region="eu-frankfurt-1")).id)
        aws.ebs.Volume("ebs-eu", availability_zone="us-east-2a", size=8, encrypted=True,
                       kms_key_id="arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        aws.s3.Bucket("s3-no-key")
        oci.kms.Vault("ekm", compartment_id=COMPARTMENT, display_name="ekm", vault_type="EXTERNAL")

    result = preview(program)
    assert flagged(result, POLICY) == {
        urn(BUCKET, "no-key"),
        urn(BUCKET, "fra-key"),
        urn("aws:ebs/volume:Volume", "ebs-eu"),
        urn("aws:s3/bucket:Bucket", "s3-no-key"),
        urn("oci:Kms/vault:Vault", "ekm"),
    }
    # The in-stack key in Frankfurt is its provider's region: us-region-providers' one violation covers it.
    assert flagged(result, "us-region-providers") == {provider_urn("oci", "eu")}


def _foreign_region_estate(key_region):
    """An AWS provider in ap-southeast-1 (a mistake) whose data stores use keys: one created on that provider,
    and literal key ARNs in ``key_region``."""
    sg = aws.Provider("sg", region="ap-southeast-1")
    o = pulumi.ResourceOptions(provider=sg)
    key = aws.kms.Key("sg-key", opts=o)
    aws.sqs.Queue("queue-in-stack-key", kms_master_key_id=key.arn, opts=o)
    aws.ebs.Volume("ebs-literal-key", availability_zone=f"{key_region}a", size=8, encrypted=True,
                   kms_key_id=f"arn:aws:kms:{key_region}:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", opts=o)
    _s3_with_key("s3-literal-key", f"arn:aws:kms:{key_region}:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                 provider=sg)
    oci_sin = oci.Provider("sin", region="ap-singapore-1")
    _bucket("oci-literal-key", f"ocid1.key.oc1.{'sin' if key_region == 'ap-southeast-1' else 'fra'}.bbbbbbbbvault.abcd",
            provider=oci_sin)
    _bucket("oci-in-stack-key", _key("sin-key", oci_sin).id, provider=oci_sin)


def test_keys_in_the_region_of_a_reported_provider_are_that_one_violation(preview):
    """Issue 13 item 9: a provider in a foreign region whose stores use keys of that same region is one
    violation (the provider's), not one more per store."""
    result = preview(lambda: _foreign_region_estate("ap-southeast-1"))
    assert flagged(result, POLICY) == set()
    assert flagged(result, "us-region-providers") == {provider_urn("aws", "sg"), provider_urn("oci", "sin")}


def test_keys_in_another_foreign_region_than_the_providers_are_still_flagged(preview):
    result = preview(lambda: _foreign_region_estate("eu-west-1"))
    assert flagged(result, POLICY) == {urn("aws:ebs/volume:Volume", "ebs-literal-key"),
                                       urn("aws:s3/bucketServerSideEncryptionConfiguration:"
                                           "BucketServerSideEncryptionConfiguration", "s3-literal-key-sse"),
                                       urn(BUCKET, "oci-literal-key")}
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {
        urn("aws:kms/key:Key", "sg-key"),
        urn("aws:s3/bucket:Bucket", "s3-literal-key"),
        urn("aws:sqs/queue:Queue", "queue-in-stack-key"),
        urn("oci:Kms/key:Key", "sin-key"),
        urn("oci:ObjectStorage/bucket:Bucket", "oci-in-stack-key"),
    }
    assert all("eu-west-1" in m or "eu-frankfurt-1" in m for m in messages(result, POLICY))


def test_an_unknown_key_on_a_reported_provider_still_fails_closed(preview):
    def program():
        sg = aws.Provider("sg", region="ap-southeast-1")
        o = pulumi.ResourceOptions(provider=sg)
        seed = aws.ec2.Vpc("seed", cidr_block="10.0.0.0/16", opts=o)  # no key: only an unknown to build from
        aws.sqs.Queue("queue-unknown-key", kms_master_key_id=seed.arn.apply(lambda _: "arn:aws:kms:x"), opts=o)

    result = preview(program)
    assert flagged(result, POLICY) == {urn("aws:sqs/queue:Queue", "queue-unknown-key")}
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))


def test_unknown_key_location_fails_closed(preview):
    def program():
        seed = oci.identity.Compartment("seed", compartment_id=COMPARTMENT, description="d")
        oci.database.AutonomousDatabase("adb", compartment_id=COMPARTMENT, db_name="adb", kms_key_id=KEY_IAD,
                                        encryption_key=oci.database.AutonomousDatabaseEncryptionKeyArgs(
                                            autonomous_database_provider=seed.id.apply(lambda _: "OCI")))

    result = preview(program)
    assert flagged(result, POLICY, level="mandatory") == {urn("oci:Database/autonomousDatabase:AutonomousDatabase", "adb")}
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))


# --- SSM SecureString parameters and Firehose delivery streams (conditional stores) ------------------------

US_KEY = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PARAM = "aws:ssm/parameter:Parameter"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
ROLE = "arn:aws:iam::222222222222:role/firehose"


def _firehose(name, **kw):
    return aws.kinesis.FirehoseDeliveryStream(name, destination="extended_s3", extended_s3_configuration={
        "role_arn": ROLE, "bucket_arn": "arn:aws:s3:::us-estate-logs", "kms_key_arn": US_KEY}, **kw)


def test_secure_parameters_and_direct_put_streams_with_keys_pass(preview):
    def program():
        aws.ssm.Parameter("secure-with-key", type="SecureString", value="v", key_id=US_KEY)
        aws.ssm.Parameter("secure-with-stack-key", type="SecureString", value="v", key_id=aws.kms.Key("k").arn)
        aws.ssm.Parameter("plain", type="String", value="v")  # not a secret: no key required
        _firehose("direct-put-with-key", server_side_encryption={
            "enabled": True, "key_type": "CUSTOMER_MANAGED_CMK", "key_arn": US_KEY})
        # Reading a Kinesis stream: records stay under the source stream's key (SSE cannot be set here).
        _firehose("from-kinesis", kinesis_source_configuration={
            "kinesis_stream_arn": "arn:aws:kinesis:us-east-2:222222222222:stream/s", "role_arn": ROLE})

    assert flagged(preview(program), POLICY) == set()


def test_secure_parameters_and_direct_put_streams_without_keys_are_flagged(preview):
    def program():
        aws.ssm.Parameter("secure-default-key", type="SecureString", value="v")
        aws.ssm.Parameter("secure-eu-key", type="SecureString", value="v",
                          key_id="arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        _firehose("direct-put-aws-owned", server_side_encryption={"enabled": True, "key_type": "AWS_OWNED_CMK"})
        _firehose("direct-put-no-sse")

    result = preview(program)
    assert flagged(result, POLICY) == {urn(PARAM, "secure-default-key"), urn(PARAM, "secure-eu-key"),
                                       urn(FIREHOSE, "direct-put-aws-owned"), urn(FIREHOSE, "direct-put-no-sse")}
    text = "\n".join(messages(result, POLICY))
    assert "no customer-managed key (type is SecureString): set keyId" in text
    assert "set serverSideEncryption.keyArn" in text


def test_whether_a_key_is_required_unknown_at_preview_fails_closed(preview):
    def program():
        seed = aws.iam.Role("seed", assume_role_policy="{}")  # holds no data: no key of its own
        aws.ssm.Parameter("type-unknown", type=seed.id.apply(lambda _: "SecureString"), value="v")
        aws.ssm.Parameter("type-unknown-with-key", type=seed.id.apply(lambda _: "SecureString"), value="v", key_id=US_KEY)

    result = preview(program)
    assert flagged(result, POLICY, level="mandatory") == {urn(PARAM, "type-unknown")}
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))
