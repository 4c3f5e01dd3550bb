"""Buckets and objects made public: OCI bucket access types and pre-authenticated requests; AWS public-access
blocks (the bucket's own and the account's), canned ACLs and ACL grants to AllUsers / AuthenticatedUsers (an
object's ACL counts unless its bucket blocks public ACLs).

Since April 2023 AWS creates every bucket with all four bucket-level public-access settings on (and ACLs
disabled), so a bucket is public only if a ``BucketPublicAccessBlock`` turns a setting off; no block in the stack
is AWS's default. The joins (a bucket with its blocks, an object with its bucket) are made over the stack.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from residency_policies.findings import Finding
from residency_policies.values import is_unknown, walk
from residency_policies.views import ResourceView

OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
OCI_PAR = "oci:ObjectStorage/preauthrequest:Preauthrequest"
AWS_BUCKETS = frozenset({"aws:s3/bucket:Bucket"})
AWS_OBJECTS = frozenset({"aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2",
                         "aws:s3/objectCopy:ObjectCopy"})
BUCKET_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
BUCKET_ACLS = frozenset({"aws:s3/bucketAcl:BucketAcl"})
PAB_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GROUP_URIS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                     "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


def public_object_acl(view: ResourceView) -> Iterator[Finding]:
    acl = view.props.get("acl")
    if is_unknown(acl):
        yield Finding("the canned ACL decides whether the object is public", view.urn, unverifiable=True, path="acl")
    elif isinstance(acl, str) and acl in PUBLIC_CANNED_ACLS:
        yield Finding(f"acl is {acl!r}: the object is readable by anyone (unless its bucket's public-access block "
                      "ignores ACLs); remove the ACL", view.urn, path="acl")


def oci_bucket(view: ResourceView) -> Iterator[Finding]:
    access = view.props.get("accessType")
    if access is None or access == "NoPublicAccess":
        return
    if is_unknown(access):
        yield Finding("the bucket's accessType decides whether it is public", view.urn, unverifiable=True,
                      path="accessType")
    else:
        yield Finding(f"accessType is {access!r}: the bucket is readable from the internet; set NoPublicAccess",
                      view.urn, path="accessType")


def oci_par(view: ResourceView) -> Iterator[Finding]:
    access = view.props.get("accessType")
    scope = " for every object in the bucket" if isinstance(access, str) and access.startswith("AnyObject") else ""
    yield Finding(f"a pre-authenticated request{scope} ({access!r}) on bucket {view.props.get('bucket')!r} is a "
                  "bearer URL anyone holding it can use, bypassing IAM; remove it", view.urn, path="accessType")


def public_acl(view: ResourceView, acl_path: str, grants_path: str) -> Iterator[Finding]:
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


def targets(view: ResourceView, bucket: ResourceView) -> bool:
    """Whether a bucket-level resource (PAB, ACL, policy) applies to ``bucket``."""
    if bucket.urn in (view.property_dependencies or {}).get("bucket", ()):
        return True
    name = view.props.get("bucket")
    own = bucket.props.get("bucket")
    return isinstance(name, str) and not is_unknown(name) and isinstance(own, str) and name == own


def block_state(pab: ResourceView) -> tuple[list[str], list[str]]:
    off = [s for s in PAB_SETTINGS if pab.props.get(s) is not True and not is_unknown(pab.props.get(s))]
    unknown = [s for s in PAB_SETTINGS if is_unknown(pab.props.get(s))]
    return off, unknown


def aws_bucket(bucket: ResourceView, blocks: Sequence[ResourceView], account_blocks: Sequence[ResourceView]) -> Iterator[Finding]:
    """A bucket's own public-access block must keep all four settings on.

    Since April 2023 AWS creates every bucket with all four bucket-level settings on (and ACLs disabled), so a
    bucket is public only if a ``BucketPublicAccessBlock`` turns a setting off; no block in the stack is
    AWS's default. An account-level block with all four on covers the bucket whatever its own block says.
    """
    if any(not block_state(a)[0] and not block_state(a)[1] for a in account_blocks):
        return
    mine = [b for b in blocks if targets(b, bucket)]
    for pab in mine:
        off, unknown = block_state(pab)
        if off:
            yield Finding(f"its public-access block {pab.name} leaves {', '.join(off)} off; all four must be true",
                          bucket.urn, path=f"{pab.name}.{off[0]}")
        elif unknown:
            yield Finding(f"public-access block {pab.name} settings decide whether the bucket can be public",
                          bucket.urn, unverifiable=True, path=f"{pab.name}.{unknown[0]}")



def acls_blocked(bucket: ResourceView | None, blocks: Sequence[ResourceView], account_blocks: Sequence[ResourceView]) -> bool:
    """Whether public ACLs are refused / ignored for objects of ``bucket`` (a bucket of this stack keeps AWS's
    default block unless its own block turns ACL blocking off)."""
    def acl_blocking(pab: ResourceView) -> bool:
        return pab.props.get("blockPublicAcls") is True or pab.props.get("ignorePublicAcls") is True
    if any(acl_blocking(a) for a in account_blocks):
        return True
    if bucket is None:
        return False
    return all(acl_blocking(b) for b in blocks if targets(b, bucket))

