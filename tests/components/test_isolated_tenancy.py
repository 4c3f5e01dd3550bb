"""IsolatedTenancy on the mock runtime: children, parentage, provider, tags, protection, IAM, quotas, refusals."""

from __future__ import annotations

import dataclasses
import json
import runpy

import pulumi
import pulumi_oci as oci
import pytest

from residency_kit.components.oci.iam_statements import TrustedGroup
from residency_kit.components.oci.isolated_tenancy import (
    AUDIT_RETENTION_DAYS,
    ChildTenancyRequest,
    IsolatedTenancy,
    IsolatedTenancyArgs,
)
from residency_kit.components.oci.quota_statements import DATA_BEARING_QUOTA_FAMILIES, region_condition, region_lock_statements
from residency_kit.settings.tenancy import CompartmentNames
from residency_kit.engine.capture import EchoMocks, capture
from residency_policies.oci_iam_statements import defined_tenancies, is_cross_tenancy
from residency_policies.oci_quota_statements import Combination, Comparison, parse_quota_statement
import illustrative_rules
from residency_policies.rules_file import build_rules
from residency_kit.engine.preview_mocks import PreviewMocks

TENANCY = "ocid1.tenancy.oc1..aaaaaaaausdatatest"
PARENT = "ocid1.tenancy.oc1..aaaaaaaaparenttest"
OVERSIGHT = "ocid1.tenancy.oc1..aaaaaaaaoversighttest"
OTHER_TRUSTED = "ocid1.tenancy.oc1..aaaaaaaaothertrustedtest"
AUDITORS = "ocid1.group.oc1..aaaaaaaaoversightauditors"
OTHER_AUDITORS = "ocid1.group.oc1..aaaaaaaaotherauditors"
TAGS = {"jurisdiction": "US", "data-owner": "us-data-team"}
ALLOWED = ("us-ashburn-1", "us-phoenix-1")
# Regions a quota must zero or leave alone; includes non-US commercial regions and a US region not allowed.
PROBE_REGIONS = ("us-ashburn-1", "us-phoenix-1", "us-sanjose-1", "us-chicago-1", "eu-frankfurt-1",
                 "uk-london-1", "ap-tokyo-1", "ca-toronto-1", "sa-saopaulo-1")

COMPONENT = "residency:oci:IsolatedTenancy"
COMPARTMENT = "oci:Identity/compartment:Compartment"
POLICY = "oci:Identity/policy:Policy"
ORACLE_INVOKES = {
    "oci:CloudGuard/getDetectorRecipes:getDetectorRecipes": lambda args: {"detectorRecipeCollections": [{"items": [
        {"id": "ocid1.cloudguarddetectorrecipe.oc1..config", "owner": "ORACLE", "detector": "IAAS_CONFIGURATION_DETECTOR"},
        {"id": "ocid1.cloudguarddetectorrecipe.oc1..activity", "owner": "ORACLE", "detector": "IAAS_ACTIVITY_DETECTOR"},
        {"id": "ocid1.cloudguarddetectorrecipe.oc1..mine", "owner": "CUSTOMER", "detector": "IAAS_CONFIGURATION_DETECTOR"},
    ]}]},
    "oci:CloudGuard/getSecurityPolicies:getSecurityPolicies": lambda args: {"securityPolicyCollections": [{"items": [
        {"id": "ocid1.securityzonessecuritypolicy.oc1..denypublicbuckets", "owner": "ORACLE"},
        {"id": "ocid1.securityzonessecuritypolicy.oc1..custom", "owner": "CUSTOMER"},
    ]}]},
}


class TenancyMocks(EchoMocks):
    """Echo mocks plus the vault's computed management endpoint, which keys are created through."""

    def new_resource(self, args):
        resource_id, outputs = super().new_resource(args)
        if args.typ == "oci:Kms/vault:Vault":
            outputs["managementEndpoint"] = f"https://{args.name}-management.kms.us-ashburn-1.oraclecloud.com"
        return resource_id, outputs


def make_args(provider: oci.Provider, **overrides) -> IsolatedTenancyArgs:
    args = IsolatedTenancyArgs(
        tenancy_ocid=TENANCY,
        home_provider=provider,
        home_region="us-ashburn-1",
        operator_cidrs=["198.51.100.0/24", "2001:db8:1::/48"],
        allowed_regions=ALLOWED,
        parent_company_tenancy_ocids=[PARENT],
        required_tags=TAGS,
    )
    return dataclasses.replace(args, **overrides)


def run(**overrides):
    built: dict[str, IsolatedTenancy] = {}

    def program():
        provider = oci.Provider("oci-home", region="us-ashburn-1")
        built["component"] = IsolatedTenancy("tenancy", make_args(provider, **overrides))

    monitor = capture(program, mocks=TenancyMocks(invokes=ORACLE_INVOKES))
    return monitor, built["component"]


@pytest.fixture(scope="module")
def default_run():
    return run()


@pytest.fixture(scope="module")
def monitor(default_run):
    return default_run[0]


def children(monitor):
    component = monitor.named("tenancy")
    return [r for r in monitor.registrations if r.parent == component.mock_urn]


# --- children -------------------------------------------------------------------------------------

EXPECTED_CHILDREN = {
    ("oci:Identity/compartment:Compartment", "tenancy-root"),
    ("oci:Identity/compartment:Compartment", "tenancy-network"),
    ("oci:Identity/compartment:Compartment", "tenancy-data"),
    ("oci:Identity/compartment:Compartment", "tenancy-backup"),
    ("oci:Identity/compartment:Compartment", "tenancy-security"),
    ("oci:Identity/compartment:Compartment", "tenancy-audit"),
    ("oci:Identity/group:Group", "tenancy-data-stewards"),
    ("oci:Identity/group:Group", "tenancy-network-admins"),
    ("oci:Identity/group:Group", "tenancy-security-auditors"),
    ("oci:Identity/group:Group", "tenancy-break-glass"),
    ("oci:Identity/policy:Policy", "tenancy-data-stewards-policy"),
    ("oci:Identity/policy:Policy", "tenancy-network-admins-policy"),
    ("oci:Identity/policy:Policy", "tenancy-security-auditors-policy"),
    ("oci:Identity/policy:Policy", "tenancy-break-glass-policy"),
    ("oci:Identity/networkSource:NetworkSource", "tenancy-operator-network-source"),
    ("oci:Identity/authenticationPolicy:AuthenticationPolicy", "tenancy-sign-in-policy"),
    ("oci:Limits/quota:Quota", "tenancy-region-lock"),
    ("oci:Identity/tagNamespace:TagNamespace", "tenancy-tag-namespace"),
    ("oci:Identity/tag:Tag", "tenancy-tag-jurisdiction"),
    ("oci:Identity/tag:Tag", "tenancy-tag-data-classification"),
    ("oci:Identity/tagDefault:TagDefault", "tenancy-root-jurisdiction-default"),
    ("oci:Identity/tagDefault:TagDefault", "tenancy-network-classification-default"),
    ("oci:Identity/tagDefault:TagDefault", "tenancy-data-classification-default"),
    ("oci:Identity/tagDefault:TagDefault", "tenancy-backup-classification-default"),
    ("oci:Identity/tagDefault:TagDefault", "tenancy-security-classification-default"),
    ("oci:Identity/tagDefault:TagDefault", "tenancy-audit-classification-default"),
    ("oci:Kms/vault:Vault", "tenancy-vault"),
    ("oci:Kms/key:Key", "tenancy-master-key"),
    ("oci:Audit/configuration:Configuration", "tenancy-audit-retention"),
    ("oci:Logging/logGroup:LogGroup", "tenancy-log-group"),
    ("oci:CloudGuard/cloudGuardConfiguration:CloudGuardConfiguration", "tenancy-cloud-guard"),
    ("oci:CloudGuard/target:Target", "tenancy-cloud-guard-target"),
    ("oci:CloudGuard/securityRecipe:SecurityRecipe", "tenancy-security-recipe"),
    ("oci:CloudGuard/securityZone:SecurityZone", "tenancy-data-security-zone"),
    ("oci:CloudGuard/securityZone:SecurityZone", "tenancy-backup-security-zone"),
}


def test_registers_exactly_the_expected_children(monitor):
    assert monitor.named("tenancy").type == COMPONENT
    assert {(r.type, r.name) for r in children(monitor)} == EXPECTED_CHILDREN
    # Nothing else: only the provider, the component and its children were registered.
    others = [r for r in monitor.registrations if r.parent != monitor.named("tenancy").mock_urn]
    assert sorted(r.name for r in others) == ["oci-home", "tenancy"]


def test_every_child_uses_the_home_provider(monitor):
    provider = monitor.named("oci-home")
    assert provider.inputs["region"] == "us-ashburn-1"
    ref = f"{provider.mock_urn}::{provider.id}"
    assert {r.provider for r in children(monitor)} == {ref}


def test_data_bearing_children_are_protected_and_others_are_not(monitor):
    protected = {r.name for r in children(monitor) if r.protect}
    assert protected == {"tenancy-root", "tenancy-data", "tenancy-backup", "tenancy-vault", "tenancy-master-key",
                         "tenancy-log-group"}


def test_compartments_are_never_deleted_by_a_destroy(monitor):
    compartments = monitor.of_type(COMPARTMENT)
    assert len(compartments) == 6
    assert all(c.inputs["enableDelete"] is False for c in compartments)


def test_every_taggable_child_carries_the_required_tags(monitor):
    untaggable = {"oci:Identity/tagDefault:TagDefault", "oci:Identity/authenticationPolicy:AuthenticationPolicy",
                  "oci:Audit/configuration:Configuration",
                  "oci:CloudGuard/cloudGuardConfiguration:CloudGuardConfiguration"}
    for child in children(monitor):
        if child.type in untaggable:
            assert "freeformTags" not in child.inputs, child.name
            continue
        tags = child.inputs.get("freeformTags")
        assert tags is not None, child.name
        assert {k: tags[k] for k in TAGS} == TAGS, child.name


def test_compartment_tree_hangs_under_the_residency_root(monitor):
    root = monitor.named("tenancy-root")
    assert root.inputs["compartmentId"] == TENANCY
    assert root.inputs["name"] == "us-residency"
    for role in ("network", "data", "backup", "security", "audit"):
        compartment = monitor.named(f"tenancy-{role}")
        assert compartment.inputs["compartmentId"] == root.id
        assert compartment.inputs["name"] == role
        assert compartment.inputs["freeformTags"]["residency-compartment"] == role


def test_compartments_carry_the_pack_data_classification(monitor):
    """The pack's durability rules follow the residency-data tag: only the network compartment holds no US user
    data; the rest (data, backups, their keys, the audit logs, and the root containing them) are US user data."""
    rules, errors = build_rules(None, stack_data=illustrative_rules.RULES)
    assert errors == []
    dc = rules.data_classification
    classes = {c.name: c.inputs["freeformTags"][dc.tag_key] for c in monitor.of_type(COMPARTMENT)}
    assert classes == {"tenancy-root": "us-user-data", "tenancy-network": "internal", "tenancy-data": "us-user-data",
                       "tenancy-backup": "us-user-data", "tenancy-security": "us-user-data", "tenancy-audit": "us-user-data"}
    assert dc.user_data_values == ("us-user-data",) and "internal" in dc.other_values


def test_compartment_names_are_configurable():
    names = CompartmentNames(root="us-estate", network="net", data="records", backup="copies",
                             security="keys", audit="evidence")
    monitor, component = run(compartment_names=names)
    assert {c.name: c.inputs["name"] for c in monitor.of_type(COMPARTMENT)} == {
        "tenancy-root": "us-estate", "tenancy-network": "net", "tenancy-data": "records",
        "tenancy-backup": "copies", "tenancy-security": "keys", "tenancy-audit": "evidence"}
    statements = [s for p in monitor.of_type(POLICY) for s in p.inputs["statements"]]
    assert "Allow group us-estate-data-stewards to manage object-family in compartment us-estate:records" in statements
    assert component.tag_namespace_name == "us-estate"


def test_outputs(default_run):
    monitor, component = default_run
    assert set(component.compartment_ids) == {"root", "network", "data", "backup", "security", "audit"}
    assert component.tag_namespace_name == "us-residency"
    assert isinstance(component.tag_namespace_name, str)
    assert component.group_names == {
        "data-stewards": "us-residency-data-stewards",
        "network-admins": "us-residency-network-admins",
        "security-auditors": "us-residency-security-auditors",
        "break-glass": "us-residency-break-glass",
    }
    assert {g.inputs["name"] for g in monitor.of_type("oci:Identity/group:Group")} == set(component.group_names.values())
    for output in (component.vault_id, component.key_id, component.log_group_id, *component.compartment_ids.values()):
        assert isinstance(output, pulumi.Output)


# --- IAM ------------------------------------------------------------------------------------------

def all_statements(monitor) -> list[str]:
    return [s for policy in monitor.of_type(POLICY) for s in policy.inputs["statements"]]


def test_no_cross_tenancy_statement_without_trusted_tenancies(monitor):
    statements = all_statements(monitor)
    assert statements, "the role policies should have statements"
    assert [s for s in statements if is_cross_tenancy(s)] == []
    assert all(p.name != "tenancy-trusted-tenancies-policy" for p in monitor.of_type(POLICY))


def test_role_policies_are_scoped_to_residency_compartments(monitor):
    for statement in all_statements(monitor):
        assert statement.startswith("Allow group us-residency-"), statement
        assert " in tenancy" not in statement, statement
        assert " in compartment us-residency" in statement, statement
    break_glass = monitor.named("tenancy-break-glass-policy").inputs["statements"]
    assert break_glass == ["Allow group us-residency-break-glass to manage all-resources in compartment us-residency"]
    auditors = monitor.named("tenancy-security-auditors-policy").inputs["statements"]
    assert all(" manage " not in s and " use " not in s for s in auditors)


def test_policies_are_attached_to_the_tenancy_after_their_groups_and_compartments(monitor):
    for policy in monitor.of_type(POLICY):
        assert policy.inputs["compartmentId"] == TENANCY
        dependencies = set(policy.dependencies)
        assert monitor.named("tenancy-data").mock_urn in dependencies
        assert monitor.named("tenancy-data-stewards").mock_urn in dependencies


def test_trusted_tenancy_without_groups_admits_nobody():
    monitor, _ = run(trusted_tenancy_ocids=[OVERSIGHT])
    assert [s for s in all_statements(monitor) if is_cross_tenancy(s)] == []
    assert all(p.name != "tenancy-trusted-tenancies-policy" for p in monitor.of_type(POLICY))


def test_cross_tenancy_statements_only_for_groups_of_trusted_tenancies():
    monitor, _ = run(trusted_tenancy_ocids=[OVERSIGHT, OTHER_TRUSTED],
                     trusted_auditor_groups=[TrustedGroup(OVERSIGHT, AUDITORS), TrustedGroup(OVERSIGHT, AUDITORS),
                                             TrustedGroup(OTHER_TRUSTED, OTHER_AUDITORS)])
    statements = all_statements(monitor)
    cross = [s for s in statements if is_cross_tenancy(s)]
    assert defined_tenancies(cross) == {"TrustedTenancy1": OVERSIGHT, "TrustedTenancy2": OTHER_TRUSTED}
    assert cross == [
        f"Define tenancy TrustedTenancy1 as {OVERSIGHT}",
        f"Define group TrustedAuditors1 as {AUDITORS}",
        "Admit group TrustedAuditors1 of tenancy TrustedTenancy1 to read audit-events in compartment us-residency",
        "Admit group TrustedAuditors1 of tenancy TrustedTenancy1 to read all-resources in compartment "
        "us-residency:audit",
        f"Define tenancy TrustedTenancy2 as {OTHER_TRUSTED}",
        f"Define group TrustedAuditors2 as {OTHER_AUDITORS}",
        "Admit group TrustedAuditors2 of tenancy TrustedTenancy2 to read audit-events in compartment us-residency",
        "Admit group TrustedAuditors2 of tenancy TrustedTenancy2 to read all-resources in compartment "
        "us-residency:audit",
    ]
    assert not any("any-user" in s or "any-group" in s for s in cross)
    assert not any(s.lower().startswith("endorse") for s in statements)
    assert all(PARENT not in s for s in statements)
    trusted_policy = monitor.named("tenancy-trusted-tenancies-policy")
    assert trusted_policy.inputs["statements"] == cross
    assert trusted_policy.inputs["compartmentId"] == TENANCY


# --- sign-in boundary -----------------------------------------------------------------------------

def test_sign_in_is_restricted_to_the_operator_network_source(monitor):
    source = monitor.named("tenancy-operator-network-source")
    assert source.inputs["publicSourceLists"] == ["198.51.100.0/24", "2001:db8:1::/48"]
    assert source.inputs["compartmentId"] == TENANCY
    policy = monitor.named("tenancy-sign-in-policy")
    assert policy.inputs["compartmentId"] == TENANCY
    assert policy.inputs["networkPolicy"] == {"networkSourceIds": [source.id]}
    assert policy.inputs["passwordPolicy"]["minimumPasswordLength"] >= 14


# --- region lock ----------------------------------------------------------------------------------

def test_region_lock_quota_zeroes_every_family_outside_the_allowed_regions(monitor):
    quota = monitor.named("tenancy-region-lock")
    assert quota.inputs["compartmentId"] == TENANCY
    parsed = [parse_quota_statement(s) for s in quota.inputs["statements"]]
    assert [p.family for p in parsed] == list(DATA_BEARING_QUOTA_FAMILIES)
    for statement in parsed:
        assert (statement.action, statement.quota_name, statement.scope) == ("zero", None, "tenancy")
        for region in PROBE_REGIONS:
            assert statement.applies_in(region) == (region not in ALLOWED), (statement, region)


def test_region_lock_defaults_to_the_home_region_only():
    monitor, _ = run(allowed_regions=())
    statements = monitor.named("tenancy-region-lock").inputs["statements"]
    assert statements[0] == "zero compute quotas in tenancy where request.region != 'us-ashburn-1'"
    parsed = parse_quota_statement(statements[0])
    assert [r for r in PROBE_REGIONS if not parsed.applies_in(r)] == ["us-ashburn-1"]


def test_region_condition_grammar():
    assert region_condition(["us-ashburn-1"]) == "request.region != 'us-ashburn-1'"
    assert region_condition(["us-ashburn-1", "us-phoenix-1", "us-ashburn-1"]) == (
        "all {request.region != 'us-ashburn-1', request.region != 'us-phoenix-1'}")
    with pytest.raises(ValueError, match="allowed_regions: \\(\\) is empty"):
        region_condition(())
    with pytest.raises(ValueError, match="not an OCI region identifier"):
        region_condition(["US East"])


def test_quota_parser_accepts_oracle_sample_statements_and_rejects_malformed_ones():
    samples = {
        "Zero email-delivery quotas in compartment MyCompartment": ("zero", "email-delivery", None),
        "set database quota /*exadata*/ to 1 in tenancy": ("set", "database", "/*exadata*/"),
        "unset compute-core quota standard2-core-count in compartment productionApp":
            ("unset", "compute-core", "standard2-core-count"),
        "set compute-core quota standard-e4-core-count to 240 in compartment MyCompartment "
        "where request.region = us-phoenix-1": ("set", "compute-core", "standard-e4-core-count"),
    }
    for text, (action, family, name) in samples.items():
        parsed = parse_quota_statement(text)
        assert (parsed.action, parsed.family, parsed.quota_name) == (action, family, name)
    phoenix_only = parse_quota_statement(
        "set compute-core quota standard-e4-core-count to 240 in tenancy where request.region = us-phoenix-1")
    assert phoenix_only.condition == Comparison("request.region", "=", "us-phoenix-1")
    assert phoenix_only.applies_in("us-phoenix-1") and not phoenix_only.applies_in("us-ashburn-1")
    either = parse_quota_statement(
        "zero vcn quotas in tenancy where any {request.region = 'eu-frankfurt-1', request.region = 'uk-london-1'}")
    assert isinstance(either.condition, Combination) and either.condition.kind == "any"
    assert either.applies_in("uk-london-1") and not either.applies_in("us-ashburn-1")
    for bad in ("zero compute-core in tenancy",                       # no quota/quotas keyword
                "set compute-core quotas to 3 in tenancy",            # set needs one quota name
                "zero compute-core quotas to 3 in tenancy",           # only set takes a value
                "zero compute-core quotas in tenancy where region = us-ashburn-1",
                "zero compute-core quotas everywhere"):
        with pytest.raises(ValueError):
            parse_quota_statement(bad)


def test_region_lock_statements_are_deduplicated_and_validated():
    statements = region_lock_statements(["us-chicago-1"], ["vcn", "vcn", "database"])
    assert statements == ["zero vcn quotas in tenancy where request.region != 'us-chicago-1'",
                          "zero database quotas in tenancy where request.region != 'us-chicago-1'"]
    with pytest.raises(ValueError, match="quota_families: 'Compute Core'"):
        region_lock_statements(["us-chicago-1"], ["Compute Core"])


# --- tags -----------------------------------------------------------------------------------------

def test_tag_namespace_defined_tags_and_defaults(monitor):
    namespace = monitor.named("tenancy-tag-namespace")
    assert namespace.inputs["name"] == "us-residency"
    assert namespace.inputs["compartmentId"] == TENANCY
    jurisdiction = monitor.named("tenancy-tag-jurisdiction")
    classification = monitor.named("tenancy-tag-data-classification")
    assert jurisdiction.inputs["tagNamespaceId"] == namespace.id == classification.inputs["tagNamespaceId"]
    assert jurisdiction.inputs["validator"] == {"validatorType": "ENUM", "values": ["US"]}
    assert classification.inputs["validator"] == {
        "validatorType": "ENUM", "values": ["public", "internal", "confidential", "restricted"]}
    defaults = {d.name: d.inputs for d in monitor.of_type("oci:Identity/tagDefault:TagDefault")}
    assert defaults["tenancy-root-jurisdiction-default"] == {
        "compartmentId": monitor.named("tenancy-root").id, "tagDefinitionId": jurisdiction.id,
        "value": "US", "isRequired": False}
    for role, value in (("data", "restricted"), ("backup", "restricted"), ("network", "internal"),
                        ("security", "internal"), ("audit", "internal")):
        default = defaults[f"tenancy-{role}-classification-default"]
        assert default["compartmentId"] == monitor.named(f"tenancy-{role}").id
        assert default["tagDefinitionId"] == classification.id
        assert default["value"] == value


# --- keys, audit, Cloud Guard ---------------------------------------------------------------------

def test_vault_and_hsm_master_key_in_the_security_compartment(monitor):
    security = monitor.named("tenancy-security").id
    vault = monitor.named("tenancy-vault")
    key = monitor.named("tenancy-master-key")
    assert vault.inputs["vaultType"] == "VIRTUAL_PRIVATE"
    assert vault.inputs["compartmentId"] == security == key.inputs["compartmentId"]
    assert key.inputs["protectionMode"] == "HSM"
    assert key.inputs["keyShape"] == {"algorithm": "AES", "length": 32}
    # The key is created through the vault's management endpoint, so it waits for the vault.
    assert key.inputs["managementEndpoint"] == vault.outputs["managementEndpoint"]
    assert vault.mock_urn in key.property_dependencies["managementEndpoint"]


def test_vault_type_default_is_selectable():
    monitor, _ = run(vault_type="DEFAULT")
    assert monitor.named("tenancy-vault").inputs["vaultType"] == "DEFAULT"


def test_audit_retention_and_log_group(monitor):
    audit = monitor.named("tenancy-audit-retention")
    assert audit.inputs == {"compartmentId": TENANCY, "retentionPeriodDays": AUDIT_RETENTION_DAYS}
    assert AUDIT_RETENTION_DAYS >= 365
    log_group = monitor.named("tenancy-log-group")
    assert log_group.inputs["compartmentId"] == monitor.named("tenancy-audit").id


def test_cloud_guard_target_watches_the_tree_and_zones_guard_the_data_compartments(monitor):
    cloud_guard = monitor.named("tenancy-cloud-guard")
    assert cloud_guard.inputs == {"compartmentId": TENANCY, "reportingRegion": "us-ashburn-1",
                                  "status": "ENABLED", "selfManageResources": False}
    target = monitor.named("tenancy-cloud-guard-target")
    assert target.inputs["targetResourceType"] == "COMPARTMENT"
    assert target.inputs["targetResourceId"] == monitor.named("tenancy-root").id
    assert [r["detectorRecipeId"] for r in target.inputs["targetDetectorRecipes"]] == [
        "ocid1.cloudguarddetectorrecipe.oc1..config", "ocid1.cloudguarddetectorrecipe.oc1..activity"]
    assert cloud_guard.mock_urn in target.dependencies
    recipe = monitor.named("tenancy-security-recipe")
    assert recipe.inputs["securityPolicies"] == ["ocid1.securityzonessecuritypolicy.oc1..denypublicbuckets"]
    zones = {z.name: z for z in monitor.of_type("oci:CloudGuard/securityZone:SecurityZone")}
    assert set(zones) == {"tenancy-data-security-zone", "tenancy-backup-security-zone"}
    for role in ("data", "backup"):
        zone = zones[f"tenancy-{role}-security-zone"]
        assert zone.inputs["compartmentId"] == monitor.named(f"tenancy-{role}").id
        assert zone.inputs["securityZoneRecipeId"] == recipe.id


def test_explicit_recipe_ids_skip_the_lookups():
    policies = ["ocid1.securityzonessecuritypolicy.oc1..chosen"]
    recipes = ["ocid1.cloudguarddetectorrecipe.oc1..chosen"]
    mocks = EchoMocks()

    def program():
        provider = oci.Provider("oci-home", region="us-ashburn-1")
        IsolatedTenancy("tenancy", make_args(provider, security_policy_ids=policies, detector_recipe_ids=recipes))

    monitor = capture(program, mocks=mocks)
    assert mocks.unanswered_invokes == []
    assert monitor.named("tenancy-security-recipe").inputs["securityPolicies"] == policies
    assert monitor.named("tenancy-cloud-guard-target").inputs["targetDetectorRecipes"] == [
        {"detectorRecipeId": recipes[0]}]


# --- child tenancy --------------------------------------------------------------------------------

def test_child_tenancy_is_created_in_a_us_home_region_and_holds_the_tree():
    child = ChildTenancyRequest(tenancy_name="usdata", admin_email="admin@example.com", home_region="us-ashburn-1")
    monitor, _ = run(child_tenancy=child)
    tenancy = monitor.named("tenancy-child-tenancy")
    assert tenancy.type == "oci:Tenantmanagercontrolplane/childTenancy:ChildTenancy"
    assert tenancy.inputs["compartmentId"] == TENANCY
    assert tenancy.inputs["homeRegion"] == "us-ashburn-1"
    assert tenancy.protect is True
    assert monitor.named("tenancy-root").inputs["compartmentId"] == tenancy.id
    assert monitor.named("tenancy-region-lock").inputs["compartmentId"] == tenancy.id


def test_without_child_tenancy_the_existing_tenancy_is_adopted(monitor):
    assert not [r for r in monitor.registrations if r.type.endswith("ChildTenancy")]


# --- refusals -------------------------------------------------------------------------------------

REFUSALS = [
    ({"home_region": "eu-frankfurt-1"}, "home_region: 'eu-frankfurt-1' is not allowed; allowed: a US OCI region"),
    ({"allowed_regions": ("us-ashburn-1", "uk-london-1")},
     "allowed_regions: 'uk-london-1' is not allowed; allowed: US OCI regions only"),
    ({"allowed_regions": ("us-phoenix-1",)},
     "home_region: 'us-ashburn-1' is not allowed; allowed: one of allowed_regions (us-phoenix-1)"),
    ({"trusted_tenancy_ocids": [PARENT]},
     f"trusted_tenancy_ocids: '{PARENT}' is a parent-company tenancy; allowed: tenancies independent"),
    ({"tenancy_ocid": PARENT}, f"tenancy_ocid: '{PARENT}' is a parent-company tenancy"),
    ({"trusted_auditor_groups": [TrustedGroup(PARENT, AUDITORS)]},
     f"trusted_auditor_groups[0].tenancy_ocid: '{PARENT}' is a parent-company tenancy"),
    ({"trusted_auditor_groups": [TrustedGroup(OVERSIGHT, AUDITORS)]},
     f"trusted_auditor_groups[0].tenancy_ocid: '{OVERSIGHT}' is not allowed; allowed: one of trusted_tenancy_ocids"),
    ({"trusted_tenancy_ocids": [OVERSIGHT], "trusted_auditor_groups": [TrustedGroup(OVERSIGHT, OVERSIGHT)]},
     f"trusted_auditor_groups[0].group_ocid: '{OVERSIGHT}' is not allowed; allowed: a group OCID"),
    ({"tenancy_ocid": "ocid1.compartment.oc1..aaaa"}, "tenancy_ocid: 'ocid1.compartment.oc1..aaaa' is not allowed"),
    ({"operator_cidrs": []}, "operator_cidrs: [] is empty; allowed: at least one US operator CIDR"),
    ({"operator_cidrs": ["198.51.100.1/24"]}, "operator_cidrs: '198.51.100.1/24' is not allowed"),
    ({"vault_type": "EXTERNAL"}, "vault_type: 'EXTERNAL' is not allowed; allowed: DEFAULT or VIRTUAL_PRIVATE"),
    ({"child_tenancy": ChildTenancyRequest("usdata", "a@example.com", "ap-tokyo-1")},
     "child_tenancy.home_region: 'ap-tokyo-1' is not allowed; allowed: a US OCI region"),
    ({"compartment_names": CompartmentNames(data="same", backup="same")},
     "compartment_names: {"),
    ({"quota_families": ()}, "quota_families: [] is not allowed"),
]


@pytest.mark.parametrize(("overrides", "message"), REFUSALS, ids=[str(list(o)[0]) for o, _ in REFUSALS])
def test_refuses_bad_arguments_naming_the_field(overrides, message):
    provider = oci.Provider.__new__(oci.Provider)  # construction fails before any registration
    with pytest.raises(ValueError) as raised:
        IsolatedTenancy("tenancy", make_args(provider, **overrides))
    assert message in str(raised.value)


def test_refusal_reports_every_problem_and_registers_nothing():
    def program():
        provider = oci.Provider("oci-home", region="us-ashburn-1")
        with pytest.raises(ValueError) as raised:
            IsolatedTenancy("tenancy", make_args(provider, home_region="eu-frankfurt-1", operator_cidrs=[],
                                                 trusted_tenancy_ocids=[PARENT]))
        text = str(raised.value)
        assert text.startswith("invalid IsolatedTenancyArgs for 'tenancy' (4 problem(s)):\n  - IsolatedTenancyArgs.")
        assert "home_region:" in text and "operator_cidrs:" in text and "trusted_tenancy_ocids:" in text

    monitor = capture(program)
    assert [r.name for r in monitor.registrations] == ["oci-home"]


def test_refuses_a_provider_that_is_not_an_oci_provider():
    with pytest.raises(ValueError, match="home_provider: 'str' is not allowed"):
        IsolatedTenancy("tenancy", make_args("us-ashburn-1"))


# --- the program ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("stack", "home", "root", "trusted"), [
    ("us-prod", "us-ashburn-1", "us-residency", True),
    ("dev", "us-phoenix-1", "us-residency-dev", False),
])
def test_program_builds_the_isolated_tenancy_for_each_stack(stack, home, root, trusted, stack_config, repo_root):
    config = stack_config(stack)
    # Run as the offline preview does: ids and computed outputs unknown, common invokes answered.
    monitor = capture(lambda: runpy.run_path(str(repo_root / "__main__.py")), project="us-data-residency",
                      stack=stack, config=config, preview=True, mocks=PreviewMocks(config))
    provider = monitor.named("oci-home")
    assert provider.type == "pulumi:providers:oci" and provider.inputs["region"] == home
    component = monitor.named("us-residency")
    assert component.type == COMPONENT
    tenancy_children = [r for r in monitor.registrations if r.parent == component.mock_urn]
    # Plus the CI runners' network source (both shipped stacks set residency:ciEgressCidrs).
    assert len(tenancy_children) == len(EXPECTED_CHILDREN) + 1 + (1 if trusted else 0)
    ci_source = monitor.named("us-residency-ci-network-source")
    assert ci_source.parent == component.mock_urn
    assert ci_source.inputs["publicSourceLists"] == json.loads(config["residency:ciEgressCidrs"])
    assert monitor.named("us-residency-root").inputs["name"] == root
    cross = [s for p in monitor.of_type(POLICY) for s in p.inputs["statements"] if is_cross_tenancy(s)]
    parent_ids = json.loads(config["residency:parentCompany"])["ociTenancyIds"]
    assert all(pid not in s for s in cross for pid in parent_ids)
    assert bool(cross) == trusted
    assert not any("any-user" in s for s in cross)
    if trusted:
        groups = json.loads(config["residency:tenancy"])["trustedAuditorGroups"]
        assert [s for s in cross if s.startswith("Define group")] == [
            f"Define group TrustedAuditors1 as {groups[0]['groupId']}"]
    quota = parse_quota_statement(monitor.named("us-residency-region-lock").inputs["statements"][0])
    assert not quota.applies_in(home) and quota.applies_in("eu-frankfurt-1")

