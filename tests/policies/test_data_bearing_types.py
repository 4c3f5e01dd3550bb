"""Data-bearing types beyond buckets and volumes (issue 13 item 4): key and region checks (durability by kind:
test_store_durability.py).

The type list is generated from the SDKs (``policies/tools/generate_data_bearing_types.py`` ->
``data/data_bearing_types.txt``); these programs use types the first build never knew (SQS, SNS, Kinesis,
CloudWatch Logs, Secrets Manager, ECR, EC2 instances' disks, launch templates, EKS and OKE secrets,
OCI queues, streams and secrets), written the ways people write them: inline blocks, keys created in
the stack and passed as inputs, keys from stack config, explicit and default providers.
"""

import subprocess
import sys

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from tests.policies.conftest import COMPARTMENT, CONFIG, KEY_IAD, PACK_DIR, flagged, judged, messages, urn

KEYS = "us-keys-for-data"
PROTECTION = "immutable-backups"
REGION = "us-region-providers"
US_KEY = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EU_KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PARENT_KEY = "arn:aws:kms:us-east-2:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_FRA = "ocid1.key.oc1.eu-frankfurt-1.bbbbbbbbvault.abcdefghijklmnop"
PROTECT = pulumi.ResourceOptions(protect=True)
AMI = "ami-0123456789abcdef0"


def test_generated_type_list_is_current():
    done = subprocess.run([sys.executable, str(PACK_DIR / "tools" / "generate_data_bearing_types.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_generated_list_has_the_stores_the_issue_names_and_sdk_derived_keyed_types():
    sys.path.insert(0, str(PACK_DIR))
    try:
        from residency_policies.analysis.data_bearing_types import DATA_BEARING_TYPES
    finally:
        sys.path.remove(str(PACK_DIR))
    for token in ("aws:secretsmanager/secret:Secret", "aws:sqs/queue:Queue", "aws:sns/topic:Topic",
                  "aws:kinesis/stream:Stream", "aws:cloudwatch/logGroup:LogGroup", "aws:ecr/repository:Repository",
                  "aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate", "aws:eks/cluster:Cluster",
                  "oci:ContainerEngine/cluster:Cluster", "oci:Queue/queue:Queue", "oci:Streaming/streamPool:StreamPool",
                  "oci:Vault/secret:Secret"):
        assert DATA_BEARING_TYPES[token].needs_key, token
    assert DATA_BEARING_TYPES["aws:ec2/instance:Instance"].each == ("ebsBlockDevices[].kmsKeyId",)
    assert DATA_BEARING_TYPES["aws:ec2/instance:Instance"].store
    # Derived, not curated: a type nobody listed, found by its key input.
    assert DATA_BEARING_TYPES["aws:codebuild/project:Project"].key_paths == ("encryptionKey",)
    assert not DATA_BEARING_TYPES["aws:codebuild/project:Project"].needs_key
    assert len(DATA_BEARING_TYPES) > 250


def _aws_stores(key, *, protect=True):
    """Every AWS store of the issue, each with its own style of key input."""
    opts = pulumi.ResourceOptions(protect=protect)
    aws.sqs.Queue("queue", kms_master_key_id=key, opts=opts)
    aws.sns.Topic("topic", kms_master_key_id=key, opts=opts)
    aws.kinesis.Stream("stream", shard_count=1, encryption_type="KMS", kms_key_id=key, opts=opts)
    aws.cloudwatch.LogGroup("logs", retention_in_days=365, kms_key_id=key, opts=opts)
    aws.secretsmanager.Secret("secret", kms_key_id=key, opts=opts)
    aws.ecr.Repository("repo", encryption_configurations=[
        aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=key)], opts=opts)
    aws.eks.Cluster("eks", role_arn="arn:aws:iam::111111111111:role/eks",
                    vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1", "subnet-2"]),
                    encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                        resources=["secrets"], provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key)),
                    opts=opts)
    # Dict-literal inputs (no Args classes), as many programs write them.
    aws.ec2.Instance("vm", ami=AMI, instance_type="t3.micro",
                     root_block_device={"encrypted": True, "kms_key_id": key},
                     ebs_block_devices=[{"device_name": "/dev/sdf", "volume_size": 10, "encrypted": True, "kms_key_id": key}])
    aws.ec2.LaunchTemplate("lt", image_id=AMI, block_device_mappings=[
        aws.ec2.LaunchTemplateBlockDeviceMappingArgs(device_name="/dev/xvda", ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
            volume_size=20, encrypted="true", kms_key_id=key)),
        aws.ec2.LaunchTemplateBlockDeviceMappingArgs(device_name="/dev/sdb", virtual_name="ephemeral0"),  # instance store: no EBS
    ])


AWS_STORES = {
    "queue": "aws:sqs/queue:Queue", "topic": "aws:sns/topic:Topic", "stream": "aws:kinesis/stream:Stream",
    "logs": "aws:cloudwatch/logGroup:LogGroup", "secret": "aws:secretsmanager/secret:Secret",
    "repo": "aws:ecr/repository:Repository", "eks": "aws:eks/cluster:Cluster", "vm": "aws:ec2/instance:Instance",
    "lt": "aws:ec2/launchTemplate:LaunchTemplate",
}


def _oci_stores(key, *, protect=True):
    opts = pulumi.ResourceOptions(protect=protect)
    oci.queue.Queue("oci-queue", compartment_id=COMPARTMENT, display_name="q", custom_encryption_key_id=key, opts=opts)
    oci.streaming.StreamPool("pool", compartment_id=COMPARTMENT, name="pool",
                             custom_encryption_key=oci.streaming.StreamPoolCustomEncryptionKeyArgs(kms_key_id=key), opts=opts)
    # The SDK requires a secret's key, so it is never missing.
    oci.vault.Secret("oci-secret", compartment_id=COMPARTMENT, secret_name="s", vault_id="ocid1.vault.oc1.iad.v.x", key_id=key or KEY_IAD,
                     secret_content=oci.vault.SecretSecretContentArgs(content_type="BASE64", content="aGk="), opts=opts)
    oci.containerengine.Cluster("oke", compartment_id=COMPARTMENT, kubernetes_version="v1.30.1", name="oke",
                                vcn_id="ocid1.vcn.oc1.iad.aaaa", kms_key_id=key, opts=opts)
    oci.core.Instance("oci-vm", availability_domain="Uocm:US-ASHBURN-AD-1", compartment_id=COMPARTMENT, shape="VM.Standard.E4.Flex",
                      source_details=oci.core.InstanceSourceDetailsArgs(source_type="image", source_id="ocid1.image.oc1.iad.img",
                                                                        kms_key_id=key))


OCI_STORES = {
    "oci-queue": "oci:Queue/queue:Queue", "pool": "oci:Streaming/streamPool:StreamPool",
    "oci-secret": "oci:Vault/secret:Secret", "oke": "oci:ContainerEngine/cluster:Cluster", "oci-vm": "oci:Core/instance:Instance",
}


def test_compliant_stores_with_literal_and_in_stack_keys(preview):
    def program():
        _aws_stores(US_KEY)
        _oci_stores(KEY_IAD)
        key = aws.kms.Key("cmk", opts=PROTECT)  # created here, passed as an input (unknown at preview)
        aws.sqs.Queue("queue-in-stack-key", kms_master_key_id=key.arn, opts=PROTECT)
        aws.ec2.Instance("vm-in-stack-key", ami=AMI, instance_type="t3.micro",
                         root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True, kms_key_id=key.arn))
        # A type nobody curated takes a key: none given is fine, a US key is fine.
        aws.codebuild.Project("build", service_role="arn:aws:iam::111111111111:role/cb", encryption_key=US_KEY,
                              artifacts=aws.codebuild.ProjectArtifactsArgs(type="NO_ARTIFACTS"),
                              environment=aws.codebuild.ProjectEnvironmentArgs(compute_type="BUILD_GENERAL1_SMALL",
                                                                               image="aws/codebuild/standard:7.0", type="LINUX_CONTAINER"),
                              source=aws.codebuild.ProjectSourceArgs(type="NO_SOURCE", buildspec="version: 0.2"))

    result = preview(program)
    assert flagged(result, KEYS) == set()
    assert flagged(result, PROTECTION) == set()
    assert flagged(result, REGION) == set()


def test_stores_without_a_customer_managed_key_are_flagged_each_once(preview):
    def program():
        _aws_stores(None)
        _oci_stores(None)

    result = preview(program)
    expected = {urn(t, n) for n, t in {**AWS_STORES, **OCI_STORES}.items() if n != "oci-secret"}
    assert flagged(result, KEYS) == expected
    # One violation per missing key: the instance lacks two (root and the EBS device), the rest one each.
    by_urn = {}
    for v in result.violations_of(KEYS):
        by_urn.setdefault(v.urn, []).append(v.message)
    assert len(by_urn[urn(AWS_STORES["vm"], "vm")]) == 2
    assert all(len(m) == 1 for u, m in by_urn.items() if u != urn(AWS_STORES["vm"], "vm")), by_urn
    assert any("ebsBlockDevices[0] has no customer-managed key" in m for m in by_urn[urn(AWS_STORES["vm"], "vm")])


def test_one_unkeyed_block_among_keyed_ones_is_flagged(preview):
    def program():
        aws.ec2.Instance("vm", ami=AMI, instance_type="t3.micro",
                         root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True, kms_key_id=US_KEY),
                         ebs_block_devices=[aws.ec2.InstanceEbsBlockDeviceArgs(device_name="/dev/sdf", kms_key_id=US_KEY),
                                            aws.ec2.InstanceEbsBlockDeviceArgs(device_name="/dev/sdg", encrypted=True)])
        aws.ec2.LaunchTemplate("lt", image_id=AMI, block_device_mappings=[
            aws.ec2.LaunchTemplateBlockDeviceMappingArgs(device_name="/dev/xvda", ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                volume_size=20, encrypted="true"))])

    result = preview(program)
    assert flagged(result, KEYS) == {urn("aws:ec2/instance:Instance", "vm"), urn("aws:ec2/launchTemplate:LaunchTemplate", "lt")}
    assert sorted(m.split("\n")[-1].split(" has no")[0] for m in messages(result, KEYS)) == [
        "blockDeviceMappings[0].ebs", "ebsBlockDevices[1]"]


def test_foreign_and_parent_keys_on_new_types_are_flagged(preview):
    def program():
        aws.sqs.Queue("eu-key", kms_master_key_id=EU_KEY, opts=PROTECT)
        aws.cloudwatch.LogGroup("parent-key", kms_key_id=PARENT_KEY, opts=PROTECT)
        aws.sns.Topic("aws-managed", kms_master_key_id="alias/aws/sns", opts=PROTECT)
        oci.queue.Queue("fra-key", compartment_id=COMPARTMENT, display_name="q", custom_encryption_key_id=KEY_FRA, opts=PROTECT)
        # A keyed type that need not have a key must still not use a foreign one when it names one.
        aws.ssm.Parameter("param", type="SecureString", value="v", key_id=EU_KEY)

    result = preview(program)
    assert flagged(result, KEYS) == {
        urn("aws:sqs/queue:Queue", "eu-key"), urn("aws:cloudwatch/logGroup:LogGroup", "parent-key"),
        urn("aws:sns/topic:Topic", "aws-managed"), urn("oci:Queue/queue:Queue", "fra-key"),
        urn("aws:ssm/parameter:Parameter", "param"),
    }


def test_new_stores_need_an_allowed_region_and_no_protection(preview):
    """Queues, topics, streams, log groups, secrets, registries and clusters keep no data that a deletion would lose
    (durability is judged by store kind): unprotected, they pass immutable-backups; their region is still judged."""
    def program():
        _aws_stores(US_KEY, protect=False)
        _oci_stores(KEY_IAD, protect=False)
        eu = aws.Provider("eu", region="eu-west-1")
        aws.sqs.Queue("eu-queue", kms_master_key_id=US_KEY, opts=pulumi.ResourceOptions(provider=eu))
        aws.secretsmanager.Secret("eu-secret", region="eu-central-1", kms_key_id=US_KEY)

    result = preview(program)
    assert flagged(result, PROTECTION) == set()
    # The queue's region comes from the Irish provider: that provider's violation is the one report for it.
    assert flagged(result, REGION) == {urn("pulumi:providers:aws", "eu"), urn("aws:secretsmanager/secret:Secret", "eu-secret")}
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, REGION).passed == {
        urn("aws:cloudwatch/logGroup:LogGroup", "logs"),
        urn("aws:ec2/instance:Instance", "vm"),
        urn("aws:ec2/launchTemplate:LaunchTemplate", "lt"),
        urn("aws:ecr/repository:Repository", "repo"),
        urn("aws:eks/cluster:Cluster", "eks"),
        urn("aws:kinesis/stream:Stream", "stream"),
        urn("aws:secretsmanager/secret:Secret", "secret"),
        urn("aws:sns/topic:Topic", "topic"),
        urn("aws:sqs/queue:Queue", "eu-queue"),
        urn("aws:sqs/queue:Queue", "queue"),
        urn("oci:ContainerEngine/cluster:Cluster", "oke"),
        urn("oci:Core/instance:Instance", "oci-vm"),
        urn("oci:Queue/queue:Queue", "oci-queue"),
        urn("oci:Streaming/streamPool:StreamPool", "pool"),
        urn("oci:Vault/secret:Secret", "oci-secret"),
        urn("pulumi:providers:aws", "default_7_51_1"),
        urn("pulumi:providers:oci", "default_5_5_0"),
    }


def test_ebs_default_key_in_the_stack_covers_volumes_created_without_a_key(preview):
    def program():
        aws.ebs.EncryptionByDefault("on", enabled=True)
        aws.ebs.DefaultKmsKey("default-key", key_arn=aws.kms.Key("ebs-key", opts=PROTECT).arn)
        aws.ec2.Instance("vm", ami=AMI, instance_type="t3.micro")
        aws.ebs.Volume("vol", availability_zone="us-east-2a", size=10, opts=PROTECT)
        # A different region has no default key: still flagged.
        west = aws.Provider("west", region="us-west-2")
        aws.ec2.Instance("vm-west", ami=AMI, instance_type="t3.micro", opts=pulumi.ResourceOptions(provider=west))

    result = preview(program)
    assert flagged(result, KEYS) == {urn("aws:ec2/instance:Instance", "vm-west")}


def test_unknown_keys_and_blocks_compliant_when_from_stack_and_fail_closed_otherwise(preview):
    def program():
        cfg = pulumi.Config()
        # A key id from stack config is a literal at preview: judged like one.
        aws.sqs.Queue("cfg-key", kms_master_key_id=cfg.require("queueKey"), opts=PROTECT)
        # A key created in the stack with a provider in Ireland: the provider's region violation is the one report
        # (us-region-providers), for the key and the log group that uses it.
        eu = aws.Provider("eu", region="eu-west-1")
        eu_key = aws.kms.Key("eu-cmk", opts=pulumi.ResourceOptions(provider=eu, protect=True))
        aws.cloudwatch.LogGroup("logs-eu-key", kms_key_id=eu_key.arn, opts=PROTECT)
        # A whole block list produced by another resource cannot be checked device by device.
        seed = aws.kms.Key("seed", opts=PROTECT)
        aws.ec2.LaunchTemplate("lt-unknown", image_id=AMI,
                               block_device_mappings=seed.arn.apply(lambda arn: [{"device_name": "/dev/xvda", "ebs": {"kms_key_id": arn}}]))

    result = preview(program, config={**CONFIG, "test:queueKey": EU_KEY})
    assert flagged(result, KEYS, level="mandatory") == {
        urn("aws:sqs/queue:Queue", "cfg-key"), urn("aws:ec2/launchTemplate:LaunchTemplate", "lt-unknown"),
    }
    assert flagged(result, REGION) == {urn("pulumi:providers:aws", "eu")}
    unknown = [v.message for v in result.violations_of(KEYS) if v.urn == urn("aws:ec2/launchTemplate:LaunchTemplate", "lt-unknown")]
    assert unknown and all("cannot be verified at preview" in m for m in unknown)
