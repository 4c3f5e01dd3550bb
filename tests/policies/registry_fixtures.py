"""One compliant, one violating and one unknown-at-preview program per policy, with the exact URNs each flags.

``test_registry_metadata.py`` runs every entry through the real pack (the analyzer protocol) and fails when a
policy of the registry has no entry, when a kind is missing, or when a program flags anything but its expected
set. The per-policy test modules go much further; these are the registry's minimum, kept small so that a rule
change that breaks one is easy to see. Each expected set is reasoned from the rule, not copied from a run.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

import interface_fixtures as fx
from tests.policies.conftest import CONFIG, COMPARTMENT, KEY_IAD, TAGS, provider_urn, urn

BUCKET = "oci:ObjectStorage/bucket:Bucket"
RP = "oci:ObjectStorage/replicationPolicy:ReplicationPolicy"
SECURITY_LIST = "oci:Core/securityList:SecurityList"
OCI_POLICY = "oci:Identity/policy:Policy"
PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
SUBNET = "oci:Core/subnet:Subnet"
STACK = "urn:pulumi:test::test::pulumi:pulumi:Stack::test-test"
PARENT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"
KEY_FRA = "ocid1.key.oc1.fra.bbbbbbbbvault.abcdefghijklmnop"
VCN = "ocid1.vcn.oc1.iad.aaaaaaaavcn"


@dataclass(frozen=True)
class Fixture:
    program: Callable[[], None]
    flagged: frozenset[str]
    level: str = "mandatory"
    rules: dict | None = None
    """When set, the program runs against a copy of the pack whose ``residency.yaml`` has these top-level keys."""
    config: dict | None = None
    """Stack config, when not the tests' default."""


@dataclass
class PolicyFixtures:
    compliant: Fixture
    violating: Fixture
    unknown: Fixture | None
    no_unknown_because: str = ""
    extra: dict[str, Fixture] = field(default_factory=dict)
    """Further named cases (``test_registry_metadata`` runs them like the three above)."""


INTERFACE_RULES = {"sanctionedInterfaces": [fx.DECLARATION]}
INTERFACE_ALLOW_RULE = urn("oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule",
                           "ads-firewall-allow-interface")
ESTATE_TENANCY = "ocid1.tenancy.oc1..aaaaaaaausdataexample0000000000000000000000000000000000000"
PINNED = {**CONFIG, "aws:allowedAccountIds": '["222222222222"]', "oci:tenancyOcid": ESTATE_TENANCY}


EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"


def _event_target(arn):
    def program():
        aws.cloudwatch.EventTarget("t", rule="r", arn=arn)
    return program


def _oci_provider_in(tenancy):
    def program():
        provider = oci.Provider("target", region="us-ashburn-1", tenancy_ocid=tenancy)
        oci.ons.NotificationTopic("t", compartment_id=COMPARTMENT, name="t", opts=pulumi.ResourceOptions(provider=provider))
    return program


# Identifiers that illustrate nothing: a parent range and accounts no documentation reserves.
REAL_LOOKING_RULES = {
    "parentCompany": {"cidrs": ["100.70.0.0/16"], "ociTenancyIds": ["ocid1.tenancy.oc1..aaaaaaaaq7parentco"],
                      "awsAccountIds": ["403958271635"], "awsOrganizationIds": ["o-k2j4h5g6f7"]},
    "trusted": {"ociTenancyIds": ["ocid1.tenancy.oc1..aaaaaaaaz3oversight"], "awsAccountIds": ["517283946021"],
                "awsOrganizationIds": ["o-m3n4b5v6c7"]},
    "estate": {"ociTenancyIds": ["ocid1.tenancy.oc1..aaaaaaaaw8usdata"], "awsAccountIds": ["628394057162"]},
}


def _seed():
    """A resource whose outputs are unknown at preview, to derive unknown inputs from (itself compliant)."""
    return oci.identity.Compartment("seed", compartment_id=COMPARTMENT, description="seed", freeform_tags=TAGS)


def _unknown(value):
    return _seed().id.apply(lambda _: value)


def _bucket(resource_name, *, provider=None, key=KEY_IAD, protect=True, compartment_id=COMPARTMENT, **kwargs):
    return oci.objectstorage.Bucket(resource_name, compartment_id=compartment_id, namespace="ns", kms_key_id=key,
                                    opts=pulumi.ResourceOptions(provider=provider, protect=protect), **kwargs)


NOT_USER_DATA = {"residency-data": "internal"}


def _retention(days):
    return [oci.objectstorage.BucketRetentionRuleArgs(
        display_name="keep", duration=oci.objectstorage.BucketRetentionRuleDurationArgs(time_amount=days, time_unit="DAYS"),
        time_rule_locked="2030-01-01T00:00:00Z")]


def _backed_up(*, backup_protect=True, backup_days=400, region="us-phoenix-1", replicate=True, backup_tags=None):
    phx = oci.Provider("phx", region="us-phoenix-1")
    _bucket("primary", name="data")
    _bucket("backup", name="data-backup", provider=phx, protect=backup_protect, retention_rules=_retention(backup_days),
            freeform_tags=backup_tags)
    if replicate:
        oci.objectstorage.ReplicationPolicy("rp", bucket="data", namespace="ns", name="rp",
                                            destination_bucket_name="data-backup", destination_region_name=region)


VOLUME = "oci:Core/volume:Volume"
ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
MYSQL = "oci:Mysql/mysqlDbSystem:MysqlDbSystem"
KEY_PHX = "ocid1.key.oc1.phx.bbbbbbbbvault.abcdefghijklmnop"
AD = "Uocm:US-ASHBURN-AD-1"


def _volume(resource_name, **kwargs):
    return oci.core.Volume(resource_name, compartment_id=COMPARTMENT, availability_domain=AD, kms_key_id=KEY_IAD, **kwargs)


def _adb(resource_name, *, provider=None, key=KEY_IAD, **kwargs):
    return oci.database.AutonomousDatabase(resource_name, compartment_id=COMPARTMENT, db_name=resource_name, kms_key_id=key,
                                           opts=pulumi.ResourceOptions(provider=provider, protect=True), **kwargs)


def _adb_with_standby():
    primary = _adb("users")
    _adb("standby", provider=oci.Provider("phx", region="us-phoenix-1"), key=KEY_PHX, source="CROSS_REGION_DATAGUARD",
         source_id=primary.id)


def _mysql(resource_name, subnet):
    return oci.mysql.MysqlDbSystem(resource_name, compartment_id=COMPARTMENT, availability_domain=AD, shape_name="MySQL.2",
                                   subnet_id=subnet, opts=pulumi.ResourceOptions(protect=True))


def _database_in_subnet(tier):
    vcn = oci.core.Vcn("vcn", compartment_id=COMPARTMENT, cidr_blocks=["10.0.0.0/16"])
    subnet = oci.core.Subnet("subnet", compartment_id=COMPARTMENT, vcn_id=vcn.id, cidr_block="10.0.1.0/24",
                             prohibit_public_ip_on_vnic=True, freeform_tags={"residency-tier": tier} if tier else None)
    _mysql("users", subnet.id)


def _days_from_now(days):
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _locked_bucket(lock):
    _bucket("locked", name="locked", retention_rules=[oci.objectstorage.BucketRetentionRuleArgs(
        display_name="keep", time_rule_locked=lock,
        duration=oci.objectstorage.BucketRetentionRuleDurationArgs(time_amount=400, time_unit="DAYS"))])


def _replication(region):
    def program():
        oci.objectstorage.ReplicationPolicy("rp", bucket="data", namespace="ns", name="rp",
                                            destination_bucket_name="d", destination_region_name=region)
    return program


def _security_list(direction: str, cidr):
    def program():
        if direction == "ingress":
            rules = {"ingress_security_rules": [oci.core.SecurityListIngressSecurityRuleArgs(protocol="6", source=cidr)]}
        else:
            rules = {"egress_security_rules": [oci.core.SecurityListEgressSecurityRuleArgs(protocol="6", destination=cidr)]}
        oci.core.SecurityList("sl", compartment_id=COMPARTMENT, vcn_id=VCN, **rules)
    return program


def _iam_policy(statements):
    def program():
        oci.identity.Policy("policy", compartment_id=COMPARTMENT, description="d", statements=statements)
    return program


def _peering(owner):
    def program():
        aws.ec2.VpcPeeringConnection("pcx", vpc_id="vpc-1", peer_vpc_id="vpc-2", peer_owner_id=owner)
    return program


def _public_bucket(access_type):
    def program():
        _bucket("b", access_type=access_type)
    return program


def _reachability(fixture_name: str):
    def program():
        from tests.reachability import fixtures_oci

        getattr(fixtures_oci, fixture_name)()
    return program


def _parameter(value):
    return lambda: aws.ssm.Parameter("param", type="String", value=value)


FIREWALL_LIST = "oci:NetworkFirewall/networkFirewallPolicyAddressList:NetworkFirewallPolicyAddressList"


def _deny_list(action):
    """A list of the parent's ranges and the one firewall rule that uses it."""
    def program():
        policy = "ocid1.networkfirewallpolicy.oc1.iad.aaaaaaaapolicy"
        oci.networkfirewall.NetworkFirewallPolicyAddressList("parent-list", network_firewall_policy_id=policy,
                                                             name="parent", type="IP", addresses=["203.0.113.0/24"])
        oci.networkfirewall.NetworkFirewallPolicySecurityRule("drop-parent", network_firewall_policy_id=policy,
                                                              name="drop-parent", action=action(),
                                                              condition={"source_addresses": ["parent"]})
    return program


def _identity_policy(resource):
    return lambda: aws.iam.Policy("identity", policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": resource}]}))


CHILD_TENANCY = "oci:Tenantmanagercontrolplane/childTenancy:ChildTenancy"


def _child_tenancy(under):
    return lambda: oci.tenantmanagercontrolplane.ChildTenancy("child", compartment_id=under(), home_region="us-ashburn-1",
                                                              tenancy_name="child", admin_email="admin@us.example")


FIXTURES: dict[str, PolicyFixtures] = {
    "us-region-providers": PolicyFixtures(
        compliant=Fixture(lambda: _bucket("b", provider=oci.Provider("home", region="us-ashburn-1")), frozenset()),
        # A provider's region is judged on the provider, once for everything it creates.
        violating=Fixture(lambda: _bucket("b", provider=oci.Provider("eu", region="eu-frankfurt-1")),
                          frozenset({provider_urn("oci", "eu")})),
        unknown=Fixture(lambda: _bucket("b", provider=oci.Provider("dyn", region=_unknown("us-ashburn-1"))),
                        frozenset({provider_urn("oci", "dyn")})),
    ),
    "us-region-replication": PolicyFixtures(
        compliant=Fixture(_replication("us-phoenix-1"), frozenset()),
        violating=Fixture(_replication("eu-frankfurt-1"), frozenset({urn(RP, "rp")})),
        unknown=Fixture(lambda: _replication(_unknown("us-phoenix-1"))(), frozenset({urn(RP, "rp")})),
    ),
    "us-keys-for-data": PolicyFixtures(
        compliant=Fixture(lambda: _bucket("b"), frozenset()),
        violating=Fixture(lambda: _bucket("b", key=KEY_FRA), frozenset({urn(BUCKET, "b")})),
        unknown=Fixture(lambda: _bucket("b", key=_unknown(KEY_IAD)), frozenset({urn(BUCKET, "b")})),
    ),
    "immutable-backups": PolicyFixtures(
        compliant=Fixture(_backed_up, frozenset()),
        violating=Fixture(lambda: _backed_up(backup_days=30), frozenset({urn(BUCKET, "backup")})),
        unknown=Fixture(lambda: _backed_up(backup_days=_unknown(400)), frozenset({urn(BUCKET, "backup")})),
        extra={
            # A volume with no backup policy: deleting it would lose its data.
            "volume-without-backups": Fixture(lambda: _volume("v"), frozenset({urn(VOLUME, "v")})),
            "volume-with-backup-policy": Fixture(lambda: _volume("v", backup_policy_id="ocid1.volumebackuppolicy.oc1..gold"),
                                                 frozenset()),
            # Classified as holding no US user data: the same finding, advisory.
            "classified-not-user-data": Fixture(lambda: _volume("scratch", freeform_tags=NOT_USER_DATA),
                                                frozenset({urn(VOLUME, "scratch")}), level="advisory"),
            # A backup copy of an untagged (US user data) bucket is US user data whatever its own tag.
            "copy-of-user-data": Fixture(lambda: _backed_up(backup_days=30, backup_tags=NOT_USER_DATA),
                                         frozenset({urn(BUCKET, "backup")})),
            # The classification itself unknown at preview: US user data that cannot be verified.
            "classification-unknown": Fixture(
                lambda: _volume("scratch", freeform_tags={"residency-data": _unknown("internal")}),
                frozenset({urn(VOLUME, "scratch")})),
        },
    ),
    "backup-coverage": PolicyFixtures(
        compliant=Fixture(_backed_up, frozenset()),
        # The backup bucket is a replication destination; the primary has no copy without the policy.
        violating=Fixture(lambda: _backed_up(replicate=False), frozenset({urn(BUCKET, "primary"), urn(BUCKET, "backup")})),
        unknown=Fixture(lambda: _backed_up(region=_unknown("us-phoenix-1")), frozenset({urn(BUCKET, "primary")})),
        extra={
            "classified-not-user-data": Fixture(lambda: _bucket("scratch", freeform_tags=NOT_USER_DATA),
                                                frozenset({urn(BUCKET, "scratch")}), level="advisory"),
            # Untagged, in a compartment of the stack classified as holding no US user data.
            "placed-outside-data": Fixture(
                lambda: _bucket("scratch", compartment_id=oci.identity.Compartment(
                    "sandbox", compartment_id=COMPARTMENT, description="d", freeform_tags=NOT_USER_DATA).id),
                frozenset({urn(BUCKET, "scratch")}), level="advisory"),
            # A database needs a copy in another allowed region: a standby created with the backup region's provider.
            "database-without-copy": Fixture(lambda: _adb("users"), frozenset({urn(ADB, "users")})),
            "database-with-standby": Fixture(_adb_with_standby, frozenset()),
        },
    ),
    "database-backup-retention": PolicyFixtures(
        compliant=Fixture(lambda: _adb("users"), frozenset()),  # 60 days, the service's cap, by default
        violating=Fixture(lambda: _adb("users", backup_retention_period_in_days=30), frozenset({urn(ADB, "users")})),
        unknown=Fixture(lambda: _adb("users", backup_retention_period_in_days=_unknown(60)), frozenset({urn(ADB, "users")})),
        extra={
            "classified-not-user-data": Fixture(
                lambda: _adb("catalog", backup_retention_period_in_days=7, freeform_tags=NOT_USER_DATA),
                frozenset({urn(ADB, "catalog")}), level="advisory"),
        },
    ),
    "data-tier-placement": PolicyFixtures(
        compliant=Fixture(lambda: _database_in_subnet(None), frozenset()),  # untagged subnets are data tiers
        violating=Fixture(lambda: _database_in_subnet("app"), frozenset({urn(MYSQL, "users")})),
        unknown=Fixture(lambda: _mysql("users", pulumi.StackReference("org/net/prod").get_output("subnetId")),
                        frozenset({urn(MYSQL, "users")})),
    ),
    "retention-lock-times": PolicyFixtures(
        compliant=Fixture(lambda: _locked_bucket(_days_from_now(30)), frozenset()),
        violating=Fixture(lambda: _locked_bucket("2020-01-01T00:00:00Z"), frozenset({urn(BUCKET, "locked")})),
        unknown=Fixture(lambda: _locked_bucket(_seed().time_created), frozenset({urn(BUCKET, "locked")})),
        extra={"too-soon": Fixture(lambda: _locked_bucket(_days_from_now(3)), frozenset({urn(BUCKET, "locked")}))},
    ),
    "residency-tags": PolicyFixtures(
        compliant=Fixture(lambda: _bucket("b", freeform_tags=TAGS), frozenset()),
        violating=Fixture(lambda: _bucket("b", freeform_tags={"jurisdiction": "EU"}), frozenset({urn(BUCKET, "b")}),
                          level="advisory"),
        unknown=Fixture(lambda: _bucket("b", freeform_tags=_unknown(TAGS)), frozenset({urn(BUCKET, "b")}),
                        level="advisory"),
    ),
    "residency-waivers": PolicyFixtures(
        compliant=Fixture(lambda: _bucket("b"), frozenset()),
        violating=Fixture(lambda: _bucket("b"), frozenset({STACK}), rules={"waivers": [{
            "policy": "us-keys-for-data", "urns": [urn(BUCKET, "b")], "approver": "ciso@example.com",
            "reason": "A test waiver that expired long ago", "expires": "2020-01-31"}]}),
        unknown=None,
        no_unknown_because="it reads only the rules file, never a value of a resource",
    ),
    "estate-deploy-targets": PolicyFixtures(
        compliant=Fixture(_oci_provider_in(ESTATE_TENANCY), frozenset(), config=PINNED),
        violating=Fixture(_oci_provider_in(PARENT_TENANCY), frozenset({provider_urn("oci", "target")}), config=PINNED),
        unknown=Fixture(lambda: _oci_provider_in(_unknown(ESTATE_TENANCY))(), frozenset({provider_urn("oci", "target")}),
                        config=PINNED),
    ),
    "no-untrusted-data-destinations": PolicyFixtures(
        compliant=Fixture(_event_target("arn:aws:sqs:us-east-2:222222222222:events"), frozenset()),  # estate account
        violating=Fixture(_event_target("arn:aws:sqs:us-east-2:999999999999:events"), frozenset({urn(EVENT_TARGET, "t")})),
        # From another stack's outputs: nothing in this stack says whose queue it is.
        unknown=Fixture(lambda: _event_target(pulumi.StackReference("org/events/prod").get_output("queueArn"))(),
                        frozenset({urn(EVENT_TARGET, "t")})),
    ),
    "residency-rules": PolicyFixtures(
        compliant=Fixture(lambda: _bucket("b"), frozenset(), rules=REAL_LOOKING_RULES),
        # The shipped rules file still holds the illustrative identifiers.
        violating=Fixture(lambda: _bucket("b"), frozenset({STACK}), level="advisory"),
        unknown=None,
        no_unknown_because="it reads only the rules, never a value of a resource",
    ),
    "no-parent-company-ingress": PolicyFixtures(
        compliant=Fixture(_security_list("ingress", "10.0.0.0/8"), frozenset()),
        violating=Fixture(_security_list("ingress", "203.0.113.0/24"), frozenset({urn(SECURITY_LIST, "sl")})),
        unknown=Fixture(lambda: _security_list("ingress", _unknown("10.0.0.0/8"))(), frozenset({urn(SECURITY_LIST, "sl")})),
    ),
    "no-parent-company-egress": PolicyFixtures(
        compliant=Fixture(_security_list("egress", "10.0.0.0/8"), frozenset()),
        violating=Fixture(_security_list("egress", "203.0.113.0/24"), frozenset({urn(SECURITY_LIST, "sl")})),
        unknown=Fixture(lambda: _security_list("egress", _unknown("10.0.0.0/8"))(), frozenset({urn(SECURITY_LIST, "sl")})),
    ),
    "no-cross-tenancy-grants": PolicyFixtures(
        compliant=Fixture(_iam_policy(["Allow group A to read buckets in compartment x"]), frozenset()),
        violating=Fixture(_iam_policy([f"Define tenancy Parent as {PARENT_TENANCY}",
                                       "Admit group G of tenancy Parent to read buckets in compartment x"]),
                          frozenset({urn(OCI_POLICY, "policy")})),
        unknown=Fixture(lambda: _iam_policy(_unknown(["Allow group A to read buckets in compartment x"]))(),
                        frozenset({urn(OCI_POLICY, "policy")})),
    ),
    "no-untrusted-peering": PolicyFixtures(
        compliant=Fixture(_peering("111111111111"), frozenset()),
        violating=Fixture(_peering("999999999999"), frozenset({urn(PEERING, "pcx")})),
        unknown=Fixture(lambda: _peering(_unknown("111111111111"))(), frozenset({urn(PEERING, "pcx")})),
    ),
    "private-data-stores": PolicyFixtures(
        compliant=Fixture(_public_bucket("NoPublicAccess"), frozenset()),
        violating=Fixture(_public_bucket("ObjectRead"), frozenset({urn(BUCKET, "b")})),
        unknown=Fixture(lambda: _public_bucket(_unknown("NoPublicAccess"))(), frozenset({urn(BUCKET, "b")})),
    ),
    "network-reachability": PolicyFixtures(
        compliant=Fixture(_reachability("igw_private_subnet"), frozenset()),
        violating=Fixture(_reachability("igw_open_security_list"), frozenset({urn(SUBNET, "data")})),
        unknown=Fixture(_reachability("unknown_cidr"), frozenset({urn(SUBNET, "data")})),
    ),
    # The interface of interface_fixtures, declared in the stack config: its gateway's allow rule carrying a port
    # the declaration does not, or an address list unknown at preview, is flagged on that rule; a traffic log off on
    # the log; a declaration past its review date on the stack (it sanctions nothing).
    "sanctioned-interfaces": PolicyFixtures(
        compliant=Fixture(fx.interface_estate, frozenset(), rules=INTERFACE_RULES),
        violating=Fixture(lambda: fx.interface_estate(allow_ports=((443, 443), (8443, 8443))),
                          frozenset({INTERFACE_ALLOW_RULE}), rules=INTERFACE_RULES),
        unknown=Fixture(lambda: fx.interface_estate(unknown_estate=True), frozenset({INTERFACE_ALLOW_RULE}),
                        rules=INTERFACE_RULES),
        extra={
            "logs-off": Fixture(lambda: fx.interface_estate(log_enabled=False),
                                frozenset({urn("oci:Logging/log:Log", "ads-firewall-traffic-log")}),
                                rules=INTERFACE_RULES),
            "overdue-review": Fixture(fx.interface_estate, frozenset({STACK}), rules={
                "sanctionedInterfaces": [{**fx.DECLARATION, "reviewBy": "2026-01-01"}]}),
        },
    ),
    "no-parent-company-identifiers": PolicyFixtures(
        compliant=Fixture(_parameter("jdbc:oracle:thin:@10.20.10.5:1521/orcl"), frozenset()),
        violating=Fixture(_parameter("jdbc:oracle:thin:@203.0.113.20:1521/orcl"),
                          frozenset({urn("aws:ssm/parameter:Parameter", "param")})),
        # Whether the one rule that uses the list drops or allows is unknown at preview.
        unknown=Fixture(_deny_list(lambda: _unknown("DROP")), frozenset({urn(FIREWALL_LIST, "parent-list")})),
        extra={"deny-list": Fixture(_deny_list(lambda: "DROP"), frozenset())},
    ),
    "no-untrusted-identity-egress": PolicyFixtures(
        compliant=Fixture(_identity_policy("arn:aws:sqs:us-east-2:222222222222:orders"), frozenset()),
        violating=Fixture(_identity_policy("arn:aws:sqs:us-east-2:999999999999:orders"),
                          frozenset({urn("aws:iam/policy:Policy", "identity")})),
        # From another stack's outputs: whose queue it is cannot be known.
        unknown=Fixture(lambda: _identity_policy(pulumi.StackReference("org/shared/prod").get_output("queueArn"))(),
                        frozenset({urn("aws:iam/policy:Policy", "identity")})),
    ),
    "estate-organization": PolicyFixtures(
        compliant=Fixture(_child_tenancy(lambda: ESTATE_TENANCY), frozenset()),
        violating=Fixture(_child_tenancy(lambda: PARENT_TENANCY), frozenset({urn(CHILD_TENANCY, "child")})),
        unknown=Fixture(_child_tenancy(lambda: pulumi.StackReference("org/tenancies/prod").get_output("tenancy")),
                        frozenset({urn(CHILD_TENANCY, "child")})),
    ),
}
