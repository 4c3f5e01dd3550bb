"""A synthetic preview result (the structured form every report is built from), for report tests."""

from __future__ import annotations

import illustrative_rules
from residency_kit.engine.levels import EnforcementLevel, PolicyType, Severity
from residency_kit.engine.pack_config import PolicyConfig, PolicySchema
from residency_kit.engine.pack_rules import rules_in_force
from residency_kit.engine.results import NotApplicable, PackInfo, PolicyInfo, PreviewResult, Violation
from residency_kit.engine.stack import EngineResource, EngineStack
from residency_policies.urns import urn_name, urn_type


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
        enforcement_level=EnforcementLevel(level),
        severity=Severity(severity),
        policy_type=PolicyType(policy_type),
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


PROGRAM_FILE = "/repo/__main__.py"


def make_result(pack_dir, *, violations=None, not_applicable=(), compartment_id=None, outputs_ids=None):
    """A preview result: the kit's shape in miniature, one waived, one mandatory and one advisory violation."""

    def res(urn, type_, name, provider="", inputs=None, protect=False, custom=True, line=0, deps=None):
        return EngineResource(
            urn=urn, type=type_, name=name, custom=custom, parent=ROOT if urn != ROOT else "", provider=provider,
            protect=protect, inputs=inputs or {}, property_dependencies=deps or {},
            source_file=PROGRAM_FILE if line else "", source_line=line,
            synthesized=name.startswith("default_") or urn == ROOT,
        )

    resources = [
        res(ROOT, "pulumi:pulumi:Stack", "kit-us-prod", custom=False),
        res(HOME, "pulumi:providers:oci", "oci-home", inputs={"region": "us-ashburn-1", "version": "5.5.0"}, line=4),
        res(DEFAULT_AWS, "pulumi:providers:aws", "default_7_51_1", inputs={"region": "us-east-2"}),
        res(COMPARTMENT, "oci:Identity/compartment:Compartment", "data", HOME + "::" + UNKNOWN,
            {"compartmentId": "ocid1.tenancy.oc1..aaaa", "name": "data"}, line=6),
        res(BUCKET, "oci:ObjectStorage/bucket:Bucket", "us-data", HOME + "::" + UNKNOWN,
            {"compartmentId": compartment_id or UNKNOWN, "accessType": "NoPublicAccess"}, protect=True, line=8,
            deps={"compartmentId": [COMPARTMENT]}),
        res(PUBLIC, "oci:ObjectStorage/bucket:Bucket", "public-<site>", HOME + "::" + UNKNOWN,
            {"compartmentId": "ocid1.tenancy.oc1..aaaa", "accessType": "ObjectRead"}, line=10),
        res(AWS_BUCKET, "aws:s3/bucket:Bucket", "copy", DEFAULT_AWS + "::" + UNKNOWN,
            {"region": "us-west-2", "bucket": "copy"}, line=12),
    ]
    if outputs_ids:
        for r in resources:
            r.id = outputs_ids.get(r.urn, r.id)
    stack = EngineStack(project="kit", stack=STACK, resources=resources)
    info = make_pack_info()

    def violation(policy, level, severity, urn, message):
        return Violation(policy_pack=info.name, policy_pack_version=info.version, policy=policy,
                         enforcement_level=EnforcementLevel(level), severity=Severity(severity), urn=urn, message=message,
                         resource_type=urn_type(urn), resource_name=urn_name(urn))

    if violations is None:
        violations = [
            violation("private-data-stores", "advisory", "critical", PUBLIC,
                      f'private-data-stores description.\nWAIVED for private-data-stores by ciso@example.com until '
                      f'2027-03-31: "{REASON}"; accessType is ObjectRead'),
            violation("us-region-providers", "mandatory", "critical", DEFAULT_AWS,
                      "us-region-providers description.\nregion <script>alert(1)</script> | is not allowed"),
            violation("residency-tags", "advisory", "low", AWS_BUCKET, "residency-tags description.\nmissing tag jurisdiction"),
        ]
    rules = rules_in_force(info.name, pack_dir, info.config, stack_config=illustrative_rules.stack_config(),
                           stack=STACK, policy_names=[p.name for p in info.policies])
    return PreviewResult(
        resources=resources, violations=list(violations), stack=stack, packs=[info],
        not_applicable=[NotApplicable(**n) for n in not_applicable], pack_dirs=[pack_dir], pack_origin="--policy-pack",
        rules=[rules],
    )
