"""Deprecated type tokens the pinned SDKs still ship are judged exactly as their current types (issue 13.7).

Each program is written twice, with the current classes and with the deprecated ones (``aws.s3.BucketV2``,
``BucketVersioningV2``, ...); every policy of the pack must flag the same resources in both. The alias table
is generated from the SDKs and must not drift from them.
"""

from __future__ import annotations


import pulumi
import pulumi_aws as aws
import pytest

from residency_policies.type_aliases import ALIASES, canonical
from residency_policies.urns import parse_urn
from tests.policies.conftest import flagged, judged, urn
from generator_checks import SDK_SCHEMA_GROUP, check_generated

KEY_EAST = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_IRELAND = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PROTECT = pulumi.ResourceOptions(protect=True)


@SDK_SCHEMA_GROUP
def test_alias_table_matches_the_installed_sdks():
    code, stderr = check_generated("generate_type_aliases")
    assert code == 0, stderr


def test_the_issue_examples_are_in_the_table():
    for old in ("BucketVersioningV2", "BucketObjectLockConfigurationV2", "BucketServerSideEncryptionConfigurationV2"):
        token = f"aws:s3/{old[0].lower()}{old[1:]}:{old}"
        assert ALIASES[token].current == token.replace("V2", "")


def _object_lock_copy(*, deprecated: bool, mode: str = "COMPLIANCE", days: int = 365, key: str = KEY_EAST):
    s3 = aws.s3
    bucket = (s3.BucketV2 if deprecated else s3.Bucket)("copy", object_lock_enabled=True, opts=PROTECT)
    (s3.BucketVersioningV2 if deprecated else s3.BucketVersioning)(
        "copy-versioning", bucket=bucket.id,
        versioning_configuration=(s3.BucketVersioningV2VersioningConfigurationArgs if deprecated
                                  else s3.BucketVersioningVersioningConfigurationArgs)(status="Enabled"))
    lock = s3.BucketObjectLockConfigurationV2 if deprecated else s3.BucketObjectLockConfiguration
    lock_rule = (s3.BucketObjectLockConfigurationV2RuleArgs if deprecated else s3.BucketObjectLockConfigurationRuleArgs)
    retention = (s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs if deprecated
                 else s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs)
    lock("copy-lock", bucket=bucket.id, rule=lock_rule(default_retention=retention(mode=mode, days=days)))
    sse = s3.BucketServerSideEncryptionConfigurationV2 if deprecated else s3.BucketServerSideEncryptionConfiguration
    sse_rule = (s3.BucketServerSideEncryptionConfigurationV2RuleArgs if deprecated
                else s3.BucketServerSideEncryptionConfigurationRuleArgs)
    default = (s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs if deprecated
               else s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs)
    sse("copy-sse", bucket=bucket.id, rules=[sse_rule(apply_server_side_encryption_by_default=default(
        sse_algorithm="aws:kms", kms_master_key_id=key))])


def _inline_bucket(*, deprecated: bool, key: str = KEY_IRELAND, destination: str = "arn:aws:s3:::copy-in-ireland"):
    """A bucket with its versioning, encryption and replication inline (one object in Bucket, a list in BucketV2)."""
    s3 = aws.s3
    if deprecated:
        s3.BucketV2("inline", opts=PROTECT, versionings=[s3.BucketV2VersioningArgs(enabled=True)],
                    server_side_encryption_configurations=[s3.BucketV2ServerSideEncryptionConfigurationArgs(rules=[
                        s3.BucketV2ServerSideEncryptionConfigurationRuleArgs(apply_server_side_encryption_by_defaults=[
                            s3.BucketV2ServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                                sse_algorithm="aws:kms", kms_master_key_id=key)])])],
                    replication_configurations=[s3.BucketV2ReplicationConfigurationArgs(role="arn:aws:iam::111111111111:role/r", rules=[
                        s3.BucketV2ReplicationConfigurationRuleArgs(status="Enabled", destinations=[
                            s3.BucketV2ReplicationConfigurationRuleDestinationArgs(bucket=destination)])])])
    else:
        s3.Bucket("inline", opts=PROTECT, versioning=s3.BucketVersioningArgs(enabled=True),
                  server_side_encryption_configuration=s3.BucketServerSideEncryptionConfigurationArgs(
                      rule=s3.BucketServerSideEncryptionConfigurationRuleArgs(
                          apply_server_side_encryption_by_default=s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                              sse_algorithm="aws:kms", kms_master_key_id=key))),
                  replication_configuration=s3.BucketReplicationConfigurationArgs(role="arn:aws:iam::111111111111:role/r", rules=[
                      s3.BucketReplicationConfigurationRuleArgs(status="Enabled", destination=s3.BucketReplicationConfigurationRuleDestinationArgs(
                          bucket=destination))]))


def _judged(result) -> dict[str, set[tuple[str, str]]]:
    """Per policy, the (current type, name) of every flagged resource and the level."""
    out: dict[str, set[tuple[str, str]]] = {}
    for v in result.violations:
        parsed = parse_urn(v.urn)
        out.setdefault(v.policy, set()).add((canonical(parsed.type, {})[0], parsed.name, v.enforcement_level))
    return out


@pytest.mark.parametrize(
    "program",
    [
        pytest.param(lambda deprecated: _object_lock_copy(deprecated=deprecated), id="object-lock-copy"),
        pytest.param(lambda deprecated: _object_lock_copy(deprecated=deprecated, mode="GOVERNANCE", days=1,
                                                          key=KEY_IRELAND), id="weak-copy-key-in-ireland"),
        pytest.param(lambda deprecated: _inline_bucket(deprecated=deprecated), id="inline-bucket-in-ireland"),
        pytest.param(lambda deprecated: _inline_bucket(deprecated=deprecated, key=KEY_EAST,
                                                       destination="arn:aws:s3:::copy-in-the-stack"), id="inline-bucket"),
    ],
)
def test_every_policy_judges_the_deprecated_classes_as_the_current_ones(preview, program):
    current = _judged(preview(lambda: program(False)))
    deprecated = _judged(preview(lambda: program(True)))
    assert deprecated == current


def test_a_correct_object_lock_copy_written_with_the_deprecated_classes_passes(preview):
    result = preview(lambda: _object_lock_copy(deprecated=True))
    assert flagged(result, "immutable-backups") == set()
    assert flagged(result, "us-keys-for-data") == set()


def test_weak_lock_and_foreign_key_are_found_through_the_deprecated_classes(preview):
    result = preview(lambda: _object_lock_copy(deprecated=True, mode="GOVERNANCE", days=1, key=KEY_IRELAND))
    assert flagged(result, "immutable-backups", level="mandatory") == {"urn:pulumi:test::test::aws:s3/bucketV2:BucketV2::copy"}
    assert flagged(result, "us-keys-for-data", level="mandatory") != set()
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, "us-keys-for-data").passed == {urn("aws:s3/bucketV2:BucketV2", "copy")}


def test_shapes_are_rewritten_to_the_current_shape():
    token, props = canonical("aws:s3/bucketV2:BucketV2", {
        "versionings": [{"enabled": True}], "loggings": [{"targetBucket": "a"}, {"targetBucket": "b"}],
        "objectLockConfiguration": {"rules": [{"defaultRetentions": [{"days": 3}]}]},
    })
    assert token == "aws:s3/bucket:Bucket"
    assert props == {"versioning": {"enabled": True}, "logging": [{"targetBucket": "a"}, {"targetBucket": "b"}],
                     "objectLockConfiguration": {"rule": {"defaultRetention": {"days": 3}}}}
    assert canonical("aws:s3/bucket:Bucket", {"versionings": [1]}) == ("aws:s3/bucket:Bucket", {"versionings": [1]})
