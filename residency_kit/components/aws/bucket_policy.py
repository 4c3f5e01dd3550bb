"""Policy documents of the immutable AWS backup copy: the perimeter bucket policy and the replication role.

Pure functions over plain strings, so the documents can be tested as JSON without a Pulumi runtime.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Document = dict[str, Any]


def perimeter_bucket_policy(
    bucket_arn: str,
    trusted_organization_ids: Sequence[str],
    denied_account_ids: Sequence[str] = (),
    denied_organization_ids: Sequence[str] = (),
) -> Document:
    """Deny non-TLS access, every principal outside the trusted organizations, and the named outsiders.

    Deny statements only: grants stay with IAM in the owning account. The explicit denials of the parent
    company's accounts and organizations repeat what the organization perimeter already implies, so that the
    intent survives a mistaken trusted-organization entry.
    """
    if not trusted_organization_ids:
        raise ValueError("trusted_organization_ids: empty; allowed: at least one trusted AWS organization ID")
    resources = [bucket_arn, f"{bucket_arn}/*"]
    statements: list[Document] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            # AWS service principals carry no organization ID; without the PrincipalIsAWSService guard the
            # organization condition would deny them too.
            "Sid": "DenyPrincipalsOutsideTrustedOrganization",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {
                "StringNotEquals": {"aws:PrincipalOrgID": list(trusted_organization_ids)},
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        },
    ]
    if denied_account_ids:
        statements.append({
            "Sid": "DenyParentCompanyAccounts",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"StringEquals": {"aws:PrincipalAccount": list(denied_account_ids)}},
        })
    if denied_organization_ids:
        statements.append({
            "Sid": "DenyParentCompanyOrganizations",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": list(denied_organization_ids)}},
        })
    return {"Version": "2012-10-17", "Statement": statements}


def s3_replication_trust_policy() -> Document:
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    }


def replication_role_policy(
    source_bucket_arn: str,
    destination_bucket_arn: str,
    source_key_arn: str,
    destination_key_arn: str,
    source_region: str,
    destination_region: str,
) -> Document:
    """Least privilege for S3 live replication of SSE-KMS, Object Lock protected objects (one source, one target).

    Follows "Setting up permissions for live replication" and "Using Object Lock with S3 Replication"
    (``s3:GetObjectRetention`` / ``s3:GetObjectLegalHold`` on the source). KMS use is limited to S3 in each
    bucket's region and to that bucket via the S3 encryption context (the object ARN, or the bucket ARN
    when an S3 Bucket Key is in use).
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadSourceReplicationConfiguration",
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": [source_bucket_arn],
            },
            {
                "Sid": "ReadSourceObjectVersions",
                "Effect": "Allow",
                "Action": [
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionTagging",
                    "s3:GetObjectRetention",
                    "s3:GetObjectLegalHold",
                ],
                "Resource": [f"{source_bucket_arn}/*"],
            },
            {
                "Sid": "WriteReplicas",
                "Effect": "Allow",
                "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                "Resource": [f"{destination_bucket_arn}/*"],
            },
            {
                "Sid": "DecryptSourceObjects",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": [source_key_arn],
                "Condition": {
                    "StringEquals": {"kms:ViaService": f"s3.{source_region}.amazonaws.com"},
                    "StringLike": {"kms:EncryptionContext:aws:s3:arn": [source_bucket_arn, f"{source_bucket_arn}/*"]},
                },
            },
            {
                "Sid": "EncryptReplicas",
                "Effect": "Allow",
                "Action": ["kms:Encrypt"],
                "Resource": [destination_key_arn],
                "Condition": {
                    "StringEquals": {"kms:ViaService": f"s3.{destination_region}.amazonaws.com"},
                    "StringLike": {"kms:EncryptionContext:aws:s3:arn": [destination_bucket_arn, f"{destination_bucket_arn}/*"]},
                },
            },
        ],
    }
