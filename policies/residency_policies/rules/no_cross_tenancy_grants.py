"""no-cross-tenancy-grants: no identity grant reaches a tenancy, account or organization outside the estate and
its trusted parties.

The estate's own accounts and tenancies (``estate.awsAccountIds`` / ``estate.ociTenancyIds``) and the trusted
parties (``trusted.*``) may be granted; parent-company identifiers never are (the rules file refuses an estate
identifier that is also a parent's, and a parent identifier is refused here whatever else lists it).
OCI: policy statements that Define, Endorse or Admit a tenancy that is neither an estate nor a trusted
tenancy, ``any-tenancy``, and ``Allow any-user`` without a where clause.
AWS: every policy document input on any resource type (bucket, KMS key, SNS/SQS, ECR, Secrets Manager,
Backup vault, IAM role trust and inline policies, Lambda, OpenSearch, ... given as JSON string or
object): an Allow statement whose principal is a parent-company or unlisted account or organization, an
external identity provider, or ``*`` without a condition limiting it to the estate's or a trusted
organization/account (a standard key policy naming ``arn:aws:iam::<estate account>:root`` passes).
Deny never grants. Non-document grants too: Lambda / layer / EventBridge / ACM PCA / signer permissions,
KMS grants, RAM principal associations, AMI launch and snapshot volume permissions, RDS snapshot sharing,
DLM share rules, SSM document sharing, delegated administrators, Config aggregation, Redshift/OpenSearch
endpoint authorizations, Lake Formation, Service Catalog and License Manager grants, S3 Access Grants,
GuardDuty/Macie administrator invitations accepted; S3 ACL grants (bucket, object copy, log target and
Elastic Transcoder permissions) to a canonical user other than the ACL's owner or to an e-mail grantee.
A document that cannot be parsed grants what nobody can read: it fails closed.

Two phases. Everything a resource states itself is judged per resource (``Analyze``). A principal that is
not known at preview (or a whole document that is not) is judged over the stack (``AnalyzeStack``), where
the engine's property dependencies show where it came from: when every unknown part comes from resources
of this stack and one of them is an IAM role / user (or another principal type below) created by the same
provider, it is the stack's own account, not a cross-tenancy grant. The literal parts of such a document
are judged again by ``Analyze`` at ``pulumi up``, once the document is known and before it is applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from residency_policies.analysis import aws_principals as ap
from residency_policies.analysis.oci_statements import judge_statements
from residency_policies.compliance import RESIDENCY
from residency_policies.deferred_to_stack import DeferredPaths
from residency_policies.framework import Finding, ProviderView, ResourceView, resource_policy
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, maybe_json, walk

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
    "aws:opensearch/serverlessLifecyclePolicy:ServerlessLifecyclePolicy",
})
# Inputs named like a policy document on types where they hold something else (read from the SDK docs).
NOT_DOCUMENTS = frozenset({
    ("aws:resiliencehub/resiliencyPolicy:ResiliencyPolicy", "policy"),  # RTO/RPO objectives
    ("aws:ses/receiptFilter:ReceiptFilter", "policy"),  # "Block" | "Allow"
    ("aws:iot/policyAttachment:PolicyAttachment", "policy"),  # a policy name
})
# Resources whose ARN (or canonical ID) names a principal of the account that creates them: a policy that
# is unknown at preview only because it names one of these is a grant to the stack's own account.
SAME_ACCOUNT_PRINCIPAL_TYPES = frozenset({
    "aws:iam/role:Role", "aws:iam/user:User", "aws:iam/group:Group", "aws:iam/serviceLinkedRole:ServiceLinkedRole",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/samlProvider:SamlProvider",
    "aws:cloudfront/originAccessIdentity:OriginAccessIdentity",
})


class _Deferred(Finding):
    """A finding whose principal is unknown at preview: judged over the stack, where its origin is visible."""


def _finding(view: ResourceView, verdict: ap.Verdict, path: str, text: str | None = None) -> Finding:
    kind = _Deferred if verdict.unknown_principal else Finding
    return kind(text or f"{path}: {verdict.message}", view.urn, unverifiable=verdict.unverifiable, path=path)


def _document_findings(view: ResourceView, key: str, value: Any, trust: ap.Trust) -> Iterator[Finding]:
    for verdict in ap.judge_document(value, trust, base_path=f"{key}."):
        path = verdict.path or key
        yield _finding(view, verdict, path, f"{key}: {verdict.message}")


def _aws_documents(view: ResourceView, trust: ap.Trust) -> Iterator[Finding]:
    props = view.props
    if view.type in IDENTITY_POLICY_TYPES:
        return
    for key, value in props.items():
        if (key in POLICY_DOCUMENT_KEYS or (key == "content" and view.type in _CONTENT_DOCUMENT_TYPES)) \
                and (view.type, key) not in NOT_DOCUMENTS:
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
            yield _finding(view, verdict, path)


def _limit_from(view: ResourceView, account_key: str | None, org_key: str | None) -> ap.Limit:
    accounts: set[str] = set()
    orgs: set[str] = set()
    unknown = False
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
                yield _finding(view, verdict, path)
    return check


def _ssm_document(view, trust):
    permissions = view.props.get("permissions")
    if is_unknown(permissions):
        yield Finding("the document's sharing permissions decide who may use it", view.urn, unverifiable=True,
                      path="permissions")
        return
    if not isinstance(permissions, dict):
        return
    # A plain map: its keys reach the provider verbatim, as Terraform names them (``account_ids``).
    key = "account_ids" if "account_ids" in permissions else "accountIds"
    ids = permissions.get(key)
    if is_unknown(ids):
        yield _Deferred("the accounts the document is shared with are not known", view.urn, unverifiable=True,
                        path=f"permissions.{key}")
        return
    for account in (ids.split(",") if isinstance(ids, str) else []):
        account = account.strip()
        if account.lower() == "all":
            yield Finding(f"permissions.{key}: 'All' shares the document publicly", view.urn,
                          path=f"permissions.{key}")
            continue
        verdict = ap.judge_principal(account, trust, path=f"permissions.{key}")
        if not verdict.ok:
            yield _finding(view, verdict, f"permissions.{key}")


def _s3_access_grant(view, trust):
    grantee = view.props.get("grantee")
    if is_unknown(grantee):
        yield Finding("the grantee decides who gets access", view.urn, unverifiable=True, path="grantee")
        return
    if isinstance(grantee, dict) and str(grantee.get("granteeType", "IAM")).upper() == "IAM":
        value = grantee.get("granteeIdentifier")
        verdict = ap.judge_principal(value, trust, path="grantee.granteeIdentifier")
        if not verdict.ok:
            yield _finding(view, verdict, "grantee.granteeIdentifier")


def _lake_formation(view, trust):
    principal = view.props.get("principal")
    if isinstance(principal, str) and principal.upper() in ("IAM_ALLOWED_PRINCIPALS",):
        return
    yield from _principal(view, trust, "principal")


def _acl_grants(grants_path: str, *, kind: str, canonical_id: str, email: str, owner_path: str | None = None) -> Callable:
    """S3-style ACL grants at ``grants_path`` (each a grantee object with the given field names)."""
    def check(view, trust):
        owners: frozenset[str] = frozenset()
        if owner_path:
            owner = [v for _, v in walk(view.props, owner_path)]
            owners = frozenset(str(v).strip().lower() for v in owner if isinstance(v, str) and not is_unknown(v))
        for path, grantee in walk(view.props, grants_path):
            if is_unknown(grantee):
                yield _Deferred("the ACL's grantees are not known at preview", view.urn, unverifiable=True, path=path)
                continue
            if not isinstance(grantee, dict):
                continue
            verdict = ap.judge_acl_grantee(grantee.get(kind), canonical_id=grantee.get(canonical_id),
                                           email=grantee.get(email), owner_ids=owners, path=path)
            if not verdict.ok:
                yield _finding(view, verdict, path)
    return check


def _transcoder_permissions(view, trust):
    for key in ("contentConfigPermissions", "thumbnailConfigPermissions"):
        for path, permission in walk(view.props, f"{key}[]"):
            if not isinstance(permission, dict):
                continue
            kind, grantee = permission.get("granteeType"), permission.get("grantee")
            verdict = ap.judge_acl_grantee(kind, canonical_id=grantee, email=grantee, path=path)
            if not verdict.ok:
                yield _finding(view, verdict, path)


_BUCKET_INLINE_GRANTS = _acl_grants("grants[]", kind="type", canonical_id="id", email="email")
_BUCKET_ACL = _acl_grants("accessControlPolicy.grants[].grantee", kind="type", canonical_id="id",
                          email="emailAddress", owner_path="accessControlPolicy.owner.id")
_LOG_TARGET_GRANTS = _acl_grants("targetGrants[].grantee", kind="type", canonical_id="id", email="emailAddress")

GRANT_CHECKS: dict[str, Callable[[ResourceView, ap.Trust], Iterator[Finding]]] = {
    "aws:s3/bucket:Bucket": _BUCKET_INLINE_GRANTS,
    "aws:s3/objectCopy:ObjectCopy": _BUCKET_INLINE_GRANTS,
    "aws:s3/bucketAcl:BucketAcl": _BUCKET_ACL,
    "aws:s3/bucketLogging:BucketLogging": _LOG_TARGET_GRANTS,
    "aws:elastictranscoder/pipeline:Pipeline": _transcoder_permissions,
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
    problems = judge_statements(view.props.get("statements"),
                                rules.trusted_oci_tenancy_ids | rules.estate_oci_tenancy_ids,
                                rules.parent_oci_tenancy_ids)
    # One policy, one violation (issue 13, item 9): a Define and the Admit that uses it are one grant, fixed
    # together; what cannot be verified gets its own violation, because its fix differs.
    for unverifiable in (False, True):
        group = [p for p in problems if p.unverifiable == unverifiable]
        if not group:
            continue
        paths = ["statements" if p.index < 0 else f"statements[{p.index}]" for p in group]
        message = "; ".join(f"{path}: {p.message}" for path, p in zip(paths, group, strict=True))
        yield Finding(message, view.urn, unverifiable=unverifiable,
                      path=paths[0] if len(set(paths)) == 1 else "statements")


def _aws_findings(resource: ResourceView, trust: ap.Trust) -> Iterator[Finding]:
    yield from _aws_documents(resource, trust)
    special = GRANT_CHECKS.get(resource.type)
    if special is not None:
        yield from special(resource, trust)


# The paths each resource's Analyze deferred (a permission's computed ``policy`` output is not one of them).
_DEFERRED = DeferredPaths()


def in_scope(type_token: str) -> bool:
    """OCI IAM policies and AWS resources."""
    return type_token == OCI_POLICY or type_token.startswith("aws:")


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    if resource.type == OCI_POLICY:
        yield from _oci_policy(resource, rules)
        return
    if not resource.type.startswith("aws:") or not isinstance(resource.props, dict):
        return
    deferred: set[str] = set()
    for finding in _aws_findings(resource, ap.trust_of(rules)):
        if isinstance(finding, _Deferred):
            deferred.add(finding.path or "")
        else:
            yield finding
    _DEFERRED.record(resource.urn, deferred)


def _top_key(path: str | None) -> str:
    return (path or "").split(".", 1)[0].split("[", 1)[0]


def _provider_account(provider: ProviderView | None) -> str | None:
    """The account a provider is pinned to (``allowedAccountIds`` with one entry, or its assumed role's)."""
    if provider is None:
        return None
    allowed = maybe_json(provider.props.get("allowedAccountIds"))
    if isinstance(allowed, list) and len(allowed) == 1 and isinstance(allowed[0], str):
        return allowed[0]
    roles = maybe_json(provider.props.get("assumeRoles") or provider.props.get("assumeRole"))
    for role in roles if isinstance(roles, list) else [roles]:
        if isinstance(role, dict):
            account = ap.account_of_arn(role.get("roleArn"))
            if account:
                return account
    return None


def _same_account(a: ProviderView | None, b: ProviderView | None) -> bool:
    if (a.urn if a else None) == (b.urn if b else None):
        return True
    account_a, account_b = _provider_account(a), _provider_account(b)
    return account_a is not None and account_a == account_b


def _own_principal_origin(view: ResourceView, key: str, by_urn: dict[str, ResourceView]) -> str | None:
    """Why an unknown principal at ``key`` is the stack's own (the principal resource's name), or None."""
    deps = (view.property_dependencies or {}).get(key, ())
    if not deps or any(u not in by_urn for u in deps):
        return None
    principals = [by_urn[u] for u in deps if by_urn[u].type in SAME_ACCOUNT_PRINCIPAL_TYPES]
    if not principals or not all(_same_account(p.provider, view.provider) for p in principals):
        return None
    return ", ".join(p.name for p in principals)


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    """Unknown principals: the stack's own when they come from a principal created in this stack."""
    trust = ap.trust_of(rules)
    by_urn = {r.urn: r for r in resources}
    for resource in resources:
        if not resource.type.startswith("aws:") or not isinstance(resource.props, dict):
            continue
        for finding in _aws_findings(resource, trust):
            if not isinstance(finding, _Deferred):
                continue
            if not _DEFERRED.deferred(resource.urn, finding.path or ""):
                continue  # unknown only in the outputs: computed by the provider, not granted by the program
            if _own_principal_origin(resource, _top_key(finding.path), by_urn) is not None:
                continue
            yield Finding(finding.message + "; it does not come from an IAM role or user created in this stack, so "
                          "whose account it names cannot be verified", resource.urn, unverifiable=True,
                          path=finding.path)


POLICY = resource_policy(
    name="no-cross-tenancy-grants",
    description="No OCI policy statement or AWS policy, permission or share grants access to a tenancy, "
                "account or organization that is neither the estate's own nor trusted.",
    severity="critical",
    remediation=(
        "Grant only the estate's own tenancies and accounts (`estate.ociTenancyIds`, `estate.awsAccountIds`) and "
        "trusted ones (`trusted.ociTenancyIds`, `trusted.awsAccountIds` / `trusted.awsOrganizationIds`), never a "
        "parent-company identifier. Replace `*` principals with named principals of those accounts or add a "
        "`StringEquals` `aws:PrincipalOrgID` / `aws:PrincipalAccount` condition naming them, remove "
        "`any-tenancy` and undefined tenancy aliases, and give principals as literal or config values."
    ),
    tags=["identity", "cross-tenancy", "residency"],
    framework=RESIDENCY.control("IAM-1"),
    check=check,
    applies_to=in_scope,
    stack_check=check_stack,
)
