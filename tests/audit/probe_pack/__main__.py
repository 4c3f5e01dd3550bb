"""A probe pack for the audit tests: shows which properties each analyzer call receives.

``probe-public-bucket`` (resource policy) sees what ``Analyze`` sends; ``probe-stack-public-bucket`` (stack
policy) sees what ``AnalyzeStack`` sends; both flag OCI buckets whose ``accessType`` is not NoPublicAccess.
``probe-never-applies`` reports itself not applicable to everything.
"""

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

BUCKET = "oci:ObjectStorage/bucket:Bucket"


def _public(props) -> bool:
    return props.get("accessType", "NoPublicAccess") != "NoPublicAccess"


def check_bucket(args, report_violation):
    if args.resource_type != BUCKET:
        args.not_applicable("not a bucket")
    if _public(args.props):
        report_violation(f"accessType is {args.props['accessType']}")


def check_stack(args, report_violation):
    for r in args.resources:
        if r.resource_type == BUCKET and _public(r.props):
            report_violation(f"accessType is {r.props['accessType']}", r.urn)


def never(args, report_violation):
    args.not_applicable("probe")


PolicyPack(
    name="state-probe",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(name="probe-public-bucket", description="Analyze view.", validate=check_bucket),
        StackValidationPolicy(name="probe-stack-public-bucket", description="AnalyzeStack view.", validate=check_stack),
        ResourceValidationPolicy(
            name="probe-never-applies", description="Never applies.", validate=never,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
    ],
)
