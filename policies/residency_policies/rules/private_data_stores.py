"""private-data-stores: no bucket is public, and no pre-authenticated request exists.

OCI: a bucket's ``accessType`` must be ``NoPublicAccess`` (the default when unset); every
``Preauthrequest`` is a bearer URL that bypasses IAM, so none may exist.
AWS (judged at stack level, because the settings live in separate resources): every bucket
(``aws:s3/bucket`` and the deprecated ``aws:s3/bucketV2``) needs a public-access block with all four
settings on, either its own ``BucketPublicAccessBlock`` or an account-level one in the stack; no bucket
(inline ``acl``/``grants``) or ``BucketAcl``/``BucketAclV2`` grants AllUsers or AuthenticatedUsers; no
bucket policy (inline or ``BucketPolicy``) allows ``*`` without a condition limiting it to a trusted
organization or account.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.analysis import aws_principals as ap
from residency_policies.framework import Finding, ResourceView, stack_policy
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, walk

OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
OCI_PAR = "oci:ObjectStorage/preauthrequest:Preauthrequest"
AWS_BUCKETS = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
BUCKET_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
BUCKET_ACLS = frozenset({"aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"})
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PAB_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GROUP_URIS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                     "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


def _oci_bucket(view: ResourceView) -> Iterator[Finding]:
    access = view.props.get("accessType")
    if access is None or access == "NoPublicAccess":
        return
    if is_unknown(access):
        yield Finding("the bucket's accessType decides whether it is public", view.urn, unverifiable=True,
                      path="accessType")
    else:
        yield Finding(f"accessType is {access!r}: the bucket is readable from the internet; set NoPublicAccess",
                      view.urn, path="accessType")


def _oci_par(view: ResourceView) -> Iterator[Finding]:
    access = view.props.get("accessType")
    scope = " for every object in the bucket" if isinstance(access, str) and access.startswith("AnyObject") else ""
    yield Finding(f"a pre-authenticated request{scope} ({access!r}) on bucket {view.props.get('bucket')!r} is a "
                  "bearer URL anyone holding it can use, bypassing IAM; remove it", view.urn, path="accessType")


def _public_acl(view: ResourceView, acl_path: str, grants_path: str) -> Iterator[Finding]:
    for path, acl in walk(view.props, acl_path):
        if is_unknown(acl):
            yield Finding("the canned ACL decides whether the bucket is public", view.urn, unverifiable=True, path=path)
        elif isinstance(acl, str) and acl in PUBLIC_CANNED_ACLS:
            yield Finding(f"{path} is {acl!r}: the bucket is public", view.urn, path=path)
    for path, uri in walk(view.props, grants_path):
        if is_unknown(uri):
            yield Finding("a grantee URI decides whether the bucket is public", view.urn, unverifiable=True, path=path)
        elif isinstance(uri, str) and uri in PUBLIC_GROUP_URIS:
            yield Finding(f"{path} grants {uri.rsplit('/', 1)[-1]}: the bucket is public", view.urn, path=path)


def _public_policy(view: ResourceView, key: str, trust: ap.Trust) -> Iterator[Finding]:
    value = view.props.get(key)
    document, problem = ap.load_document(value)
    if problem is not None:
        if problem.unverifiable:
            yield Finding("the bucket policy decides whether the bucket is public", view.urn, unverifiable=True,
                          path=key)
        return
    grants, problems = ap.grants(document, f"{key}.") if document is not None else ([], [])
    for p in problems:
        yield Finding(p.message, view.urn, unverifiable=p.unverifiable, path=p.path)
    for grant in grants:
        if grant.party.kind != ap.ANYONE:
            continue
        verdict = ap.judge_grant(grant, trust)
        if not verdict.ok:
            yield Finding(f"the bucket policy makes the bucket public: {verdict.message}", view.urn,
                          unverifiable=verdict.unverifiable, path=verdict.path or key)


def _targets(view: ResourceView, bucket: ResourceView) -> bool:
    """Whether a bucket-level resource (PAB, ACL, policy) applies to ``bucket``."""
    if bucket.urn in (view.property_dependencies or {}).get("bucket", ()):
        return True
    name = view.props.get("bucket")
    own = bucket.props.get("bucket")
    return isinstance(name, str) and not is_unknown(name) and isinstance(own, str) and name == own


def _block_state(pab: ResourceView) -> tuple[list[str], list[str]]:
    off = [s for s in PAB_SETTINGS if pab.props.get(s) is not True and not is_unknown(pab.props.get(s))]
    unknown = [s for s in PAB_SETTINGS if is_unknown(pab.props.get(s))]
    return off, unknown


def _aws_bucket(bucket: ResourceView, blocks: list[ResourceView], account_blocks: list[ResourceView]) -> Iterator[Finding]:
    if any(not _block_state(a)[0] and not _block_state(a)[1] for a in account_blocks):
        return
    mine = [b for b in blocks if _targets(b, bucket)]
    if not mine:
        yield Finding("the bucket has no public-access block in this stack; add an aws.s3.BucketPublicAccessBlock "
                      "with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true",
                      bucket.urn)
        return
    for pab in mine:
        off, unknown = _block_state(pab)
        if off:
            yield Finding(f"its public-access block {pab.name} leaves {', '.join(off)} off; all four must be true",
                          bucket.urn, path=f"{pab.name}.{off[0]}")
        elif unknown:
            yield Finding(f"public-access block {pab.name} settings decide whether the bucket can be public",
                          bucket.urn, unverifiable=True, path=f"{pab.name}.{unknown[0]}")


def check(resources: list[ResourceView], rules: Rules) -> Iterator[Finding]:
    trust = ap.Trust(rules.trusted_aws_account_ids, rules.trusted_aws_organization_ids,
                     rules.parent_aws_account_ids, rules.parent_aws_organization_ids)
    views = [r for r in resources if isinstance(r.props, dict)]
    blocks = [r for r in views if r.type == BUCKET_PAB]
    account_blocks = [r for r in views if r.type == ACCOUNT_PAB]
    for view in views:
        if view.type == OCI_BUCKET:
            yield from _oci_bucket(view)
        elif view.type == OCI_PAR:
            yield from _oci_par(view)
        elif view.type in AWS_BUCKETS:
            yield from _aws_bucket(view, blocks, account_blocks)
            yield from _public_acl(view, "acl", "grants[].uri")
            yield from _public_policy(view, "policy", trust)
        elif view.type in BUCKET_ACLS:
            yield from _public_acl(view, "acl", "accessControlPolicy.grants[].grantee.uri")
        elif view.type == BUCKET_POLICY:
            yield from _public_policy(view, "policy", trust)


POLICY = stack_policy(
    name="private-data-stores",
    description="OCI buckets are not public and have no pre-authenticated requests; AWS buckets have all four "
                "public-access blocks on and no public ACL or policy.",
    severity="critical",
    remediation=(
        "Set OCI bucket accessType to NoPublicAccess and delete every Preauthrequest (share data through IAM "
        "policies instead). For each AWS bucket add a BucketPublicAccessBlock with all four settings true, remove "
        "public canned ACLs and AllUsers/AuthenticatedUsers grants, and limit `*` policy statements with an "
        "`aws:PrincipalOrgID` condition naming the trusted organization."
    ),
    tags=["data", "storage", "public-access", "residency"],
    framework=("US data residency", "1.0", "DATA-1"),
    check=check,
)
