"""A pack that quotes what it sees: every string input of a resource tagged ``quote`` becomes a violation
message (pulumi_policy unwraps secrets before policies see them, so a secret's plain text reaches it)."""

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationArgs, ReportViolation, ResourceValidationPolicy


def _quote(args: ResourceValidationArgs, report: ReportViolation) -> None:
    tags = args.props.get("tags") or {}
    if "quote" not in tags:
        return
    for key in sorted(args.props):
        value = args.props[key]
        if isinstance(value, str):
            report(f"{key} is {value}")


PolicyPack(
    name="quoting",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[ResourceValidationPolicy(name="quote-inputs", description="Quotes string inputs.", validate=_quote)],
)
