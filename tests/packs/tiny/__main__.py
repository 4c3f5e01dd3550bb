"""A tiny policy pack for the preview engine's tests: each policy reacts to one easy-to-trigger input."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)


def _no_public_bucket(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == "oci:ObjectStorage/bucket:Bucket" and args.props.get("accessType") not in (None, "NoPublicAccess"):
        report(f"bucket access type is {args.props['accessType']}")


def _allowed_region(args: ResourceValidationArgs, report: ReportViolation) -> None:
    allowed = args.get_config().get("regions", [])
    if args.resource_type == "pulumi:providers:oci":
        region = args.props.get("region")
        if region not in allowed:
            report(f"provider region {region!r} is not one of {allowed}")


def _name_tag(args: ResourceValidationArgs, report: ReportViolation) -> None:
    tags = args.props.get("freeformTags")
    if args.resource_type.startswith("oci:") and tags is not None and "owner" not in tags:
        report("freeformTags has no owner")


def _provider_seen(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # Exercises the provider block of the Analyze request.
    if args.resource_type == "oci:ObjectStorage/bucket:Bucket" and args.provider is not None:
        if args.provider.props.get("region") == "eu-frankfurt-1":
            report(f"bucket is created through provider {args.provider.name} in eu-frankfurt-1")


def _bucket_name_lowercase(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == "oci:ObjectStorage/bucket:Bucket" and args.props["name"] != args.props["name"].lower():
        report("bucket names are lower case")


def _record_pid() -> None:
    # End-to-end tests check that no pack process outlives a preview.
    import os
    import pathlib

    if os.environ.get("RESIDENCY_TEST_PID_DIR"):
        pathlib.Path(os.environ["RESIDENCY_TEST_PID_DIR"], f"pack-{os.getpid()}").touch()


def _stack_has_vault(args: StackValidationArgs, report: ReportViolation) -> None:
    if not any(r.resource_type == "oci:Kms/vault:Vault" for r in args.resources):
        report("the stack has no KMS vault")


def _protected_buckets(args: StackValidationArgs, report: ReportViolation) -> None:
    for r in args.resources:
        if r.resource_type == "oci:ObjectStorage/bucket:Bucket" and not r.opts.protect:
            report(f"bucket {r.name} is not protected", r.urn)


_record_pid()
PolicyPack(
    name="tiny",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="no-public-bucket", description="Buckets are never public.",
            validate=_no_public_bucket, severity=Severity.HIGH,
        ),
        ResourceValidationPolicy(
            name="allowed-region", description="OCI providers stay in allowed regions.",
            validate=_allowed_region, severity=Severity.CRITICAL,
            config_schema=PolicyConfigSchema(
                properties={"regions": {"type": "array", "items": {"type": "string"}, "default": ["us-ashburn-1", "us-phoenix-1"]}},
            ),
        ),
        ResourceValidationPolicy(
            name="owner-tag", description="OCI resources carry an owner tag.",
            validate=_name_tag, enforcement_level=EnforcementLevel.ADVISORY, severity=Severity.LOW,
            config_schema=PolicyConfigSchema(
                properties={"maxDays": {"type": "integer", "minimum": 1}},
            ),
        ),
        ResourceValidationPolicy(
            name="provider-region-seen", description="Buckets are not created through a Frankfurt provider.",
            validate=_provider_seen, severity=Severity.MEDIUM,
        ),
        ResourceValidationPolicy(
            name="bucket-name-lowercase", description="Bucket names are lower case.",
            validate=_bucket_name_lowercase, enforcement_level=EnforcementLevel.ADVISORY,
        ),
        StackValidationPolicy(
            name="stack-has-vault", description="Every stack has a KMS vault.",
            validate=_stack_has_vault, enforcement_level=EnforcementLevel.ADVISORY,
        ),
        StackValidationPolicy(
            name="protected-buckets", description="Buckets are protected.",
            validate=_protected_buckets, severity=Severity.HIGH,
        ),
    ],
)
