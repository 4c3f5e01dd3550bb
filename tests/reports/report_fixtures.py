"""A synthetic run shaped like `residency preview --json` plus the pack's analyzer info, for report tests."""

from __future__ import annotations

from residency.engine.pack_config import PolicyConfig, PolicySchema
from residency.engine.packs import PackInfo, PolicyInfo


STACK = "us-prod"
U = "urn:pulumi:us-prod::kit::"
ROOT = U + "pulumi:pulumi:Stack::kit-us-prod"
HOME = U + "pulumi:providers:oci::oci-home"
DEFAULT_AWS = U + "pulumi:providers:aws::default_7_51_1"
COMPARTMENT = U + "oci:Identity/compartment:Compartment::data"
BUCKET = U + "oci:ObjectStorage/bucket:Bucket::us-data"
PUBLIC = U + "oci:ObjectStorage/bucket:Bucket::public-<site>"
AWS_BUCKET = U + "aws:s3/bucket:Bucket::copy"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
REASON = "Legacy marketing site bucket, scheduled for removal in Q1"


def policy(name: str, severity: str = "high", level: str = "mandatory", policy_type: str = "resource") -> PolicyInfo:
    return PolicyInfo(
        name=name,
        display_name="",
        description=f"{name} description.",
        enforcement_level=level,
        severity=severity,
        policy_type=policy_type,
        config_schema=PolicySchema(),
        remediation_steps=f"Fix {name}.",
        url=f"https://example.test/docs/{name}",
        tags=["residency", name.split("-")[0]],
        framework={"name": "US data residency", "version": "1.0", "reference": name.upper()[:6]},
    )


def make_pack_info() -> PackInfo:
    return PackInfo(
        name="us-data-residency",
        version="0.1.0",
        display_name="",
        description="",
        plugin_version="",
        policies=[
            policy("private-data-stores", "critical"),
            policy("us-region-providers", "critical"),
            policy("residency-tags", "low", "advisory"),
            policy("backup-coverage", "high", policy_type="stack"),
            policy("us-keys-for-data", "high"),
        ],
        initial_config={},
        config={"us-keys-for-data": PolicyConfig("disabled", None)},
    )


def make_document() -> dict:
    def res(urn, type_, name, provider="", inputs=None, protect=False):
        return {"urn": urn, "type": type_, "name": name, "parent": ROOT if urn != ROOT else "", "provider": provider,
                "protect": protect, "inputs": inputs or {}}

    return {
        "project": "kit",
        "stack": STACK,
        "resources": [
            res(ROOT, "pulumi:pulumi:Stack", "kit-us-prod"),
            res(HOME, "pulumi:providers:oci", "oci-home", inputs={"region": "us-ashburn-1", "version": "5.5.0"}),
            res(DEFAULT_AWS, "pulumi:providers:aws", "default_7_51_1", inputs={"region": "us-east-2"}),
            res(COMPARTMENT, "oci:Identity/compartment:Compartment", "data", HOME + "::" + UNKNOWN,
                {"compartmentId": "ocid1.tenancy.oc1..aaaa", "name": "data"}),
            res(BUCKET, "oci:ObjectStorage/bucket:Bucket", "us-data", HOME + "::" + UNKNOWN,
                {"compartmentId": UNKNOWN, "accessType": "NoPublicAccess"}, protect=True),
            res(PUBLIC, "oci:ObjectStorage/bucket:Bucket", "public-<site>", HOME + "::" + UNKNOWN,
                {"compartmentId": "ocid1.tenancy.oc1..aaaa", "accessType": "ObjectRead"}),
            res(AWS_BUCKET, "aws:s3/bucket:Bucket", "copy", DEFAULT_AWS + "::" + UNKNOWN,
                {"region": "us-west-2", "bucket": "copy"}),
        ],
        "policyPacks": [{"name": "us-data-residency", "version": "0.1.0"}],
        "violations": [
            {"policyPack": "us-data-residency", "policy": "private-data-stores", "enforcementLevel": "advisory",
             "severity": "critical", "urn": PUBLIC,
             "message": f'private-data-stores description.\nWAIVED for private-data-stores by ciso@example.com until '
                        f'2027-03-31: "{REASON}"; accessType is ObjectRead'},
            {"policyPack": "us-data-residency", "policy": "us-region-providers", "enforcementLevel": "mandatory",
             "severity": "critical", "urn": DEFAULT_AWS,
             "message": "us-region-providers description.\nregion <script>alert(1)</script> | is not allowed"},
            {"policyPack": "us-data-residency", "policy": "residency-tags", "enforcementLevel": "advisory",
             "severity": "low", "urn": AWS_BUCKET, "message": "residency-tags description.\nmissing tag jurisdiction"},
        ],
        "notApplicable": [],
        "summary": {"resources": 7, "mandatory": 1, "advisory": 2},
    }
