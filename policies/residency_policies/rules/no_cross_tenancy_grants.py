"""no-cross-tenancy-grants: no identity grant reaches a tenancy, account or organization that is not trusted.

OCI: policy statements that Define, Endorse or Admit a tenancy that is not trusted (parent-company
tenancies never are), ``any-tenancy``, and ``Allow any-user`` without a where clause.
AWS: every policy document input on any resource type (bucket, KMS key, SNS/SQS, ECR, Secrets Manager,
Backup vault, IAM role trust and inline policies, Lambda, OpenSearch, ... given as JSON string or
object): an Allow statement whose principal is a parent-company or unlisted account or organization, an
external identity provider, or ``*`` without a condition limiting it to a trusted organization/account.
Deny never grants. Non-document grants too: Lambda / layer / EventBridge / ACM PCA / signer permissions,
KMS grants, RAM principal associations, AMI launch and snapshot volume permissions, RDS snapshot sharing,
DLM share rules, SSM document sharing, delegated administrators, Config aggregation, Redshift/OpenSearch
endpoint authorizations, Lake Formation, Service Catalog and License Manager grants, S3 Access Grants,
GuardDuty/Macie administrator invitations accepted. A principal not known at preview cannot be verified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from residency_policies.analysis import aws_principals as ap
from residency_policies.analysis.oci_statements import judge_statements
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, walk

OCI_POLICY = "oci:Identity/policy:Policy"

# Inputs that hold an AWS policy document on some resource type (wire names).
POLICY_DOCUMENT_KEYS = frozenset({
    "policy", "assumeRolePolicy", "accessPolicies", "accessPolicy", "policyDocument", "resourcePolicy",
    "deliveryDestinationPolicy", "repositoryPolicy", "inlinePolicy", "sessionPolicy",
})
_CONTENT_DOCUMENT_TYPES = frozenset({"aws:organizations/resourcePolicy:ResourcePolicy"})
# Identity policies (attached to our own principals) cannot name a Principal, so they grant nobody new;
# skipping them keeps a document that is only unknown at preview from failing for nothing.
IDENTITY_POLICY_TYPES = frozenset({
    "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy", "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
    "aws:rolesanywhere/profile:Profile", "aws:iot/policy:Policy", "aws:iot/policyAttachment:PolicyAttachment",
    "aws:organizations/policy:Policy", "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy",
    "aws:opensearch/serverlessLifecyclePolicy:ServerlessLifecyclePolicy", "aws:glacier/vaultLock:VaultLock",
})


def trust_of(rules: Rules) -> ap.Trust:
    return ap.Trust(rules.trusted_aws_account_ids, rules.trusted_aws_organization_ids,
                    rules.parent_aws_account_ids, rules.parent_aws_organization_ids)


def _looks_like_document(value: Any) -> bool:
    if is_unknown(value) or isinstance(value, (dict, list)):
        return True
    return isinstance(value, str) and value.strip()[:1] in ("{", "[")


def _document_findings(view: ResourceView, key: str, value: Any, trust: ap.Trust) -> Iterator[Finding]:
    for verdict in ap.judge_document(value, trust, base_path=f"{key}."):
        path = verdict.path or key
        yield Finding(f"{key}: {verdict.message}", view.urn, unverifiable=verdict.unverifiable, path=path)


def _aws_documents(view: ResourceView, trust: ap.Trust) -> Iterator[Finding]:
    props = view.props
    if view.type in IDENTITY_POLICY_TYPES:
        return
    for key, value in props.items():
        if (key in POLICY_DOCUMENT_KEYS or (key == "content" and view.type in _CONTENT_DOCUMENT_TYPES)) \
                and _looks_like_document(value):
            yield from _document_findings(view, key, value, trust)


def _principal(view: ResourceView, trust: ap.Trust, key: str, *, limit: ap.Limit | None = None,
               kind: str = "AWS") -> Iterator[Finding]:
    value = view.props.get(key)
    if value is None:
        return
    values = value if isinstance(value, list) else [value]
    for i, item in enumerate(values):
        path = f"{key}[{i}]" if isinstance(value, list) else key
        if item is None:
            continue
        verdict = ap.judge_principal(item, trust, path=path, limit=limit, key=kind)
        if not verdict.ok:
            yield Finding(f"{path}: {verdict.message}", view.urn, unverifiable=verdict.unverifiable, path=path)


def _limit_from(view: ResourceView, account_key: str | None, org_key: str | None) -> ap.Limit:
    accounts, orgs, unknown = set(), set(), False
    for key, target in ((account_key, accounts), (org_key, orgs)):
        value = view.props.get(key) if key else None
        if is_unknown(value):
            unknown = True
        elif isinstance(value, str) and value:
            org = ap.ORG_IN_ARN_RE.search(value)
            target.add(org.group(1) if (org and target is orgs) else value)
    return ap.Limit(frozenset(accounts), frozenset(orgs), unknown, paths=tuple(k for k in (account_key, org_key) if k))


def _lambda_permission(view, trust):
    yield from _principal(view, trust, "principal", limit=_limit_from(view, "sourceAccount", "principalOrgId"))


def _layer_permission(view, trust):
    yield from _principal(view, trust, "principal", limit=_limit_from(view, None, "organizationId"))


def _event_permission(view, trust):
    condition = view.props.get("condition")
    limit = ap.Limit()
    if is_unknown(condition):
        limit = ap.Limit(unknown=True, paths=("condition",))
    elif isinstance(condition, dict) and str(condition.get("key", "")).lower() == "aws:principalorgid":
        value = condition.get("value")
        limit = ap.Limit(unknown=True, paths=("condition.value",)) if is_unknown(value) else \
            ap.Limit(organizations=frozenset({value}) if isinstance(value, str) else frozenset())
    yield from _principal(view, trust, "principal", limit=limit)


def _acmpca_permission(view, trust):
    yield from _principal(view, trust, "principal", limit=_limit_from(view, "sourceAccount", None), kind="Service")


def _plain(*keys: str) -> Callable:
    def check(view, trust):
        for key in keys:
            yield from _principal(view, trust, key)
    return check


def _ami_launch_permission(view, trust):
    group = view.props.get("group")
    if group == "all":
        yield Finding("group = 'all' makes the image public: anyone can launch it", view.urn, path="group")
    elif is_unknown(group):
        yield Finding("the launch-permission group decides whether the image is public", view.urn,
                      unverifiable=True, path="group")
    yield from _plain("accountId", "organizationArn", "organizationalUnitArn")(view, trust)


def _shared_accounts(path_expr: str) -> Callable:
    def check(view, trust):
        for path, value in walk(view.props, path_expr):
            if isinstance(value, str) and value.lower() == "all":
                yield Finding(f"{path}: 'all' shares with every AWS account (public)", view.urn, path=path)
                continue
            verdict = ap.judge_principal(value, trust, path=path)
            if not verdict.ok:
                yield Finding(f"{path}: {verdict.message}", view.urn, unverifiable=verdict.unverifiable, path=path)
    return check


def _ssm_document(view, trust):
    permissions = view.props.get("permissions")
    if is_unknown(permissions):
        yield Finding("the document's sharing permissions decide who may use it", view.urn, unverifiable=True,
                      path="permissions")
        return
    if not isinstance(permissions, dict):
        return
    ids = permissions.get("accountIds")
    if is_unknown(ids):
        yield Finding("the accounts the document is shared with are not known", view.urn, unverifiable=True,
                      path="permissions.accountIds")
        return
    for account in (ids.split(",") if isinstance(ids, str) else []):
        account = account.strip()
        if account.lower() == "all":
            yield Finding("permissions.accountIds: 'All' shares the document publicly", view.urn,
                          path="permissions.accountIds")
            continue
        verdict = ap.judge_principal(account, trust, path="permissions.accountIds")
        if not verdict.ok:
            yield Finding(f"permissions.accountIds: {verdict.message}", view.urn, path="permissions.accountIds")


def _s3_access_grant(view, trust):
    grantee = view.props.get("grantee")
    if is_unknown(grantee):
        yield Finding("the grantee decides who gets access", view.urn, unverifiable=True, path="grantee")
        return
    if isinstance(grantee, dict) and str(grantee.get("granteeType", "IAM")).upper() == "IAM":
        value = grantee.get("granteeIdentifier")
        verdict = ap.judge_principal(value, trust, path="grantee.granteeIdentifier")
        if not verdict.ok:
            yield Finding(f"grantee.granteeIdentifier: {verdict.message}", view.urn, unverifiable=verdict.unverifiable,
                          path="grantee.granteeIdentifier")


def _lake_formation(view, trust):
    principal = view.props.get("principal")
    if isinstance(principal, str) and principal.upper() in ("IAM_ALLOWED_PRINCIPALS",):
        return
    yield from _principal(view, trust, "principal")


GRANT_CHECKS: dict[str, Callable[[ResourceView, ap.Trust], Iterator[Finding]]] = {
    "aws:lambda/permission:Permission": _lambda_permission,
    "aws:lambda/layerVersionPermission:LayerVersionPermission": _layer_permission,
    "aws:cloudwatch/eventPermission:EventPermission": _event_permission,
    "aws:acmpca/permission:Permission": _acmpca_permission,
    "aws:signer/signingProfilePermission:SigningProfilePermission": _plain("principal"),
    "aws:kms/grant:Grant": _plain("granteePrincipal", "retiringPrincipal"),
    "aws:ram/principalAssociation:PrincipalAssociation": _plain("principal"),
    "aws:ram/resourceShareAssociationsExclusive:ResourceShareAssociationsExclusive": _plain("principals"),
    "aws:ec2/amiLaunchPermission:AmiLaunchPermission": _ami_launch_permission,
    "aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission": _plain("accountId"),
    "aws:ec2/networkInterfacePermission:NetworkInterfacePermission": _plain("awsAccountId"),
    "aws:rds/snapshot:Snapshot": _shared_accounts("sharedAccounts[]"),
    "aws:rds/clusterSnapshot:ClusterSnapshot": _shared_accounts("sharedAccounts[]"),
    "aws:rds/snapshotCopy:SnapshotCopy": _shared_accounts("sharedAccounts[]"),
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy": _shared_accounts("sharedAccounts[]"),
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": _shared_accounts("policyDetails.schedules[].shareRule.targetAccounts[]"),
    "aws:ssm/document:Document": _ssm_document,
    "aws:organizations/delegatedAdministrator:DelegatedAdministrator": _plain("accountId"),
    "aws:cfg/aggregateAuthorization:AggregateAuthorization": _plain("accountId"),
    "aws:redshift/endpointAuthorization:EndpointAuthorization": _plain("account"),
    "aws:opensearch/authorizeVpcEndpointAccess:AuthorizeVpcEndpointAccess": _plain("account"),
    "aws:lakeformation/permissions:Permissions": _lake_formation,
    "aws:servicecatalog/portfolioShare:PortfolioShare": _plain("principalId"),
    "aws:licensemanager/licenseGrant:LicenseGrant": _plain("principal"),
    "aws:globalaccelerator/crossAccountAttachment:CrossAccountAttachment": _plain("principals"),
    "aws:auditmanager/frameworkShare:FrameworkShare": _plain("destinationAccount"),
    "aws:s3control/accessGrant:AccessGrant": _s3_access_grant,
    "aws:guardduty/inviteAccepter:InviteAccepter": _plain("masterAccountId"),
    "aws:macie2/invitationAccepter:InvitationAccepter": _plain("administratorAccountId"),
}


def _oci_policy(view: ResourceView, rules: Rules) -> Iterator[Finding]:
    problems = judge_statements(view.props.get("statements"), rules.trusted_oci_tenancy_ids,
                                rules.parent_oci_tenancy_ids)
    for problem in problems:
        path = "statements" if problem.index < 0 else f"statements[{problem.index}]"
        yield Finding(f"{path}: {problem.message}", view.urn, unverifiable=problem.unverifiable, path=path)


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    if resource.type == OCI_POLICY:
        yield from _oci_policy(resource, rules)
        return
    if not resource.type.startswith("aws:") or not isinstance(resource.props, dict):
        return
    trust = trust_of(rules)
    yield from _aws_documents(resource, trust)
    special = GRANT_CHECKS.get(resource.type)
    if special is not None:
        yield from special(resource, trust)


POLICY = resource_policy(
    name="no-cross-tenancy-grants",
    description="No OCI policy statement or AWS policy, permission or share grants access to a tenancy, "
                "account or organization that is not trusted.",
    severity="critical",
    remediation=(
        "Grant only tenancies in `trusted.ociTenancyIds` and AWS accounts/organizations in `trusted.awsAccountIds` / "
        "`trusted.awsOrganizationIds` (never a parent-company identifier). Replace `*` principals with named trusted "
        "principals or add a `StringEquals` `aws:PrincipalOrgID` condition naming the trusted organization, remove "
        "`any-tenancy` and undefined tenancy aliases, and give principals as literal or config values."
    ),
    tags=["identity", "cross-tenancy", "residency"],
    framework=("US data residency", "1.0", "IAM-1"),
    check=check,
)
