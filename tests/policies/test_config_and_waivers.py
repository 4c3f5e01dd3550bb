"""Policy config (override per policy, `all`, invalid values) and waivers (valid, expired, malformed)."""

import shutil

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci
import pytest
import yaml

import illustrative_rules
from residency_kit.engine.packs import PolicyPackConfigError, PolicyPackError
from tests.policies.conftest import COMPARTMENT, KEY_IAD, PACK_DIR, flagged, judged, messages, provider_urn, start_pack, urn

BUCKET = "oci:ObjectStorage/bucket:Bucket"
RP = "oci:ObjectStorage/replicationPolicy:ReplicationPolicy"
SQS = "aws:sqs/queue:Queue"
STACK_URN = "urn:pulumi:test::test::pulumi:pulumi:Stack::test-test"


def _estate():
    eu = oci.Provider("eu", region="eu-frankfurt-1")
    oci.objectstorage.Bucket("b-eu", compartment_id=COMPARTMENT, namespace="ns", kms_key_id=KEY_IAD,
                             opts=pulumi.ResourceOptions(provider=eu, protect=True))
    oci.objectstorage.Bucket("b-us", compartment_id=COMPARTMENT, namespace="ns", opts=pulumi.ResourceOptions(protect=True))
    oci.objectstorage.ReplicationPolicy("rp-eu", bucket="b", namespace="ns", name="rp", destination_bucket_name="d",
                                        destination_region_name="eu-frankfurt-1")
    # A resource's own region input is judged on the resource (a provider's region only on the provider).
    aws.sqs.Queue("q-eu", region="eu-west-1", opts=pulumi.ResourceOptions(protect=True))


@pytest.fixture(scope="module")
def configured_pack():
    pack = start_pack(policy_config={
        "all": "advisory",
        "us-region-providers": {"enforcementLevel": "mandatory", "allowedRegions": {"oci": ["eu-frankfurt-1"], "aws": ["eu-west-1"]}},
    })
    yield pack
    pack.close()


def test_config_override_applies_to_that_policy_only(preview, configured_pack):
    result = preview(_estate, using=configured_pack)
    # us-region-providers now allows only Frankfurt / Ireland: the US default providers are flagged instead
    # (once each: the resources they create are covered by their provider's violation).
    assert flagged(result, "us-region-providers", level="mandatory") == {
        provider_urn("oci", "default_5_5_0"), provider_urn("aws", "default_7_51_1")
    }
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, "us-region-providers").passed == {
        urn("aws:sqs/queue:Queue", "q-eu"),
        urn("oci:ObjectStorage/bucket:Bucket", "b-eu"),
        urn("oci:ObjectStorage/bucket:Bucket", "b-us"),
        urn("oci:ObjectStorage/replicationPolicy:ReplicationPolicy", "rp-eu"),
        urn("pulumi:providers:oci", "eu"),
    }
    # Other policies keep the rules file's US regions; `all` lowered them to advisory.
    assert flagged(result, "us-region-replication", level="advisory") == {urn(RP, "rp-eu")}
    assert flagged(result, "us-region-replication", level="mandatory") == set()


@pytest.mark.parametrize(
    ("config", "line"),
    [
        # An unknown top-level key: the engine's schema check cannot refuse it (no additionalProperties at the
        # root of a policy's config schema), so the pack refuses it when the engine sends Configure.
        ({"us-region-providers": {"bogusKey": 1}},
         "invalid residency rules in the policy config of 'us-region-providers' (--policy-pack-config): bogusKey = 1.0; allowed: "
         "top-level keys allowedRegions, parentCompany, trusted, estate, minimumRetentionDays, requiredTags, waivers, "
         "dataClassification"),
        # Passes the schema's pattern but is no CIDR.
        ({"us-keys-for-data": {"parentCompany": {"cidrs": ["999.0.0.1/33"]}}},
         "invalid residency rules in the policy config of 'us-keys-for-data' (--policy-pack-config): parentCompany.cidrs = "
         "'999.0.0.1/33'; allowed: IPv4/IPv6 CIDR blocks like 203.0.113.0/24 or 2001:db8::/32"),
        # A waiver in one policy's config that has expired.
        ({"us-region-replication": {"waivers": [
            {"policy": "us-region-replication", "urns": ["urn:pulumi:test::test::T::n"], "expires": "2021-06-01",
             "reason": "Frankfurt test bucket holds only synthetic data", "approver": "ciso@example.com"}]}},
         "invalid residency rules in the policy config of 'us-region-replication' (--policy-pack-config): waivers[0] = "),
        # A parent-company account listed as the estate's own: refused, never trusted as the estate.
        ({"no-cross-tenancy-grants": {"estate": {"awsAccountIds": ["999999999999", "222222222222"]}}},
         "invalid residency rules in the policy config of 'no-cross-tenancy-grants' (--policy-pack-config): estate.awsAccountIds = "
         "'999999999999'; allowed: identifiers of the estate itself, never a parent-company one"),
        # A policy name that is not in the pack (a typo would otherwise configure nothing).
        ({"us-region-provider": {"enforcementLevel": "advisory"}},
         "policy config names policy 'us-region-provider', which is not in this pack; allowed: all, "),
    ],
)
def test_invalid_policy_config_is_one_error_before_anything_is_analyzed(config, line):
    with pytest.raises(PolicyPackError) as err:
        start_pack(policy_config=config)
    text = str(err.value)
    assert "configuring policy pack us-data-residency@v0.2.0: invalid policy pack config:" in text
    lines = [x.strip() for x in text.splitlines()[1:]]
    assert len(lines) == 1 and lines[0].startswith(line), text


def test_engine_rejects_config_of_the_wrong_type_before_the_program_runs():
    with pytest.raises(PolicyPackConfigError) as err:
        start_pack(policy_config={"us-region-providers": {"minimumRetentionDays": "a year"}})
    assert "us-region-providers" in str(err.value)


def _waiver(policy, urns, expires="2099-12-31", reason="Frankfurt test bucket holds only synthetic data"):
    return {"policy": policy, "urns": urns, "reason": reason, "approver": "ciso@example.com", "expires": expires}


@pytest.fixture(scope="module")
def waiver_pack(tmp_path_factory):
    pack_dir = tmp_path_factory.mktemp("pack") / "policies"
    shutil.copytree(PACK_DIR, pack_dir, ignore=shutil.ignore_patterns("__pycache__", "venv"))
    rules = yaml.safe_load((pack_dir / "residency.yaml").read_text())
    rules["waivers"] = [
        _waiver("us-region-providers", [urn(SQS, "q-eu")]),
        _waiver("us-region-providers", [provider_urn("oci", "eu")], expires="2020-01-31"),  # expired: waives nothing
        _waiver("immutable-backups", [urn(BUCKET, "b-us")], reason="too short"),  # malformed
    ]
    (pack_dir / "residency.yaml").write_text(yaml.safe_dump(rules))
    pack = start_pack(pack_dir, policy_config={
        "us-keys-for-data": {"waivers": [_waiver("us-keys-for-data", [urn(BUCKET, "b-us")])]},
    })
    yield pack
    pack.close()


def test_valid_waiver_lowers_to_advisory_and_quotes_it(preview, waiver_pack):
    result = preview(_estate, using=waiver_pack)
    assert flagged(result, "us-region-providers", level="advisory") == {urn(SQS, "q-eu")}
    assert flagged(result, "us-region-providers", level="mandatory") == {provider_urn("oci", "eu")}
    waived = [v.message for v in result.violations_of("us-region-providers") if v.enforcement_level == "advisory"]
    assert "WAIVED for us-region-providers by ciso@example.com until 2099-12-31" in waived[0]
    assert "synthetic data" in waived[0]
    # A waiver given in one policy's config works the same way.
    assert flagged(result, "us-keys-for-data", level="advisory") == {urn(BUCKET, "b-us")}


def test_expired_and_malformed_file_waivers_are_mandatory_stack_violations(preview, waiver_pack):
    result = preview(_estate, using=waiver_pack)
    assert flagged(result, "residency-waivers", level="mandatory") == {STACK_URN}
    text = "\n".join(messages(result, "residency-waivers"))
    assert "expired on 2020-01-31" in text and "at least 20 characters" in text
    assert len(messages(result, "residency-waivers")) == 2


def test_residency_waivers_compliant_without_waivers(preview):
    """The shipped rules file has no waivers: nothing to report."""
    assert flagged(preview(_estate), "residency-waivers") == set()


def test_rules_refuse_estate_identifiers_that_are_the_parents():
    """An identifier cannot be both the estate's own and the parent's: the rules are refused (fail closed), so no
    policy ever trusts a parent identifier as the estate's."""
    from residency_policies.rules_file import build_rules

    data = yaml.safe_load((PACK_DIR / "residency.yaml").read_text(encoding="utf-8"))
    parent = illustrative_rules.RULES["parentCompany"]
    stack = {**illustrative_rules.RULES,
             "estate": {"ociTenancyIds": [parent["ociTenancyIds"][0]], "awsAccountIds": [parent["awsAccountIds"][0]]}}
    rules, errors = build_rules(None, file_data=data, stack_data=stack)
    assert rules is None
    assert sorted(e.key for e in errors) == ["estate.awsAccountIds", "estate.ociTenancyIds"]
