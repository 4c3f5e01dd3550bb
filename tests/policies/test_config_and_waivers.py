"""Policy config (override per policy, `all`, invalid values) and waivers (valid, expired, malformed)."""

import shutil
import sys

import pulumi
import pulumi_oci as oci
import pytest
import yaml

from residency.engine.packs import PolicyPackConfigError
from tests.policies.conftest import COMPARTMENT, KEY_IAD, PACK_DIR, flagged, messages, provider_urn, start_pack, urn

BUCKET = "oci:ObjectStorage/bucket:Bucket"
RP = "oci:ObjectStorage/replicationPolicy:ReplicationPolicy"
STACK_URN = "urn:pulumi:test::test::pulumi:pulumi:Stack::test-test"


def _estate():
    eu = oci.Provider("eu", region="eu-frankfurt-1")
    oci.objectstorage.Bucket("b-eu", compartment_id=COMPARTMENT, namespace="ns", kms_key_id=KEY_IAD,
                             opts=pulumi.ResourceOptions(provider=eu, protect=True))
    oci.objectstorage.Bucket("b-us", compartment_id=COMPARTMENT, namespace="ns", opts=pulumi.ResourceOptions(protect=True))
    oci.objectstorage.ReplicationPolicy("rp-eu", bucket="b", namespace="ns", name="rp", destination_bucket_name="d",
                                        destination_region_name="eu-frankfurt-1")


@pytest.fixture(scope="module")
def configured_pack():
    pack = start_pack(policy_config={
        "all": "advisory",
        "us-region-providers": {"enforcementLevel": "mandatory", "allowedRegions": {"oci": ["eu-frankfurt-1"], "aws": ["eu-west-1"]}},
        # Passes the schema's pattern but is no CIDR: must be reported by the pack, not crash it.
        "us-keys-for-data": {"parentCompany": {"cidrs": ["999.0.0.1/33"]}},
    })
    yield pack
    pack.close()


def test_config_override_applies_to_that_policy_only(preview, configured_pack):
    result = preview(_estate, using=configured_pack)
    # us-region-providers now allows only Frankfurt: the US default provider and bucket are flagged instead.
    assert flagged(result, "us-region-providers", level="mandatory") == {
        provider_urn("oci", "default_5_5_0"), urn(BUCKET, "b-us"), urn(RP, "rp-eu")
    }
    # Other policies keep the rules file's US regions; `all` lowered them to advisory.
    assert flagged(result, "us-region-replication", level="advisory") == {urn(RP, "rp-eu")}
    assert flagged(result, "us-region-replication", level="mandatory") == set()


def test_invalid_config_reaching_the_pack_is_a_clear_mandatory_violation(preview, configured_pack):
    result = preview(_estate, using=configured_pack)
    # Every resource the policy would judge, plus the stack (its stack phase cannot run either).
    assert flagged(result, "us-keys-for-data", level="mandatory") == {urn(BUCKET, "b-eu"), urn(BUCKET, "b-us"), STACK_URN}
    text = messages(result, "us-keys-for-data")[0]
    assert "us-keys-for-data" in text and "parentCompany.cidrs" in text and "999.0.0.1/33" in text and "allowed:" in text


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
        _waiver("us-region-providers", [urn(BUCKET, "b-eu")]),
        _waiver("us-region-providers", [provider_urn("oci", "eu")], expires="2020-01-31"),  # expired: waives nothing
        _waiver("immutable-backups", [urn(BUCKET, "b-us")], reason="too short"),  # malformed
    ]
    (pack_dir / "residency.yaml").write_text(yaml.safe_dump(rules))
    pack = start_pack(pack_dir, policy_config={
        "us-keys-for-data": {"waivers": [_waiver("us-keys-for-data", [urn(BUCKET, "b-us")])]},
        "us-region-replication": {"waivers": [_waiver("us-region-replication", [urn(RP, "rp-eu")], expires="2021-06-01")]},
    })
    yield pack
    pack.close()


def test_valid_waiver_lowers_to_advisory_and_quotes_it(preview, waiver_pack):
    result = preview(_estate, using=waiver_pack)
    assert flagged(result, "us-region-providers", level="advisory") == {urn(BUCKET, "b-eu")}
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


def test_expired_waiver_in_policy_config_is_invalid_config(preview, waiver_pack):
    result = preview(_estate, using=waiver_pack)
    # us-region-replication reads every resource's identifiers, so its invalid config is reported on each.
    judged = {r.urn for r in result.resources if r.type.startswith(("oci:", "pulumi:providers:"))}
    assert urn(RP, "rp-eu") in judged
    assert flagged(result, "us-region-replication", level="mandatory") == judged | {STACK_URN}
    assert any("expired on 2021-06-01" in m for m in messages(result, "us-region-replication"))


def test_waiver_level_change_reaches_pulumi_policys_response():
    """Pins the one private detail waivers rely on: report_violation's closure holds the AnalyzeResponse."""
    from pulumi.runtime import proto
    from pulumi_policy import EnforcementLevel
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    sys.path.insert(0, str(PACK_DIR))
    try:
        from residency_policies.framework import _analyze_response
        from residency_policies.registry import ALL_POLICIES
    finally:
        sys.path.remove(str(PACK_DIR))
    servicer = _PolicyAnalyzerServicer("p", "1", list(ALL_POLICIES), EnforcementLevel.MANDATORY)
    response = proto.AnalyzeResponse()
    report = servicer._create_report_violation(response, "x", "d", EnforcementLevel.MANDATORY)
    assert _analyze_response(report) is response


def test_residency_waivers_compliant_without_waivers(preview):
    """The shipped rules file has no waivers: nothing to report."""
    assert flagged(preview(_estate), "residency-waivers") == set()
