"""no-cross-tenancy-grants through the analyzer protocol: raw OCI/AWS programs, exact flagged URNs."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from residency_kit.engine.api import preview_function
from residency_rules_programs import CONFIG, Judged, PROJECT, STACK, aws_provider, flagged, judged, oci_provider, urn_of

POLICY = "no-cross-tenancy-grants"
TENANCY = "ocid1.tenancy.oc1..aaaaaaaadevtenancy"
TRUSTED_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaoversightexample0000000000000000000000000000000000"
PARENT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"
TRUSTED_ORG = "o-usoversight01"
# The estate's own account and second tenancy (estate.* of the illustrative rules), and an account that is neither the
# estate's, a trusted party's nor the parent's.
ESTATE_ACCOUNT = "222222222222"
ESTATE_TENANCY = "ocid1.tenancy.oc1..aaaaaaaadevtenancyexample00000000000000000000000000000000"
OTHER_ACCOUNT = "333333333333"


def _doc(principal, condition=None, effect="Allow"):
    statement = {"Effect": effect, "Action": "sts:AssumeRole", "Principal": principal}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def compliant():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.identity.Policy("oversight-admit", compartment_id=TENANCY, description="x", statements=[
        f"Define tenancy Oversight as {TRUSTED_TENANCY}",
        "Define group Auditors as ocid1.group.oc1..aaaa",
        "Admit group Auditors of tenancy Oversight to read all-resources in tenancy",
        "Allow group Admins to manage all-resources in tenancy"], opts=o)
    aws.iam.Role("svc-role", assume_role_policy=_doc({"Service": "lambda.amazonaws.com"}), opts=ao)
    # (The object form, PolicyDocumentArgs, is refused by the SDK's mock-mode type check, so it is covered by
    # the analysis unit tests instead.)
    aws.iam.Role("oversight-role", assume_role_policy=_doc({"AWS": "arn:aws:iam::111111111111:root"}), opts=ao)
    aws.s3.BucketPolicy("org-only", bucket="b", policy=json.dumps({"Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": TRUSTED_ORG}}}]}), opts=ao)
    aws.lambda_.Permission("s3-invoke", action="lambda:InvokeFunction", function="fn", principal="s3.amazonaws.com",
                           source_account="123456789012", opts=ao)
    role = aws.iam.Role("inline-unknown", assume_role_policy=_doc({"Service": "ec2.amazonaws.com"}), opts=ao)
    # An identity policy names no principal: unknown at preview, still grants nobody new.
    aws.iam.RolePolicy("identity", role=role.id, policy=role.arn.apply(lambda a: json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": a}]})), opts=ao)
    # Same-stack principals (issue 13.10): unknown at preview only because they name a role or user of this stack.
    user = aws.iam.User("deployer", opts=ao)
    aws.iam.Role("trusts-own-role", assume_role_policy=role.arn.apply(lambda a: _doc({"AWS": a})), opts=ao)
    data = aws.s3.BucketV2("data", opts=ao)
    aws.s3.BucketPolicy("grants-own-role-and-user", bucket=data.id, policy=pulumi.Output.json_dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": [role.arn, user.arn]}, "Action": "s3:GetObject",
         "Resource": pulumi.Output.concat(data.arn, "/*")}]}), opts=ao)
    aws.kms.Grant("grant-own-role", key_id="k", operations=["Decrypt"], grantee_principal=role.arn, opts=ao)
    oai = aws.cloudfront.OriginAccessIdentity("oai", opts=ao)
    aws.s3.BucketPolicy("grants-own-cloudfront-identity", bucket=data.id, policy=pulumi.Output.json_dumps({
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": oai.iam_arn}, "Action": "s3:GetObject",
                       "Resource": pulumi.Output.concat(data.arn, "/*")}]}), opts=ao)
    # A Glacier vault lock is a resource policy: a Deny for everyone grants nothing.
    aws.glacier.VaultLock("vault-lock", vault_name="v", complete_lock=False, policy=json.dumps({"Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "glacier:DeleteArchive", "Resource": "*",
         "Condition": {"NumericLessThanEquals": {"glacier:ArchiveAgeinDays": "365"}}}]}), opts=ao)


def violating():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.identity.Policy("parent-admit", compartment_id=TENANCY, description="x", statements=[
        f"define tenancy Parent as {PARENT_TENANCY}",
        "admit group Ops of tenancy Parent to manage all-resources in tenancy"], opts=o)
    oci.identity.Policy("endorse-any", compartment_id=TENANCY, description="x", statements=[
        "Endorse group Ops to manage object-family in any-tenancy"], opts=o)
    aws.iam.Role("parent-trust", assume_role_policy=_doc({"AWS": "arn:aws:iam::999999999999:role/admin"}), opts=ao)
    aws.iam.Role("unlisted-trust", assume_role_policy=_doc({"AWS": OTHER_ACCOUNT}), opts=ao)
    aws.s3.BucketPolicy("star", bucket="b", policy=_doc("*"), opts=ao)
    aws.kms.Key("key-parent-org", policy=_doc("*", {"StringEquals": {"aws:PrincipalOrgID": "o-parentexample1"}}),
                opts=ao)
    aws.sqs.QueuePolicy("queue-star", queue_url="https://sqs/q", policy=_doc({"AWS": "*"}), opts=ao)
    aws.sns.TopicPolicy("topic-parent", arn="arn:aws:sns:us-east-2:123456789012:t",
                        policy=_doc({"AWS": ["999999999999"]}), opts=ao)
    aws.ecr.RepositoryPolicy("ecr-star", repository="r", policy=_doc("*"), opts=ao)
    aws.lambda_.Permission("lambda-parent", action="lambda:InvokeFunction", function="fn", principal="999999999999",
                           opts=ao)
    aws.kms.Grant("grant-unlisted", key_id="k", operations=["Decrypt"],
                  grantee_principal=f"arn:aws:iam::{OTHER_ACCOUNT}:role/x", opts=ao)
    aws.ram.PrincipalAssociation("ram-parent", principal="999999999999",
                                 resource_share_arn="arn:aws:ram:us-east-2:123456789012:resource-share/x", opts=ao)
    aws.ec2.AmiLaunchPermission("ami-public", image_id="ami-1", group="all", opts=ao)
    aws.ec2.SnapshotCreateVolumePermission("snap-parent", snapshot_id="snap-1", account_id="999999999999", opts=ao)
    # aws:ResourceAccount names the bucket's own account, not the caller: still open to every account.
    aws.s3.BucketPolicy("star-resource-account", bucket="b", policy=_doc(
        "*", {"StringEquals": {"aws:ResourceAccount": "111111111111"}}), opts=ao)
    aws.glacier.VaultLock("vault-lock-grants-parent", vault_name="v", complete_lock=True,
                          policy=_doc({"AWS": "arn:aws:iam::999999999999:root"}), opts=ao)
    # Unparseable documents grant what nobody can read: fail closed.
    aws.s3.BucketPolicy("not-json", bucket="b", policy="Allow everyone to read", opts=ao)
    aws.sqs.QueuePolicy("statement-not-an-object", queue_url="https://sqs/q",
                        policy=json.dumps({"Statement": "Allow *"}), opts=ao)


def unknown_at_preview():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    group = oci.identity.Group("g", compartment_id=TENANCY, description="x", opts=o)
    oci.identity.Policy("statement-unknown", compartment_id=TENANCY, description="x",
                        statements=[group.name.apply(lambda n: f"Admit group {n} of tenancy X to read buckets in tenancy")],
                        opts=o)
    # Unknown principals that do not come from an IAM principal of this stack.
    bucket = aws.s3.BucketV2("b", opts=ao)
    aws.iam.Role("trust-unknown-principal", assume_role_policy=bucket.id.apply(lambda _: _doc({"AWS": "999999999999"})),
                 opts=ao)
    aws.s3.BucketPolicy("policy-object-unknown-principal", bucket="b",
                        policy=pulumi.Output.json_dumps({"Statement": [{"Effect": "Allow",
                                                                        "Principal": {"AWS": bucket.bucket},
                                                                        "Action": "s3:GetObject", "Resource": "*"}]}),
                        opts=ao)
    # A role created through another provider (another account) is not the stack's own account.
    elsewhere = aws.Provider("aws-elsewhere", region="us-east-2", skip_credentials_validation=True,
                             allowed_account_ids=[OTHER_ACCOUNT])
    foreign = aws.iam.Role("foreign-role", assume_role_policy=_doc({"Service": "ec2.amazonaws.com"}),
                           opts=pulumi.ResourceOptions(provider=elsewhere))
    aws.kms.Grant("grant-role-of-other-account", key_id="k", operations=["Decrypt"], grantee_principal=foreign.arn,
                  opts=ao)
    # The SDK drops the dependencies of an invoke whose inputs are unknown (pulumi 3.272 ``_invoke``), so a
    # getPolicyDocument built from an unknown ARN cannot be traced to its role: it stays unverifiable.
    built = aws.iam.get_policy_document_output(statements=[aws.iam.GetPolicyDocumentStatementArgs(
        actions=["sts:AssumeRole"], principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type="AWS", identifiers=[foreign.arn])])])
    aws.iam.Role("trust-from-unknown-policy-document", assume_role_policy=built.json, opts=ao)


def _key_policy(account):
    """The standard KMS key policy: the key's own account (its root) administers the key."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "kms:*", "Resource": "*"}]})


def estate_grants():
    """Grants to the estate's own account and tenancies (issue 13): ordinary designs that must pass."""
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    aws.kms.Key("key-estate-root", policy=_key_policy(ESTATE_ACCOUNT), opts=ao)
    # The same policy built from get_caller_identity on a provider pinned to the estate account (the provider
    # refuses to run with any other account's credentials, so the identity is the estate account).
    pinned = aws.Provider("aws-estate", region="us-east-2", skip_credentials_validation=True,
                          allowed_account_ids=[ESTATE_ACCOUNT])
    po = pulumi.ResourceOptions(provider=pinned)
    identity = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=pinned))
    aws.kms.Key("key-caller-identity", policy=_key_policy(identity.account_id), opts=po)
    aws.kms.Key("key-caller-identity-output", policy=aws.get_caller_identity_output(
        opts=pulumi.InvokeOptions(provider=pinned)).account_id.apply(_key_policy), opts=po)
    aws.s3.BucketPolicy("bucket-estate-role", bucket="b", policy=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ESTATE_ACCOUNT}:role/reader"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}), opts=ao)
    aws.lambda_.Permission("lambda-estate", action="lambda:InvokeFunction", function="fn", principal=ESTATE_ACCOUNT,
                           opts=ao)
    aws.iam.Role("github-oidc-estate", assume_role_policy=json.dumps({"Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::{ESTATE_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/repo:*"}}}]}), opts=ao)
    aws.s3.BucketPolicy("star-estate-account", bucket="b", policy=_doc(
        "*", {"StringEquals": {"aws:PrincipalAccount": ESTATE_ACCOUNT}}), opts=ao)
    aws.kms.Grant("grant-estate-role", key_id="k", operations=["Decrypt"],
                  grantee_principal=f"arn:aws:iam::{ESTATE_ACCOUNT}:role/app", opts=ao)
    oci.identity.Policy("admit-estate-tenancy", compartment_id=TENANCY, description="x", statements=[
        f"Define tenancy Dev as {ESTATE_TENANCY}",
        "Admit group Deployers of tenancy Dev to read all-resources in tenancy",
        "Endorse group Ops to read buckets in tenancy Dev"], opts=o)


def estate_lookalikes():
    """Violating neighbours of ``estate_grants``: an account that is neither estate nor trusted, a parent
    account in a ``Principal: "*"`` condition, a tenancy that is neither estate nor trusted."""
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    aws.kms.Key("key-other-root", policy=_key_policy(OTHER_ACCOUNT), opts=ao)
    aws.kms.Key("key-parent-root", policy=_key_policy("999999999999"), opts=ao)
    aws.s3.BucketPolicy("star-other-account", bucket="b", policy=_doc(
        "*", {"StringEquals": {"aws:PrincipalAccount": [ESTATE_ACCOUNT, OTHER_ACCOUNT]}}), opts=ao)
    aws.iam.Role("github-oidc-other", assume_role_policy=_doc(
        {"Federated": f"arn:aws:iam::{OTHER_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"}), opts=ao)
    oci.identity.Policy("admit-other-tenancy", compartment_id=TENANCY, description="x", statements=[
        "Define tenancy Other as ocid1.tenancy.oc1..aaaaaaaasomeoneelse0000000000000000000000000000000000000000",
        "Admit group Deployers of tenancy Other to read all-resources in tenancy"], opts=o)


def caller_identity_unpinned():
    """get_caller_identity on a provider that pins no account: whose account it is cannot be known offline."""
    unpinned = aws.Provider("aws-unpinned", region="us-east-2", skip_credentials_validation=True)
    identity = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=unpinned))
    aws.kms.Key("key-unpinned-identity", policy=_key_policy(identity.account_id),
                opts=pulumi.ResourceOptions(provider=unpinned))


def test_grants_to_the_estates_own_accounts_and_tenancies_are_compliant(pack):
    assert flagged(estate_grants, pack, POLICY) == set()


def test_grants_to_accounts_and_tenancies_outside_the_estate_are_flagged(pack):
    urns, messages = flagged(estate_lookalikes, pack, POLICY, with_messages=True)
    assert urns == {urn_of(t, n) for t, n in [
        ("aws:kms/key:Key", "key-other-root"),
        ("aws:kms/key:Key", "key-parent-root"),
        ("aws:s3/bucketPolicy:BucketPolicy", "star-other-account"),
        ("aws:iam/role:Role", "github-oidc-other"),
        ("oci:Identity/policy:Policy", "admit-other-tenancy"),
    ]}
    text = "\n".join(messages)
    assert "neither an estate account nor a trusted account" in text and "parent company" in text
    assert "neither an estate nor a trusted tenancy" in text


def test_caller_identity_of_an_unpinned_provider_cannot_be_verified(pack):
    urns, messages = flagged(caller_identity_unpinned, pack, POLICY, with_messages=True)
    assert urns == {urn_of("aws:kms/key:Key", "key-unpinned-identity")}
    assert all("cannot be verified at preview" in m for m in messages)


def test_compliant_program_is_not_flagged(pack):
    assert flagged(compliant, pack, POLICY) == set()


def test_every_violating_grant_is_flagged(pack):
    assert flagged(violating, pack, POLICY) == {urn_of(t, n) for t, n in [
        ("oci:Identity/policy:Policy", "parent-admit"),
        ("oci:Identity/policy:Policy", "endorse-any"),
        ("aws:iam/role:Role", "parent-trust"),
        ("aws:iam/role:Role", "unlisted-trust"),
        ("aws:s3/bucketPolicy:BucketPolicy", "star"),
        ("aws:kms/key:Key", "key-parent-org"),
        ("aws:sqs/queuePolicy:QueuePolicy", "queue-star"),
        ("aws:sns/topicPolicy:TopicPolicy", "topic-parent"),
        ("aws:ecr/repositoryPolicy:RepositoryPolicy", "ecr-star"),
        ("aws:lambda/permission:Permission", "lambda-parent"),
        ("aws:kms/grant:Grant", "grant-unlisted"),
        ("aws:ram/principalAssociation:PrincipalAssociation", "ram-parent"),
        ("aws:ec2/amiLaunchPermission:AmiLaunchPermission", "ami-public"),
        ("aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission", "snap-parent"),
        ("aws:s3/bucketPolicy:BucketPolicy", "star-resource-account"),
        ("aws:glacier/vaultLock:VaultLock", "vault-lock-grants-parent"),
        ("aws:s3/bucketPolicy:BucketPolicy", "not-json"),
        ("aws:sqs/queuePolicy:QueuePolicy", "statement-not-an-object"),
    ]}


def test_an_oci_policy_granting_a_parent_tenancy_is_one_violation_naming_each_statement(pack):
    """The Define and the Admit that uses it are one grant, removed together: reported once (issue 13, item 9)."""
    result = preview_function(violating, pack=pack, project=PROJECT, stack=STACK, config=CONFIG)
    parent_admit = [v for v in result.violations_of(POLICY) if v.urn == urn_of("oci:Identity/policy:Policy", "parent-admit")]
    assert len(parent_admit) == 1
    assert "statements[0]: defines parent-company tenancy" in parent_admit[0].message
    assert "statements[1]: admits parent-company tenancy" in parent_admit[0].message


def test_malformed_documents_say_they_cannot_be_verified(pack):
    urns, messages = flagged(violating, pack, POLICY, with_messages=True)
    malformed = [m for m in messages if "not valid JSON" in m or "not an object" in m]
    assert len(malformed) == 2 and all("cannot be verified" in m and "fail closed" in m for m in malformed)


def test_unknown_principals_fail_closed(pack):
    urns, messages = flagged(unknown_at_preview, pack, POLICY, with_messages=True)
    assert urns == {urn_of("oci:Identity/policy:Policy", "statement-unknown"),
                    urn_of("aws:iam/role:Role", "trust-unknown-principal"),
                    urn_of("aws:s3/bucketPolicy:BucketPolicy", "policy-object-unknown-principal"),
                    urn_of("aws:kms/grant:Grant", "grant-role-of-other-account"),
                    urn_of("aws:iam/role:Role", "trust-from-unknown-policy-document")}
    assert all("cannot be verified at preview" in m for m in messages)


def test_unknown_at_preview_program_flags_and_passes_exact_sets(pack):
    """Checkov-style: the resources no-cross-tenancy-grants judged and passed, beside those it flagged."""
    assert judged(unknown_at_preview, pack, POLICY) == Judged(
        flagged={
            urn_of("aws:iam/role:Role", "trust-from-unknown-policy-document"),
            urn_of("aws:iam/role:Role", "trust-unknown-principal"),
            urn_of("aws:kms/grant:Grant", "grant-role-of-other-account"),
            urn_of("aws:s3/bucketPolicy:BucketPolicy", "policy-object-unknown-principal"),
            urn_of("oci:Identity/policy:Policy", "statement-unknown"),
        },
        passed={
            urn_of("aws:iam/role:Role", "foreign-role"),
            urn_of("aws:s3/bucketV2:BucketV2", "b"),
        },
    )
