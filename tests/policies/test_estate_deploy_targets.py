"""estate-deploy-targets (issue 13 item 1): providers and resources target only the estate's accounts and tenancies.

The rules file names the estate (``estate.awsAccountIds: ["222222222222"]``, two estate tenancies) and
the parent (account ``999999999999``, tenancy ``...parentexample...``). Providers are explicit
``aws.Provider`` / ``oci.Provider`` resources and the default providers built from stack config (raw
strings, JSON for lists and objects), as the engine analyzes them.
"""

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from tests.policies.conftest import CONFIG, flagged, judged, messages, provider_urn, start_pack, urn
from generator_checks import SDK_SCHEMA_GROUP, check_generated

POLICY = "estate-deploy-targets"
ESTATE_ACCOUNT = "222222222222"
OTHER_ACCOUNT = "333333333333"
PARENT_ACCOUNT = "999999999999"
ESTATE_TENANCY = "ocid1.tenancy.oc1..aaaaaaaausdataexample0000000000000000000000000000000000000"
PARENT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"
OTHER_TENANCY = "ocid1.tenancy.oc1..aaaaaaaasomeoneelse0000000000000000000000000000000000000000"
PINNED = {**CONFIG, "aws:allowedAccountIds": f'["{ESTATE_ACCOUNT}"]', "oci:tenancyOcid": ESTATE_TENANCY}
DEFAULT_AWS = provider_urn("aws", "default_7_51_1")
DEFAULT_OCI = provider_urn("oci", "default_5_5_0")


def _use(provider, name):
    """A resource on ``provider`` (explicit providers are registered only when something uses them... or not)."""
    if isinstance(provider, aws.Provider):
        return aws.sqs.Queue(name, opts=pulumi.ResourceOptions(provider=provider))
    return oci.ons.NotificationTopic(name, compartment_id="ocid1.compartment.oc1..aaaa", name=name,
                                     opts=pulumi.ResourceOptions(provider=provider))


def test_compliant_pinned_providers_default_and_explicit(preview):
    def program():
        pinned = aws.Provider("pinned", region="us-east-2", allowed_account_ids=[ESTATE_ACCOUNT],
                              assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=f"arn:aws:iam::{ESTATE_ACCOUNT}:role/deploy")])
        web = aws.Provider("web-identity", region="us-west-2", allowed_account_ids=[ESTATE_ACCOUNT],
                           assume_role_with_web_identity={"role_arn": f"arn:aws:iam::{ESTATE_ACCOUNT}:role/ci",
                                                          "web_identity_token_file": "/var/run/token"})
        home = oci.Provider("home", region="us-ashburn-1", tenancy_ocid=ESTATE_TENANCY)
        for p, n in ((pinned, "q1"), (web, "q2"), (home, "t1")):
            _use(p, n)
        aws.sqs.Queue("on-default")  # default AWS provider: aws:allowedAccountIds in stack config
        oci.identity.Compartment("estate-root-child", compartment_id=ESTATE_TENANCY, description="d")  # estate root
        aws.s3.AccessPoint("ap", bucket="data", account_id=ESTATE_ACCOUNT)

    result = preview(program, config=PINNED)
    assert flagged(result, POLICY) == set()


def test_parent_targets_and_unpinned_providers_are_flagged(preview):
    def program():
        _use(aws.Provider("parent-role", region="us-east-2", allowed_account_ids=[ESTATE_ACCOUNT],
                          assume_roles=[{"role_arn": f"arn:aws:iam::{PARENT_ACCOUNT}:role/OrganizationAccountAccessRole"}]), "a")
        _use(aws.Provider("parent-web", region="us-east-2", allowed_account_ids=[ESTATE_ACCOUNT],
                          assume_role_with_web_identity=aws.ProviderAssumeRoleWithWebIdentityArgs(
                              role_arn=f"arn:aws:iam::{PARENT_ACCOUNT}:role/ci", web_identity_token_file="/t")), "b")
        _use(aws.Provider("parent-allowed", region="us-east-2", allowed_account_ids=[ESTATE_ACCOUNT, PARENT_ACCOUNT]), "c")
        _use(aws.Provider("unpinned", region="us-east-2"), "d")
        _use(aws.Provider("other-account", region="us-east-2", allowed_account_ids=[OTHER_ACCOUNT]), "e")
        _use(oci.Provider("parent-tenancy", region="us-ashburn-1", tenancy_ocid=PARENT_TENANCY), "f")
        _use(oci.Provider("no-tenancy", region="us-ashburn-1", config_file_profile="DEFAULT"), "g")
        _use(oci.Provider("instance-principal", region="us-ashburn-1", auth="InstancePrincipal", tenancy_ocid=ESTATE_TENANCY), "h")
        oci.identity.Compartment("in-parent-root", compartment_id=PARENT_TENANCY, description="d")
        oci.objectstorage.Bucket("in-other-root", compartment_id=OTHER_TENANCY, namespace="ns", name="b")
        aws.s3.AccessPoint("parent-ap", bucket="data", account_id=PARENT_ACCOUNT)

    result = preview(program, config=PINNED)
    assert flagged(result, POLICY) == {
        provider_urn("aws", n) for n in ("parent-role", "parent-web", "parent-allowed", "unpinned", "other-account")
    } | {provider_urn("oci", n) for n in ("parent-tenancy", "no-tenancy", "instance-principal")} | {
        urn("oci:Identity/compartment:Compartment", "in-parent-root"),
        urn("oci:ObjectStorage/bucket:Bucket", "in-other-root"),
        urn("aws:s3/accessPoint:AccessPoint", "parent-ap"),
    }
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {
        urn("aws:sqs/queue:Queue", "a"),
        urn("aws:sqs/queue:Queue", "b"),
        urn("aws:sqs/queue:Queue", "c"),
        urn("aws:sqs/queue:Queue", "d"),
        urn("aws:sqs/queue:Queue", "e"),
        urn("oci:Ons/notificationTopic:NotificationTopic", "f"),
        urn("oci:Ons/notificationTopic:NotificationTopic", "g"),
        urn("oci:Ons/notificationTopic:NotificationTopic", "h"),
        urn("pulumi:providers:aws", "default_7_51_1"),
        urn("pulumi:providers:oci", "default_5_5_0"),
    }
    text = "\n".join(messages(result, POLICY))
    assert "assumeRoles[0].roleArn" in text and "assumeRoleWithWebIdentity.roleArn" in text
    assert "parent's root compartment" in text


def test_default_providers_from_stack_config_are_judged(preview):
    def program():
        aws.sqs.Queue("q")
        oci.ons.NotificationTopic("t", compartment_id="ocid1.compartment.oc1..aaaa", name="t")

    # Parent role assumed through stack config, and no OCI tenancy pinned.
    config = {**CONFIG, "aws:allowedAccountIds": f'["{ESTATE_ACCOUNT}"]',
              "aws:assumeRoles": f'[{{"roleArn": "arn:aws:iam::{PARENT_ACCOUNT}:role/admin"}}]'}
    result = preview(program, config=config)
    assert flagged(result, POLICY) == {DEFAULT_AWS, DEFAULT_OCI}
    text = "\n".join(messages(result, POLICY))
    assert "pulumi config set oci:tenancyOcid" in text or "oci:tenancyOcid" in text
    # Nothing pinned at all: both default providers say which config key to set.
    result = preview(program, config=CONFIG)
    assert flagged(result, POLICY) == {DEFAULT_AWS, DEFAULT_OCI}
    assert "aws:allowedAccountIds[0]" in "\n".join(messages(result, POLICY))


def test_unknown_targets_fail_closed(preview):
    def program():
        role = aws.iam.Role("deployer", assume_role_policy="{}")
        _use(aws.Provider("role-from-stack", region="us-east-2", allowed_account_ids=[ESTATE_ACCOUNT],
                          assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=role.arn)]), "a")
        _use(aws.Provider("accounts-from-stack", region="us-east-2",
                          allowed_account_ids=[role.unique_id]), "b")
        tenancy = oci.identity.Compartment("seed", compartment_id=ESTATE_TENANCY, description="d")
        _use(oci.Provider("tenancy-from-stack", region="us-ashburn-1", tenancy_ocid=tenancy.id), "c")

    result = preview(program, config=PINNED)
    expected = {provider_urn("aws", "role-from-stack"), provider_urn("aws", "accounts-from-stack"),
                provider_urn("oci", "tenancy-from-stack")}
    assert flagged(result, POLICY, level="mandatory") == expected
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))


def test_estate_not_named_parent_still_refused_and_forbidden_accounts_accepted():
    unnamed = {key: value for key, value in CONFIG.items() if key != "residency:estate"}
    pack = start_pack(config=unnamed)
    try:
        from residency_kit.engine.api import preview_function

        def program():
            _use(aws.Provider("forbids-parent", region="us-east-2", forbidden_account_ids=[PARENT_ACCOUNT]), "a")
            _use(aws.Provider("pinned-anywhere", region="us-east-2", allowed_account_ids=[OTHER_ACCOUNT]), "b")
            _use(aws.Provider("unpinned", region="us-east-2"), "c")
            _use(aws.Provider("parent-role", region="us-east-2", forbidden_account_ids=[PARENT_ACCOUNT],
                              assume_roles=[{"role_arn": f"arn:aws:iam::{PARENT_ACCOUNT}:role/x"}]), "d")
            _use(oci.Provider("no-tenancy", region="us-ashburn-1"), "e")  # only parent tenancies are refused
            _use(oci.Provider("parent-tenancy", region="us-ashburn-1", tenancy_ocid=PARENT_TENANCY), "f")

        result = preview_function(program, pack=pack, project="test", stack="test", config=PINNED)
        assert flagged(result, POLICY) == {provider_urn("aws", "unpinned"), provider_urn("aws", "parent-role"),
                                           provider_urn("oci", "parent-tenancy")}
    finally:
        pack.close()


def test_unknown_compartments_pass_when_created_in_the_stack_and_fail_closed_from_lookups(preview):
    """Issue 13: a compartmentId unknown at preview is the estate's when it is the id of a compartment created in
    the stack (whose own compartmentId is judged); one from a lookup cannot be verified."""
    def program():
        team = oci.identity.Compartment("team", compartment_id=ESTATE_TENANCY, description="d")
        child = oci.identity.Compartment("child", compartment_id=team.id, description="d")
        oci.objectstorage.Bucket("in-team", compartment_id=team.id, namespace="ns", name="a")
        oci.ons.NotificationTopic("in-child", compartment_id=child.id, name="t")
        vcn = oci.core.Vcn("vcn", compartment_id=child.id, cidr_blocks=["10.0.0.0/16"])
        oci.core.Subnet("beside-vcn", compartment_id=vcn.compartment_id, vcn_id=vcn.id, cidr_block="10.0.1.0/24")
        looked_up = oci.identity.get_compartments_output(compartment_id=ESTATE_TENANCY, name="data")
        oci.objectstorage.Bucket("from-lookup", compartment_id=looked_up.compartments[0].id, namespace="ns", name="b")
        oci.identity.Compartment("child-of-lookup", compartment_id=looked_up.compartments[0].id, description="d")
        # A compartment created in the stack under the parent's root: flagged once, on that compartment (its
        # children are placed by it, and its fix is theirs).
        bad = oci.identity.Compartment("under-parent", compartment_id=PARENT_TENANCY, description="d")
        oci.objectstorage.Bucket("in-under-parent", compartment_id=bad.id, namespace="ns", name="c")

    result = preview(program, config=PINNED)
    assert flagged(result, POLICY, level="mandatory") == {
        urn("oci:ObjectStorage/bucket:Bucket", "from-lookup"),
        urn("oci:Identity/compartment:Compartment", "child-of-lookup"),
        urn("oci:Identity/compartment:Compartment", "under-parent"),
    }
    unknown = [v.message for v in result.violations_of(POLICY) if "from-lookup" in v.urn or "child-of-lookup" in v.urn]
    assert len(unknown) == 2
    assert all("cannot be verified at preview: compartmentId is unknown" in m and "create the compartment in this "
               "stack" in m for m in unknown), unknown


def _nested_account_targets(accounts):
    """Stack sets and products that deploy into the accounts they list (nested account inputs, issue 13)."""
    cfn = aws.cloudformation
    cfn.StackSetInstance("stack-set-instance", stack_set_name="baseline",
                         deployment_targets=cfn.StackSetInstanceDeploymentTargetsArgs(accounts=accounts))
    cfn.StackInstances("stack-instances", stack_set_name="baseline", accounts=accounts, regions=["us-east-2"])
    cfn.StackInstances("stack-instances-targets", stack_set_name="baseline", regions=["us-east-2"],
                       deployment_targets=cfn.StackInstancesDeploymentTargetsArgs(accounts=accounts))
    aws.servicecatalog.ProvisionedProduct(
        "product", product_id="prod-1", provisioning_artifact_id="pa-1",
        stack_set_provisioning_preferences=aws.servicecatalog.ProvisionedProductStackSetProvisioningPreferencesArgs(
            accounts=accounts, regions=["us-east-2"]))


NESTED = {urn("aws:cloudformation/stackSetInstance:StackSetInstance", "stack-set-instance"),
          urn("aws:cloudformation/stackInstances:StackInstances", "stack-instances"),
          urn("aws:cloudformation/stackInstances:StackInstances", "stack-instances-targets"),
          urn("aws:servicecatalog/provisionedProduct:ProvisionedProduct", "product")}


def test_nested_account_targets_in_the_estate_pass(preview):
    assert flagged(preview(lambda: _nested_account_targets([ESTATE_ACCOUNT]), config=PINNED), POLICY) == set()


def test_nested_account_targets_outside_the_estate_are_flagged(preview):
    result = preview(lambda: _nested_account_targets([ESTATE_ACCOUNT, PARENT_ACCOUNT]), config=PINNED)
    assert flagged(result, POLICY) == NESTED
    assert all("[1] '999999999999' is the parent company's account" in m for m in messages(result, POLICY))
    result = preview(lambda: _nested_account_targets([OTHER_ACCOUNT]), config=PINNED)
    assert flagged(result, POLICY) == NESTED
    assert all("'333333333333' is not an estate account" in m for m in messages(result, POLICY))


def test_unknown_nested_account_targets_fail_closed(preview):
    def program():
        member = aws.organizations.Account("member", email="ops@example.com", name="member")
        _nested_account_targets([member.id])

    result = preview(program, config=PINNED)
    assert flagged(result, POLICY, level="mandatory") == NESTED
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))


@SDK_SCHEMA_GROUP
def test_account_targets_list_is_generated_from_the_sdk():
    code, stderr = check_generated("generate_account_targets")
    assert code == 0, stderr


def test_account_targets_are_neither_grants_nor_data_destinations():
    """An input is judged by one policy: placement here, data destinations by no-untrusted-data-destinations."""
    from residency_policies.rules.estate_deploy_targets import ACCOUNT_TARGETS, DATA_FILE

    destinations = {tuple(line.split("\t")[:2]) for line in (DATA_FILE.parent / "data_destinations.txt")
                    .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")}
    targets = {(token, path) for token, paths in ACCOUNT_TARGETS.items() for path in paths}
    assert targets and not targets & destinations
    assert ("aws:cloudformation/stackSetInstance:StackSetInstance", "deploymentTargets.accounts[]") in targets
