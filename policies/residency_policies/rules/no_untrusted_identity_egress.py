"""no-untrusted-identity-egress: the estate's own AWS principals reach no resource outside the estate.

Identity policies (managed policies, which permissions boundaries are too; role, user and group inline policies;
a role's ``inlinePolicies``; IAM Identity Center permission-set inline policies) say what the principals they
are attached to may do. ``no-cross-tenancy-grants`` judges who a resource lets in; this policy judges where the
estate's principals may go (``analysis/identity_egress.py``):

* an Allow on a resource in a parent-company account, or in an account that is neither the estate's nor trusted,
  and ``sts:AssumeRole`` into a role there: mandatory;
* an Allow on an S3 bucket (its ARN names no account) that is neither created in the stack nor listed in
  ``estate.destinations``: mandatory, judged over the stack where the stack's buckets are visible;
* ``sts:AssumeRole`` on any account's roles (``"*"``, ``NotResource``, a wildcard account): mandatory, an identity
  path to whoever trusts the estate;
* a data-writing action (``s3:PutObject``, ``sqs:SendMessage``, ``sns:Publish``, ...) on ``"*"``: **advisory**.
  Such a write reaches another account only where that account's resource policy admits the estate's principal,
  and ``Resource: "*"`` is how AWS's own managed policies and most programs write logs, metrics and messages; it
  is a missing data perimeter rather than a path the program itself opens. The fix that closes it (and the one
  that makes any of the above compliant) is a ``StringEquals`` ``aws:ResourceAccount`` or ``aws:ResourceOrgID``
  condition naming only estate and trusted accounts and trusted organizations.

A document that cannot be read (not JSON, ``{"Statement": null}``, a statement that is not an object) fails
closed. A document unknown at preview is the estate's own when it is built only from resources of this stack
(their ARNs); built from another stack's outputs, what it allows cannot be verified.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel

from residency_policies.compliance import RESIDENCY
from residency_policies.analysis import destinations as dest
from residency_policies.analysis import identity_egress as ie
from residency_policies.framework import Finding, ResourceView, StackView, resource_policy
from residency_policies.rules_file import Rules
from residency_policies.values import walk

IDENTITY_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "aws:iam/policy:Policy": ("policy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/userPolicy:UserPolicy": ("policy",),
    "aws:iam/groupPolicy:GroupPolicy": ("policy",),
    "aws:iam/role:Role": ("inlinePolicies[].policy",),
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": ("inlinePolicy",),
}
_OTHER_STACKS = ("pulumi:pulumi:StackReference", "pulumi:providers:")
_IN_STACK_ONLY = (ie.Reach.BUCKET, ie.Reach.UNKNOWN)


def _targets(resource: ResourceView, rules: Rules) -> Iterator[ie.Target]:
    for path in IDENTITY_DOCUMENTS.get(resource.type, ()):
        for where, document in walk(resource.props, path):
            yield from ie.targets(document, rules, where)


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    for target in _targets(resource, rules):
        if target.reach in _IN_STACK_ONLY:
            continue
        if target.reach is ie.Reach.MALFORMED:
            yield Finding(f"{target.path}: {target.detail}; what it allows the estate's principals cannot be read, so "
                          "it is treated as allowing everything (fail closed)", path=target.path)
        elif target.reach is ie.Reach.ANY and not target.assume:
            yield Finding(ie.describe(target, rules), path=target.path, level=EnforcementLevel.ADVISORY)
        else:
            yield Finding(ie.describe(target, rules), path=target.path)


def _from_stack(resource: ResourceView, path: str, stack: StackView) -> bool:
    top = path.split(".", 1)[0].split("[", 1)[0]
    deps = resource.property_dependencies.get(top, ())
    return bool(deps) and all(u in stack.by_urn and not stack.by_urn[u].type.startswith(_OTHER_STACKS) for u in deps)


def check_stack(stack: StackView, rules: Rules) -> Iterator[Finding]:
    """Buckets named by name (the stack's, or listed), and documents unknown at preview (built from what)."""
    buckets = dest.stack_destinations(stack).bucket_names
    for resource in stack:
        if resource.type not in IDENTITY_DOCUMENTS:
            continue
        for target in _targets(resource, rules):
            if target.reach is ie.Reach.BUCKET:
                if target.bucket not in buckets and target.bucket.lower() not in rules.estate_destinations:
                    yield Finding(ie.describe(target, rules), urn=resource.urn, path=target.path)
            elif target.reach is ie.Reach.UNKNOWN and not _from_stack(resource, target.path, stack):
                yield Finding(f"{target.path} says what the estate's principals may reach, and it does not come from "
                              "resources of this stack", urn=resource.urn, path=target.path, unverifiable=True)


POLICY = resource_policy(
    name="no-untrusted-identity-egress",
    description="AWS identity policies let the estate's principals act only on resources of the estate and trusted "
                "parties, never assume a role or write data outside them.",
    severity="critical",
    remediation=(
        "In identity policies (managed, inline, role, user, group, permission-set inline policies and permissions "
        "boundaries) name only resources of the estate's accounts (estate.awsAccountIds), trusted accounts, buckets "
        "created in this stack or listed in estate.destinations; never a parent-company account. Replace "
        "sts:AssumeRole on '*' with the role ARNs the estate needs, and limit data-writing actions on '*' with a "
        "StringEquals aws:ResourceAccount (or aws:ResourceOrgID) condition naming the estate's and trusted accounts "
        "(or organizations). Give policy documents as valid JSON with a Statement list. Data-writing actions on '*' "
        "are reported as advisory: such a write reaches another account only where that account's resource policy "
        "admits the estate's principal, and Resource '*' is how most programs write logs, metrics and messages, so it "
        "is a missing data perimeter rather than a path the program opens; an explicit resource or role outside the "
        "estate, and sts:AssumeRole on any account, are mandatory."
    ),
    tags=["identity", "egress", "residency"],
    framework=RESIDENCY.control("IAM-2"),
    check=check,
    stack_check=check_stack,
    resource_types=sorted(IDENTITY_DOCUMENTS),
)
