"""ImmutableBackupCopy: object-locked, KMS-encrypted, fenced S3 buckets in two US regions, and refusals."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pulumi_aws as aws
import pytest
import yaml

from residency_kit.components.aws.bucket_policy import perimeter_bucket_policy
from residency_kit.components.aws.immutable_backup_copy import ImmutableBackupCopy, ImmutableBackupCopyArgs
from residency_kit.engine.capture import EchoMocks, capture

TRUSTED_ORG = "o-usoversight01"
PARENT_ACCOUNT = "999999999999"
PARENT_ORG = "o-parentexample1"


class ArnMocks(EchoMocks):
    """Echo inputs, plus an ARN shaped like the real one so that policy documents can be checked."""

    def new_resource(self, args):
        resource_id, outputs = super().new_resource(args)
        service = args.typ.split(":")[1].split("/")[0]
        if service == "s3":
            outputs.setdefault("bucket", args.name)
            outputs.setdefault("arn", f"arn:aws:s3:::{outputs['bucket']}")
        else:
            outputs.setdefault("arn", f"arn:aws:{service}:us-test:123456789012:{args.name}")
        return resource_id, outputs


def _stack_residency_config(stack: str) -> dict[str, str]:
    """The stack's ``residency:`` keys as the program receives them (objects as JSON text)."""
    path = Path(__file__).resolve().parents[2] / "stacks" / f"Pulumi.{stack}.yaml"
    config = yaml.safe_load(path.read_text())["config"]
    return {key: json.dumps(value) if isinstance(value, (dict, list, bool)) else str(value)
            for key, value in config.items() if key.startswith("residency:")}


def _args(provider, replica_provider, **overrides) -> ImmutableBackupCopyArgs:
    base = ImmutableBackupCopyArgs(
        region="us-east-2",
        replica_region="us-west-2",
        provider=provider,
        replica_provider=replica_provider,
        minimum_retention_days=365,
        trusted_organization_ids=(TRUSTED_ORG,),
        denied_account_ids=(PARENT_ACCOUNT,),
        denied_organization_ids=(PARENT_ORG,),
        tags={"jurisdiction": "US", "data-owner": "us-data-team"},
    )
    return dataclasses.replace(base, **overrides)


def _run(**overrides):
    def program():
        provider = aws.Provider("aws-copy", region=overrides.get("region", "us-east-2"))
        replica = aws.Provider("aws-replica", region=overrides.get("replica_region", "us-west-2"))
        ImmutableBackupCopy("copy", _args(provider, replica, **overrides))

    return capture(program, mocks=ArnMocks())


def _provider_region(monitor, registration) -> str:
    provider_urn = registration.provider.rsplit("::", 1)[0]
    (provider,) = [r for r in monitor.registrations if r.mock_urn == provider_urn]
    return provider.inputs["region"]


def _for_bucket(monitor, type_token, bucket_name):
    matches = [r for r in monitor.of_type(type_token) if r.inputs.get("bucket") == f"{bucket_name}-id"]
    assert len(matches) == 1, (type_token, bucket_name, matches)
    return matches[0]


@pytest.fixture(scope="module")
def monitor():
    return _run()


BUCKETS = [("copy-copy-bucket", "copy-copy-key", "us-east-2"), ("copy-replica-bucket", "copy-replica-key", "us-west-2")]
# Default S3 names: <project>-<stack>-<component name>-<role>; capture() runs as project "project", stack "stack".
S3_NAMES = {"copy-copy-bucket": "project-stack-copy-copy", "copy-replica-bucket": "project-stack-copy-replica"}


def test_children_are_parented_and_no_resource_overrides_its_provider_region(monitor):
    (component,) = monitor.of_type("residency:aws:ImmutableBackupCopy")
    children = [r for r in monitor.registrations if r.type.startswith("aws:")]
    assert len(children) == 19  # 2 x (key, bucket, 6 bucket settings) + role, role policy, replication
    assert all(r.parent == component.mock_urn for r in children)
    assert all("region" not in r.inputs for r in children)
    assert all(r.provider for r in children)


@pytest.mark.parametrize(("bucket_name", "key_name", "region"), BUCKETS)
def test_each_bucket_is_object_locked_encrypted_fenced_and_protected(monitor, bucket_name, key_name, region):
    bucket = monitor.named(bucket_name)
    key = monitor.named(key_name)
    assert _provider_region(monitor, bucket) == region
    assert _provider_region(monitor, key) == region
    assert bucket.protect is True and key.protect is True
    assert bucket.inputs["objectLockEnabled"] is True
    assert bucket.inputs["forceDestroy"] is False
    assert bucket.inputs["tags"] == {"jurisdiction": "US", "data-owner": "us-data-team"}
    assert key.inputs["enableKeyRotation"] is True and key.inputs["multiRegion"] is False

    lock = _for_bucket(monitor, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", bucket_name)
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "COMPLIANCE", "days": 365}}
    versioning = _for_bucket(monitor, "aws:s3/bucketVersioning:BucketVersioning", bucket_name)
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    encryption = _for_bucket(
        monitor, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        bucket_name)
    assert encryption.inputs["rules"] == [{"applyServerSideEncryptionByDefault": {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": key.outputs["arn"]}}]
    block = _for_bucket(monitor, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket_name)
    assert {k: block.inputs[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                         "restrictPublicBuckets")} == dict.fromkeys(
        ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)
    ownership = _for_bucket(monitor, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket_name)
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    for companion in (lock, versioning, encryption, block, ownership):
        assert _provider_region(monitor, companion) == region


@pytest.mark.parametrize(("bucket_name", "key_name", "region"), BUCKETS)
def test_bucket_policy_denies_plain_http_outsiders_and_the_parent_company(monitor, bucket_name, key_name, region):
    policy = _for_bucket(monitor, "aws:s3/bucketPolicy:BucketPolicy", bucket_name)
    assert _provider_region(monitor, policy) == region
    document = json.loads(policy.inputs["policy"])
    arn = f"arn:aws:s3:::{S3_NAMES[bucket_name]}"
    statements = {s["Sid"]: s for s in document["Statement"]}
    assert set(statements) == {"DenyInsecureTransport", "DenyPrincipalsOutsideTrustedOrganization",
                               "DenyParentCompanyAccounts", "DenyParentCompanyOrganizations"}
    for statement in statements.values():
        assert statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "s3:*"
        assert statement["Resource"] == [arn, f"{arn}/*"]
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statements["DenyPrincipalsOutsideTrustedOrganization"]["Condition"] == {
        "StringNotEquals": {"aws:PrincipalOrgID": [TRUSTED_ORG]},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
    }
    assert statements["DenyParentCompanyAccounts"]["Condition"] == {
        "StringEquals": {"aws:PrincipalAccount": [PARENT_ACCOUNT]}}
    assert statements["DenyParentCompanyOrganizations"]["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": [PARENT_ORG]}}


def test_policy_without_parent_identifiers_keeps_the_perimeter():
    document = perimeter_bucket_policy("arn:aws:s3:::b", [TRUSTED_ORG])
    assert [s["Sid"] for s in document["Statement"]] == ["DenyInsecureTransport",
                                                          "DenyPrincipalsOutsideTrustedOrganization"]


def test_replication_targets_the_replica_bucket_with_its_key(monitor):
    (replication,) = monitor.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    replica_key = monitor.named("copy-replica-key")
    role = monitor.named("copy-replication-role")
    assert _provider_region(monitor, replication) == "us-east-2"
    assert replication.inputs["bucket"] == "copy-copy-bucket-id"
    assert replication.inputs["role"] == role.outputs["arn"]
    (rule,) = replication.inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["destination"] == {"bucket": "arn:aws:s3:::project-stack-copy-replica",
                                   "encryptionConfiguration": {"replicaKmsKeyId": replica_key.outputs["arn"]}}
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    versionings = {r.mock_urn for r in monitor.of_type("aws:s3/bucketVersioning:BucketVersioning")}
    assert versionings <= set(replication.dependencies)


def test_replication_role_is_least_privilege(monitor):
    role = monitor.named("copy-replication-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                                   "Action": "sts:AssumeRole"}]
    assert "managedPolicyArns" not in role.inputs and "inlinePolicies" not in role.inputs
    (role_policy,) = monitor.of_type("aws:iam/rolePolicy:RolePolicy")
    assert role_policy.inputs["role"] == role.id
    statements = json.loads(role_policy.inputs["policy"])["Statement"]
    source, replica = "arn:aws:s3:::project-stack-copy-copy", "arn:aws:s3:::project-stack-copy-replica"
    by_sid = {s["Sid"]: s for s in statements}
    assert all(s["Effect"] == "Allow" for s in statements)
    assert all("*" not in action for s in statements for action in s["Action"])
    assert by_sid["ReadSourceReplicationConfiguration"]["Resource"] == [source]
    assert by_sid["ReadSourceObjectVersions"]["Resource"] == [f"{source}/*"]
    assert {"s3:GetObjectRetention", "s3:GetObjectLegalHold"} <= set(by_sid["ReadSourceObjectVersions"]["Action"])
    assert by_sid["WriteReplicas"]["Resource"] == [f"{replica}/*"]
    assert by_sid["DecryptSourceObjects"]["Resource"] == [monitor.named("copy-copy-key").outputs["arn"]]
    assert by_sid["DecryptSourceObjects"]["Condition"]["StringEquals"] == {
        "kms:ViaService": "s3.us-east-2.amazonaws.com"}
    assert by_sid["EncryptReplicas"]["Resource"] == [monitor.named("copy-replica-key").outputs["arn"]]
    assert by_sid["EncryptReplicas"]["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-west-2.amazonaws.com"}


def test_longer_retention_and_bucket_names_are_applied():
    monitor = _run(retention_days=800, bucket_name="us-backup-copy", replica_bucket_name="us-backup-replica")
    assert monitor.named("copy-copy-bucket").inputs["bucket"] == "us-backup-copy"
    assert monitor.named("copy-replica-bucket").inputs["bucket"] == "us-backup-replica"
    days = {r.inputs["rule"]["defaultRetention"]["days"]
            for r in monitor.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")}
    assert days == {800}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"region": "eu-west-1"}, "ImmutableBackupCopyArgs.region: 'eu-west-1' is not an allowed US AWS region; "
                                  "allowed: us-east-1, us-east-2, us-west-1, us-west-2"),
        ({"replica_region": "ca-central-1"},
         "ImmutableBackupCopyArgs.replica_region: 'ca-central-1' is not an allowed US AWS region"),
        ({"replica_region": "us-east-1", "allowed_regions": ("us-east-2", "us-west-2")},
         "ImmutableBackupCopyArgs.replica_region: 'us-east-1' is not an allowed US AWS region; "
         "allowed: us-east-2, us-west-2"),
        ({"replica_region": "us-east-2"}, "ImmutableBackupCopyArgs.replica_region: 'us-east-2' equals region"),
        ({"retention_days": 90},
         "ImmutableBackupCopyArgs.retention_days: 90 is below the minimum retention of 365 days; "
         "allowed: 365 or more"),
        ({"trusted_organization_ids": ()}, "ImmutableBackupCopyArgs.trusted_organization_ids: [] is empty"),
        ({"trusted_organization_ids": (PARENT_ORG,)},
         "ImmutableBackupCopyArgs.trusted_organization_ids: ['o-parentexample1'] are also denied"),
    ],
)
def test_refusals_name_the_field(overrides, message):
    with pytest.raises(ValueError) as info:
        _run(**overrides)
    assert message in str(info.value)


def test_us_prod_settings_build_the_copy():
    from residency_kit.settings import parse_settings
    config = _stack_residency_config("us-prod")
    settings = parse_settings(config)
    copy = settings.backup.aws_copy
    assert copy.enabled

    def program():
        provider = aws.Provider("aws-copy", region=copy.region)
        replica = aws.Provider("aws-replica", region=copy.replica_region)
        ImmutableBackupCopy("copy", ImmutableBackupCopyArgs.from_settings(
            settings, provider=provider, replica_provider=replica))

    monitor = capture(program, mocks=ArnMocks())
    assert _provider_region(monitor, monitor.named("copy-copy-bucket")) == copy.region
    assert _provider_region(monitor, monitor.named("copy-replica-bucket")) == copy.replica_region
    policy = json.loads(_for_bucket(monitor, "aws:s3/bucketPolicy:BucketPolicy", "copy-copy-bucket").inputs["policy"])
    conditions = {s["Sid"]: s["Condition"] for s in policy["Statement"]}
    assert conditions["DenyPrincipalsOutsideTrustedOrganization"]["StringNotEquals"]["aws:PrincipalOrgID"] == list(
        settings.trusted.aws_organization_ids)
    assert conditions["DenyParentCompanyAccounts"]["StringEquals"]["aws:PrincipalAccount"] == list(
        settings.parent_company.aws_account_ids)


UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown sentinel, as the pack receives it


class PreviewMocks(EchoMocks):
    """Preview as the engine runs it: no ids yet, and every computed output (ARNs) unknown."""

    def __init__(self):
        super().__init__(preview=True)

    def new_resource(self, args):
        from pulumi.runtime import rpc
        resource_id, outputs = super().new_resource(args)
        outputs.setdefault("arn", rpc.UNKNOWN)
        return resource_id, outputs


def test_bucket_policies_and_replication_target_are_fully_known_at_preview():
    def program():
        provider = aws.Provider("aws-copy", region="us-east-2")
        replica = aws.Provider("aws-replica", region="us-west-2")
        ImmutableBackupCopy("copy", _args(provider, replica))

    monitor = capture(program, preview=True, mocks=PreviewMocks())
    policies = monitor.of_type("aws:s3/bucketPolicy:BucketPolicy")
    assert len(policies) == 2
    for policy in policies:
        assert UNKNOWN not in json.dumps(policy.inputs["policy"])
        resources = {r for s in json.loads(policy.inputs["policy"])["Statement"] for r in s["Resource"]}
        assert resources in ({"arn:aws:s3:::project-stack-copy-copy", "arn:aws:s3:::project-stack-copy-copy/*"},
                             {"arn:aws:s3:::project-stack-copy-replica",
                              "arn:aws:s3:::project-stack-copy-replica/*"})
    (replication,) = monitor.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    assert replication.inputs["rules"][0]["destination"]["bucket"] == "arn:aws:s3:::project-stack-copy-replica"
    assert {b.inputs["bucket"] for b in monitor.of_type("aws:s3/bucket:Bucket")} == {
        "project-stack-copy-copy", "project-stack-copy-replica"}


def test_explicit_bucket_names_reach_the_policies():
    monitor = _run(bucket_name="us-backup-copy", replica_bucket_name="us-backup-replica")
    documents = [json.loads(p.inputs["policy"]) for p in monitor.of_type("aws:s3/bucketPolicy:BucketPolicy")]
    assert sorted(d["Statement"][0]["Resource"][0] for d in documents) == [
        "arn:aws:s3:::us-backup-copy", "arn:aws:s3:::us-backup-replica"]


def test_default_bucket_names_are_valid_s3_names_and_distinct_per_stack():
    from residency_kit.components.aws.immutable_backup_copy import _is_s3_bucket_name, default_bucket_name
    assert default_bucket_name("Residency_Kit", "us-prod", "immutable-copy", "copy") == \
        "residency-kit-us-prod-immutable-copy-copy"
    long_a = default_bucket_name("p" * 40, "stack-a" * 4, "immutable-copy", "replica")
    long_b = default_bucket_name("p" * 40, "stack-b" * 4, "immutable-copy", "replica")
    assert len(long_a) <= 63 and _is_s3_bucket_name(long_a) and long_a != long_b


@pytest.mark.parametrize("name", ["Upper-Case", "ab", "bad..dots", "192.168.0.1", "-leading"])
def test_invalid_bucket_names_are_refused(name):
    with pytest.raises(ValueError, match=r"ImmutableBackupCopyArgs.bucket_name: .* is not a valid S3 bucket name"):
        _run(bucket_name=name)


def test_equal_bucket_names_are_refused():
    with pytest.raises(ValueError, match="ImmutableBackupCopyArgs.replica_bucket_name: 'us-same' equals"):
        _run(bucket_name="us-same", replica_bucket_name="us-same")
