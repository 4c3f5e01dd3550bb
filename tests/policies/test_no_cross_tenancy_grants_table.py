"""no-cross-tenancy-grants: every entry of the non-document grant table (``GRANT_CHECKS``) has a compliant
and a violating fixture, run through the analyzer protocol with exact flagged URN sets.

One program builds one resource of every grant type for a given grantee: with the trusted account
(``111111111111`` in the rules file) or the estate's own (``222222222222``) nothing is flagged; with the parent
company's account (``999999999999``) or one that is neither (``333333333333``) every resource is. The S3 ACL types are judged by canonical user / e-mail, so they have their own pair.
"""

import pulumi
import pulumi_aws as aws

from residency_policies.rules.no_cross_tenancy_grants import GRANT_CHECKS
from residency_policies.type_aliases import canonical_type
from residency_rules_programs import Judged, aws_provider, flagged, judged, urn_of

POLICY = "no-cross-tenancy-grants"
TRUSTED = "111111111111"
ESTATE = "222222222222"
OTHER = "333333333333"
PARENT = "999999999999"
OWNER_CANONICAL = "a" * 64
FOREIGN_CANONICAL = "b" * 64
LOG_DELIVERY_CANONICAL = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"

ACCOUNT_GRANTS = {  # name -> type token; every account-keyed entry of GRANT_CHECKS
    "lambda": "aws:lambda/permission:Permission",
    "layer": "aws:lambda/layerVersionPermission:LayerVersionPermission",
    "events": "aws:cloudwatch/eventPermission:EventPermission",
    "acmpca": "aws:acmpca/permission:Permission",
    "signer": "aws:signer/signingProfilePermission:SigningProfilePermission",
    "kms-grant": "aws:kms/grant:Grant",
    "ram": "aws:ram/principalAssociation:PrincipalAssociation",
    "ram-exclusive": "aws:ram/resourceShareAssociationsExclusive:ResourceShareAssociationsExclusive",
    "ami": "aws:ec2/amiLaunchPermission:AmiLaunchPermission",
    "snapshot-volume": "aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission",
    "eni-permission": "aws:ec2/networkInterfacePermission:NetworkInterfacePermission",
    "rds-snapshot": "aws:rds/snapshot:Snapshot",
    "rds-cluster-snapshot": "aws:rds/clusterSnapshot:ClusterSnapshot",
    "rds-snapshot-copy": "aws:rds/snapshotCopy:SnapshotCopy",
    "rds-cluster-snapshot-copy": "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
    "dlm": "aws:dlm/lifecyclePolicy:LifecyclePolicy",
    "ssm-document": "aws:ssm/document:Document",
    "delegated-admin": "aws:organizations/delegatedAdministrator:DelegatedAdministrator",
    "config-aggregation": "aws:cfg/aggregateAuthorization:AggregateAuthorization",
    "redshift-endpoint": "aws:redshift/endpointAuthorization:EndpointAuthorization",
    "opensearch-endpoint": "aws:opensearch/authorizeVpcEndpointAccess:AuthorizeVpcEndpointAccess",
    "lake-formation": "aws:lakeformation/permissions:Permissions",
    "portfolio-share": "aws:servicecatalog/portfolioShare:PortfolioShare",
    "license-grant": "aws:licensemanager/licenseGrant:LicenseGrant",
    "accelerator-attachment": "aws:globalaccelerator/crossAccountAttachment:CrossAccountAttachment",
    "framework-share": "aws:auditmanager/frameworkShare:FrameworkShare",
    "access-grant": "aws:s3control/accessGrant:AccessGrant",
    "guardduty-invite": "aws:guardduty/inviteAccepter:InviteAccepter",
    "macie-invite": "aws:macie2/invitationAccepter:InvitationAccepter",
}
ACL_GRANTS = {
    "bucket-grants": "aws:s3/bucket:Bucket",
    "bucket-v2-grants": "aws:s3/bucketV2:BucketV2",
    "object-copy": "aws:s3/objectCopy:ObjectCopy",
    "bucket-acl": "aws:s3/bucketAcl:BucketAcl",
    "bucket-acl-v2": "aws:s3/bucketAclV2:BucketAclV2",
    "log-grants": "aws:s3/bucketLogging:BucketLogging",
    "log-grants-v2": "aws:s3/bucketLoggingV2:BucketLoggingV2",
    "transcoder": "aws:elastictranscoder/pipeline:Pipeline",
}


def account_grants(account: str):
    """One resource of every account-keyed grant type, granting ``account``."""
    ao = pulumi.ResourceOptions(provider=aws_provider())
    role = f"arn:aws:iam::{account}:role/reader"
    aws.lambda_.Permission("lambda", action="lambda:InvokeFunction", function="fn", principal=account, opts=ao)
    aws.lambda_.LayerVersionPermission("layer", action="lambda:GetLayerVersion", layer_name="layer", principal=account,
                                       statement_id="share", version_number=1, opts=ao)
    aws.cloudwatch.EventPermission("events", principal=account, statement_id="share", opts=ao)
    # ACM PCA grants only to the ACM service; the account it acts for is sourceAccount.
    aws.acmpca.Permission("acmpca", actions=["IssueCertificate"], principal="acm.amazonaws.com",
                          certificate_authority_arn="arn:aws:acm-pca:us-east-2:123456789012:certificate-authority/x",
                          source_account=account if account in (PARENT, OTHER) else None, opts=ao)
    aws.signer.SigningProfilePermission("signer", action="signer:StartSigningJob", principal=account,
                                        profile_name="profile", opts=ao)
    aws.kms.Grant("kms-grant", key_id="key", operations=["Decrypt"], grantee_principal=role, opts=ao)
    share = "arn:aws:ram:us-east-2:123456789012:resource-share/x"
    aws.ram.PrincipalAssociation("ram", principal=account, resource_share_arn=share, opts=ao)
    aws.ram.ResourceShareAssociationsExclusive("ram-exclusive", resource_share_arn=share, principals=[account], opts=ao)
    aws.ec2.AmiLaunchPermission("ami", image_id="ami-1", account_id=account, opts=ao)
    aws.ec2.SnapshotCreateVolumePermission("snapshot-volume", snapshot_id="snap-1", account_id=account, opts=ao)
    aws.ec2.NetworkInterfacePermission("eni-permission", aws_account_id=account, network_interface_id="eni-1",
                                       permission="INSTANCE-ATTACH", opts=ao)
    aws.rds.Snapshot("rds-snapshot", db_instance_identifier="db", db_snapshot_identifier="s",
                     shared_accounts=[account], opts=ao)
    aws.rds.ClusterSnapshot("rds-cluster-snapshot", db_cluster_identifier="c", db_cluster_snapshot_identifier="s",
                            shared_accounts=[account], opts=ao)
    aws.rds.SnapshotCopy("rds-snapshot-copy", source_db_snapshot_identifier="a", target_db_snapshot_identifier="b",
                         shared_accounts=[account], opts=ao)
    aws.rds.ClusterSnapshotCopy("rds-cluster-snapshot-copy", source_db_cluster_snapshot_identifier="a",
                                target_db_cluster_snapshot_identifier="b", shared_accounts=[account], opts=ao)
    aws.dlm.LifecyclePolicy("dlm", description="share", execution_role_arn="arn:aws:iam::123456789012:role/dlm",
                            policy_details=aws.dlm.LifecyclePolicyPolicyDetailsArgs(
                                resource_types=["VOLUME"], target_tags={"backup": "yes"},
                                schedules=[aws.dlm.LifecyclePolicyPolicyDetailsScheduleArgs(
                                    name="daily",
                                    create_rule=aws.dlm.LifecyclePolicyPolicyDetailsScheduleCreateRuleArgs(interval=24),
                                    retain_rule=aws.dlm.LifecyclePolicyPolicyDetailsScheduleRetainRuleArgs(count=7),
                                    share_rule=aws.dlm.LifecyclePolicyPolicyDetailsScheduleShareRuleArgs(
                                        target_accounts=[account]))]), opts=ao)
    aws.ssm.Document("ssm-document", document_type="Command", content="{}",
                     permissions={"type": "Share", "account_ids": account}, opts=ao)
    aws.organizations.DelegatedAdministrator("delegated-admin", account_id=account,
                                             service_principal="securityhub.amazonaws.com", opts=ao)
    aws.cfg.AggregateAuthorization("config-aggregation", account_id=account, authorized_aws_region="us-east-2", opts=ao)
    aws.redshift.EndpointAuthorization("redshift-endpoint", account=account, cluster_identifier="c", opts=ao)
    aws.opensearch.AuthorizeVpcEndpointAccess("opensearch-endpoint", account=account, domain_name="d", opts=ao)
    aws.lakeformation.Permissions("lake-formation", permissions=["SELECT"], principal=role, opts=ao)
    aws.servicecatalog.PortfolioShare("portfolio-share", portfolio_id="port-1", principal_id=account, type="ACCOUNT",
                                      opts=ao)
    aws.licensemanager.LicenseGrant("license-grant", allowed_operations=["ListPurchasedLicenses"],
                                    license_arn="arn:aws:license-manager::123456789012:license:l-1",
                                    principal=f"arn:aws:iam::{account}:root", opts=ao)
    aws.globalaccelerator.CrossAccountAttachment("accelerator-attachment", principals=[account], opts=ao)
    aws.auditmanager.FrameworkShare("framework-share", destination_account=account, destination_region="us-east-2",
                                    framework_id="f", opts=ao)
    aws.s3control.AccessGrant("access-grant", access_grants_location_id="default", permission="READ",
                              grantee=aws.s3control.AccessGrantGranteeArgs(grantee_type="IAM", grantee_identifier=role),
                              opts=ao)
    aws.guardduty.InviteAccepter("guardduty-invite", detector_id="d", master_account_id=account, opts=ao)
    aws.macie2.InvitationAccepter("macie-invite", administrator_account_id=account, opts=ao)


def acl_grants(compliant: bool):
    """Every S3-ACL-style grant type: to the owner / AWS log delivery (compliant), or to another account's
    canonical user or e-mail (violating)."""
    ao = pulumi.ResourceOptions(provider=aws_provider())
    canonical = LOG_DELIVERY_CANONICAL if compliant else FOREIGN_CANONICAL
    inline = [aws.s3.BucketGrantArgs(type="CanonicalUser", id=canonical, permissions=["READ"]),
              aws.s3.BucketGrantArgs(type="Group", uri="http://acs.amazonaws.com/groups/s3/LogDelivery",
                                     permissions=["WRITE"])]
    aws.s3.Bucket("bucket-grants", grants=inline, opts=ao)
    aws.s3.BucketV2("bucket-v2-grants", grants=[aws.s3.BucketV2GrantArgs(
        type="CanonicalUser", id=canonical, permissions=["READ"])], opts=ao)
    aws.s3.ObjectCopy("object-copy", bucket="b", key="k", source="src/k", grants=[aws.s3.ObjectCopyGrantArgs(
        type="CanonicalUser" if compliant else "AmazonCustomerByEmail", id=canonical if compliant else None,
        email=None if compliant else "ops@parent.example", permissions=["READ"])], opts=ao)
    for name, acl, policy, grant, grantee, owner in (
        ("bucket-acl", aws.s3.BucketAcl, aws.s3.BucketAclAccessControlPolicyArgs, aws.s3.BucketAclAccessControlPolicyGrantArgs,
         aws.s3.BucketAclAccessControlPolicyGrantGranteeArgs, aws.s3.BucketAclAccessControlPolicyOwnerArgs),
        ("bucket-acl-v2", aws.s3.BucketAclV2, aws.s3.BucketAclV2AccessControlPolicyArgs,
         aws.s3.BucketAclV2AccessControlPolicyGrantArgs, aws.s3.BucketAclV2AccessControlPolicyGrantGranteeArgs,
         aws.s3.BucketAclV2AccessControlPolicyOwnerArgs),
    ):
        who = grantee(type="CanonicalUser", id=OWNER_CANONICAL) if compliant else \
            grantee(type="AmazonCustomerByEmail", email_address="ops@parent.example")
        acl(name, bucket="b", access_control_policy=policy(
            owner=owner(id=OWNER_CANONICAL), grants=[grant(permission="FULL_CONTROL", grantee=who)]), opts=ao)
    for name, logging, target, target_grantee in (
        ("log-grants", aws.s3.BucketLogging, aws.s3.BucketLoggingTargetGrantArgs, aws.s3.BucketLoggingTargetGrantGranteeArgs),
        ("log-grants-v2", aws.s3.BucketLoggingV2, aws.s3.BucketLoggingV2TargetGrantArgs,
         aws.s3.BucketLoggingV2TargetGrantGranteeArgs),
    ):
        who = target_grantee(type="Group", uri="http://acs.amazonaws.com/groups/s3/LogDelivery") if compliant else \
            target_grantee(type="CanonicalUser", id=FOREIGN_CANONICAL)
        logging(name, bucket="b", target_bucket="logs", target_prefix="b/",
                target_grants=[target(permission="READ", grantee=who)], opts=ao)
    aws.elastictranscoder.Pipeline("transcoder", input_bucket="in", role="arn:aws:iam::123456789012:role/t",
                                   content_config=aws.elastictranscoder.PipelineContentConfigArgs(bucket="out"),
                                   content_config_permissions=[aws.elastictranscoder.PipelineContentConfigPermissionArgs(
                                       grantee_type="Canonical" if compliant else "Email",
                                       grantee=LOG_DELIVERY_CANONICAL if compliant else "ops@parent.example",
                                       accesses=["Read"])], opts=ao)


def test_every_grant_check_has_fixtures():
    # The V2 fixtures use deprecated classes, which the pack judges as their current types (type_aliases).
    assert {canonical_type(t) for t in (*ACCOUNT_GRANTS.values(), *ACL_GRANTS.values())} == set(GRANT_CHECKS)


def test_grants_to_the_trusted_account_are_compliant(pack):
    assert flagged(lambda: account_grants(TRUSTED), pack, POLICY) == set()


def test_grants_to_the_estates_own_account_are_compliant(pack):
    assert flagged(lambda: account_grants(ESTATE), pack, POLICY) == set()


def test_every_grant_type_to_an_account_outside_the_estate_is_flagged(pack):
    urns, messages = flagged(lambda: account_grants(OTHER), pack, POLICY, with_messages=True)
    # ACM PCA grants only to the ACM service: acting for another (not parent) account is its own confused-deputy
    # guard, not a grant to that account.
    assert urns == {urn_of(t, n) for n, t in ACCOUNT_GRANTS.items() if n != "acmpca"}
    assert all("neither an estate account nor a trusted account" in m for m in messages), messages


def test_every_grant_type_to_the_parent_account_is_flagged(pack):
    urns, messages = flagged(lambda: account_grants(PARENT), pack, POLICY, with_messages=True)
    assert urns == {urn_of(t, n) for n, t in ACCOUNT_GRANTS.items()}
    assert all("parent" in m for m in messages), messages


def test_acl_grants_to_the_owner_and_aws_log_delivery_are_compliant(pack):
    assert flagged(lambda: acl_grants(True), pack, POLICY) == set()


def test_acl_grants_to_another_accounts_canonical_user_or_email_are_flagged(pack):
    urns, messages = flagged(lambda: acl_grants(False), pack, POLICY, with_messages=True)
    assert urns == {urn_of(t, n) for n, t in ACL_GRANTS.items()}
    assert all("canonical user" in m or "e-mail" in m for m in messages), messages


def unknown_acl_grantee():
    ao = pulumi.ResourceOptions(provider=aws_provider())
    source = aws.s3.Bucket("source", opts=ao)
    aws.s3.BucketAclV2("acl-unknown-grantee", bucket=source.id, access_control_policy=aws.s3.BucketAclV2AccessControlPolicyArgs(
        owner=aws.s3.BucketAclV2AccessControlPolicyOwnerArgs(id=OWNER_CANONICAL),
        grants=[aws.s3.BucketAclV2AccessControlPolicyGrantArgs(
            permission="READ", grantee=aws.s3.BucketAclV2AccessControlPolicyGrantGranteeArgs(
                type="CanonicalUser", id=source.id.apply(lambda _: FOREIGN_CANONICAL)))]), opts=ao)


def test_unknown_acl_grantee_not_from_a_principal_fails_closed(pack):
    urns, messages = flagged(unknown_acl_grantee, pack, POLICY, with_messages=True)
    assert urns == {urn_of("aws:s3/bucketAclV2:BucketAclV2", "acl-unknown-grantee")}
    assert all("cannot be verified at preview" in m for m in messages)


def test_unknown_acl_grantee_program_flags_and_passes_exact_sets(pack):
    """Checkov-style: the resources no-cross-tenancy-grants judged and passed, beside those it flagged."""
    assert judged(unknown_acl_grantee, pack, POLICY) == Judged(
        flagged={
            urn_of("aws:s3/bucketAclV2:BucketAclV2", "acl-unknown-grantee"),
        },
        passed={
            urn_of("aws:s3/bucket:Bucket", "source"),
        },
    )
