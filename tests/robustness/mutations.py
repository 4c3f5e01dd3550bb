"""For each policy of the pack: generated edits that turn the compliant estate into a violating one.

``MUTATIONS[policy](data, stack)`` draws an edit with hypothesis' ``data``, applies it to ``stack`` in place and
returns the URN the policy must flag (``None`` for the root stack) plus the policy config the edit needs.
Every edit is one a real program could make: a region, a CIDR, a statement, a tag, a missing resource.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from residency_kit.engine.stack import UNKNOWN, EngineStack
from tests.robustness.conftest import add_resource, of_type

PARENT_V4 = ipaddress.ip_network("203.0.113.0/24")
PARENT_V6 = ipaddress.ip_network("2001:db8:bad::/48")
PARENT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"
FOREIGN_REGIONS = ["eu-frankfurt-1", "uk-london-1", "ap-tokyo-1", "sa-saopaulo-1", "ca-toronto-1", "eu-amsterdam-1",
                   "me-dubai-1", "ap-sydney-1", "il-jerusalem-1", "mx-queretaro-1"]  # fmt: skip
FOREIGN_REGION_KEYS = ["fra", "lhr", "nrt", "gru", "yyz", "ams", "dxb", "syd", "mtz", "qro"]


def overlapping_parent_cidr() -> st.SearchStrategy[str]:
    """A CIDR that overlaps a parent range: inside it, equal, or a supernet (0.0.0.0/0 and ::/0 included)."""

    def around(net: ipaddress._BaseNetwork, length: int, offset: int) -> str:
        if length <= net.prefixlen:
            return str(net.supernet(new_prefix=length))
        subnets = 2 ** (length - net.prefixlen)
        base = int(net.network_address) + (offset % subnets) * 2 ** (net.max_prefixlen - length)
        return f"{ipaddress.ip_address(base)}/{length}"

    v4 = st.builds(around, st.just(PARENT_V4), st.integers(0, 32), st.integers(0, 2**16))
    v6 = st.builds(around, st.just(PARENT_V6), st.integers(0, 128), st.integers(0, 2**40))
    return st.one_of(v4, v6)


def parent_range_inside() -> st.SearchStrategy[str]:
    """A CIDR inside (or equal to) a parent range: refused per resource, whatever the paths."""
    return overlapping_parent_cidr().filter(lambda c: any(
        ipaddress.ip_network(c, strict=False).version == p.version and ipaddress.ip_network(c, strict=False).subnet_of(p)
        for p in (PARENT_V4, PARENT_V6)))


def parent_range_around() -> st.SearchStrategy[str]:
    """An IPv4 CIDR that contains the parent range (0.0.0.0/0 included): judged by the paths it opens."""
    return st.integers(0, PARENT_V4.prefixlen - 1).map(lambda n: str(PARENT_V4.supernet(new_prefix=n)))


def _open_to_internet(stack: EngineStack, subnet) -> None:
    """Give ``subnet``'s route table a default route to a new internet gateway and let its VNICs be public."""
    table = stack.by_urn[subnet.property_dependencies["routeTableId"][0]]
    vcn = stack.by_urn[subnet.property_dependencies["vcnId"][0]]
    igw = add_resource(
        stack, "oci:Core/internetGateway:InternetGateway", "igw-generated",
        {"compartmentId": UNKNOWN, "vcnId": UNKNOWN, "enabled": True, "freeformTags": {"jurisdiction": "US"}},
        property_dependencies={"vcnId": [vcn.urn]},
    )  # fmt: skip
    table.inputs["routeRules"].append({"destination": "0.0.0.0/0", "destinationType": "CIDR_BLOCK", "networkEntityId": UNKNOWN})
    table.property_dependencies.setdefault("routeRules", []).append(igw.urn)
    subnet.inputs["prohibitPublicIpOnVnic"] = False
    subnet.inputs["prohibitInternetIngress"] = False


def _wide_rule_target(data, stack: EngineStack):
    """An internal (app) subnet opened to the internet, and the security list it names. A wide rule there opens a
    path from the parent's ranges, which the ingress/egress policies report; on a data or management subnet the
    same path is network-reachability's to report (one mistake, one violation: docs/network-reachability.md)."""
    subnets = [s for s in of_type(stack, "subnet:Subnet") if (s.inputs.get("freeformTags") or {}).get("residency-tier")
               not in (None, "data", "management")]
    subnet = data.draw(st.sampled_from(subnets), label="internal subnet")
    _open_to_internet(stack, subnet)
    return stack.by_urn[subnet.property_dependencies["securityListIds"][0]]


def foreign_region() -> st.SearchStrategy[str]:
    return st.sampled_from(FOREIGN_REGIONS)


def _tcp_rule(peer_key: str, peer: str, port: int) -> dict[str, Any]:
    kind = "sourceType" if peer_key == "source" else "destinationType"
    return {"protocol": "6", peer_key: peer, kind: "CIDR_BLOCK", "stateless": False, "tcpOptions": {"min": port, "max": port}}


def region_providers(data, stack: EngineStack):
    provider = data.draw(st.sampled_from(of_type(stack, "pulumi:providers:oci")), label="provider")
    provider.inputs["region"] = data.draw(foreign_region(), label="region")
    return provider.urn, None


def region_replication(data, stack: EngineStack):
    policy = of_type(stack, "replicationPolicy:ReplicationPolicy")[0]
    policy.inputs["destinationRegionName"] = data.draw(foreign_region(), label="region")
    return policy.urn, None


def keys_for_data(data, stack: EngineStack):
    bucket = data.draw(st.sampled_from(of_type(stack, "bucket:Bucket")), label="bucket")
    region = data.draw(st.sampled_from(FOREIGN_REGION_KEYS), label="key region")
    suffix = data.draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=8, max_size=40), label="suffix")
    bucket.inputs["kmsKeyId"] = f"ocid1.key.oc1.{region}.{suffix}.{suffix[::-1]}"
    bucket.property_dependencies.pop("kmsKeyId", None)
    return bucket.urn, None


def immutable_backups(data, stack: EngineStack):
    backup = next(b for b in of_type(stack, "bucket:Bucket") if b.name.endswith("-backup"))
    rule = backup.inputs["retentionRules"][0]
    if data.draw(st.booleans(), label="shorten (else unlock)"):
        rule["duration"] = {"timeAmount": str(data.draw(st.integers(1, 364), label="days")), "timeUnit": "DAYS"}
    else:
        rule.pop("timeRuleLocked", None)
    return backup.urn, None


def backup_coverage(data, stack: EngineStack):
    policy = of_type(stack, "replicationPolicy:ReplicationPolicy")[0]
    source = stack.by_urn[policy.property_dependencies["bucket"][0]]
    if data.draw(st.booleans(), label="drop the policy (else same region)"):
        stack.resources.remove(policy)
        del stack.by_urn[policy.urn]
    else:
        policy.inputs["destinationRegionName"] = "us-ashburn-1"  # the bucket's own region: no regional backup
    return source.urn, None


def residency_tags(data, stack: EngineStack):
    tagged = [r for r in stack.resources if isinstance(r.inputs.get("freeformTags"), dict)]
    resource = data.draw(st.sampled_from(tagged), label="resource")
    if data.draw(st.booleans(), label="drop (else change)"):
        resource.inputs["freeformTags"].pop("jurisdiction")
    else:
        resource.inputs["freeformTags"]["jurisdiction"] = data.draw(st.sampled_from(["EU", "us", "", "CN", "global"]))
    return resource.urn, None


def residency_waivers(data, stack: EngineStack):
    name = data.draw(st.from_regex(r"[a-z]{3,12}(-[a-z]{2,8}){0,3}", fullmatch=True), label="policy name")
    waiver = {"policy": f"not-a-policy-{name}", "urns": [stack.root.urn], "reason": "x" * 40,
              "approver": "ciso@example.com", "expires": "2099-01-01"}  # fmt: skip
    return None, {"residency-waivers": {"waivers": [waiver]}}


def residency_rules(data, stack: EngineStack):
    """Rules that still hold the illustrative identifiers: the stack config the robustness pack runs with
    (tests/illustrative_rules.py) names the documentation ranges and example IDs, so the notice is on the stack
    whatever the estate; the generator leaves the estate as it is."""
    return None, None


def no_parent_ingress(data, stack: EngineStack):
    if data.draw(st.booleans(), label="a range around the parent's on a public subnet (else inside it)"):
        sl, cidr = _wide_rule_target(data, stack), data.draw(parent_range_around(), label="cidr")
    else:
        sl = data.draw(st.sampled_from(of_type(stack, "securityList:SecurityList")), label="security list")
        cidr = data.draw(parent_range_inside(), label="cidr")
    rules = sl.inputs["ingressSecurityRules"]
    at = data.draw(st.integers(0, len(rules)), label="position")
    rules.insert(at, _tcp_rule("source", cidr, data.draw(st.integers(1, 65535))))
    return sl.urn, None


def no_parent_egress(data, stack: EngineStack):
    if data.draw(st.booleans(), label="a range around the parent's on a public subnet (else inside it)"):
        sl = _wide_rule_target(data, stack)
        sl.inputs["egressSecurityRules"].append(_tcp_rule("destination", data.draw(parent_range_around(), label="cidr"),
                                                          data.draw(st.integers(1, 65535))))
        return sl.urn, None
    cidr = data.draw(parent_range_inside(), label="cidr")
    if data.draw(st.booleans(), label="security list (else route)"):
        target = data.draw(st.sampled_from(of_type(stack, "securityList:SecurityList")), label="security list")
        target.inputs["egressSecurityRules"].append(_tcp_rule("destination", cidr, data.draw(st.integers(1, 65535))))
    else:
        target = of_type(stack, "routeTable:RouteTable")[0]
        target.inputs["routeRules"].append({"destination": cidr, "destinationType": "CIDR_BLOCK", "networkEntityId": UNKNOWN})
    return target.urn, None


def cross_tenancy(data, stack: EngineStack):
    policy = of_type(stack, "policy:Policy")[0]
    verb = data.draw(st.sampled_from(["inspect", "read", "use", "manage"]), label="verb")
    what = data.draw(st.sampled_from(["all-resources", "object-family", "buckets", "keys", "virtual-network-family"]))
    statements = data.draw(
        st.sampled_from([
            [f"Define tenancy Parent as {PARENT_TENANCY}", f"Admit group Ops of tenancy Parent to {verb} {what} in tenancy"],
            [f"Endorse group Ops to {verb} {what} in any-tenancy"],
            [f"Define tenancy Parent as {PARENT_TENANCY}", f"Endorse group Ops to {verb} {what} in tenancy Parent"],
        ]),  # fmt: skip
        label="statements",
    )
    policy.inputs["statements"] = policy.inputs["statements"] + statements
    return policy.urn, None


def untrusted_peering(data, stack: EngineStack):
    vcn = of_type(stack, "vcn:Vcn")[0]
    region = data.draw(st.sampled_from(["phx", "iad", *FOREIGN_REGION_KEYS]), label="peer region")
    suffix = data.draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=4, max_size=30), label="peer")
    lpg = add_resource(
        stack, "oci:Core/localPeeringGateway:LocalPeeringGateway", "lpg-generated",
        {"compartmentId": UNKNOWN, "vcnId": UNKNOWN, "peerId": f"ocid1.localpeeringgateway.oc1.{region}.{suffix}",
         "freeformTags": {"jurisdiction": "US"}},
        property_dependencies={"vcnId": [vcn.urn]},
    )  # fmt: skip
    return lpg.urn, None


def private_data_stores(data, stack: EngineStack):
    bucket = data.draw(st.sampled_from(of_type(stack, "bucket:Bucket")), label="bucket")
    bucket.inputs["accessType"] = data.draw(st.sampled_from(["ObjectRead", "ObjectReadWithoutList"]), label="access")
    return bucket.urn, None


def network_reachability(data, stack: EngineStack):
    """Open one subnet to the internet: a gateway, a default route to it, a public subnet, an admitting rule."""
    subnet = data.draw(st.sampled_from(of_type(stack, "subnet:Subnet")), label="subnet")
    vcn = of_type(stack, "vcn:Vcn")[0]
    table = of_type(stack, "routeTable:RouteTable")[0]
    sl = stack.by_urn[subnet.property_dependencies["securityListIds"][0]]
    igw = add_resource(
        stack, "oci:Core/internetGateway:InternetGateway", "igw-generated",
        {"compartmentId": UNKNOWN, "vcnId": UNKNOWN, "enabled": True, "freeformTags": {"jurisdiction": "US"}},
        property_dependencies={"vcnId": [vcn.urn]},
    )  # fmt: skip
    dest = data.draw(st.sampled_from(["0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "8.0.0.0/5"]), label="route")
    table.inputs["routeRules"].append({"destination": dest, "destinationType": "CIDR_BLOCK", "networkEntityId": UNKNOWN})
    table.property_dependencies.setdefault("routeRules", []).append(igw.urn)
    subnet.inputs["prohibitPublicIpOnVnic"] = False
    subnet.inputs["prohibitInternetIngress"] = False
    subnet.inputs["freeformTags"]["residency-tier"] = "data"
    source = data.draw(st.sampled_from(["0.0.0.0/0", "8.8.8.0/24", "1.0.0.0/8", "64.0.0.0/3"]), label="source")
    port = data.draw(st.integers(1, 65535), label="port")
    sl.inputs["ingressSecurityRules"].insert(0, _tcp_rule("source", source, port))
    sl.inputs["egressSecurityRules"].insert(0, _tcp_rule("destination", "0.0.0.0/0", port))
    return subnet.urn, None


def estate_deploy_targets(data, stack: EngineStack):
    """Point a provider, or one resource's compartment, at the parent company's account or tenancy."""
    kinds = ["oci-provider", "root-compartment"] + (["aws-role", "aws-allowed"] if of_type(stack, "pulumi:providers:aws") else [])
    kind = data.draw(st.sampled_from(kinds), label="target")
    if kind == "oci-provider":
        provider = data.draw(st.sampled_from(of_type(stack, "pulumi:providers:oci")), label="provider")
        provider.inputs["tenancyOcid"] = PARENT_TENANCY
        return provider.urn, None
    if kind in ("aws-role", "aws-allowed"):
        provider = data.draw(st.sampled_from(of_type(stack, "pulumi:providers:aws")), label="provider")
        if kind == "aws-role":
            provider.inputs["assumeRoles"] = '[{"roleArn": "arn:aws:iam::999999999999:role/OrganizationAccountAccessRole"}]'
        else:
            provider.inputs["allowedAccountIds"] = '["222222222222", "999999999999"]'
        return provider.urn, None
    placed = [r for r in stack.resources if r.type.startswith("oci:") and isinstance(r.inputs.get("compartmentId"), str)]
    resource = data.draw(st.sampled_from(placed), label="resource")
    resource.inputs["compartmentId"] = PARENT_TENANCY
    return resource.urn, None


def untrusted_data_destinations(data, stack: EngineStack):
    """Send a stream's data to a destination outside the estate: a parent tenancy, or a stream of elsewhere."""
    outside = data.draw(st.sampled_from([
        {"kind": "monitoring", "compartmentId": PARENT_TENANCY, "metricNamespace": "x", "metric": "y"},
        {"kind": "streaming", "streamId": "ocid1.stream.oc1.iad.aaaaaaaanotintheestate"},
        {"kind": "objectStorage", "bucket": "someone-elses-bucket", "namespace": "ns"},
    ]), label="target")
    connector = add_resource(stack, "oci:Sch/connector:Connector", "connector-generated", {
        "compartmentId": UNKNOWN, "displayName": "c", "freeformTags": {"jurisdiction": "US"},
        "source": {"kind": "logging", "logSources": [{"compartmentId": UNKNOWN}]}, "target": outside,
    })
    return connector.urn, None


def parent_identifiers(data, stack: EngineStack):
    """Name a parent identifier where no specific policy looks: in a tag value, plain or inside a URL."""
    identifier = data.draw(st.one_of(parent_range_inside(), st.sampled_from([PARENT_TENANCY, "999999999999", "o-parentexample1"])),
                           label="identifier")
    template = data.draw(st.sampled_from(["{}", "https://{}/ingest", "upstream={} (primary)"]), label="template")
    tagged = [r for r in stack.resources if isinstance(r.inputs.get("freeformTags"), dict)]
    resource = data.draw(st.sampled_from(tagged), label="resource")
    resource.inputs["freeformTags"] = {**resource.inputs["freeformTags"], "upstream": template.format(identifier)}
    return resource.urn, None


def untrusted_identity_egress(data, stack: EngineStack):
    """Let the estate's principals reach out: a parent or unlisted account's resource, a role to assume there."""
    account = data.draw(st.sampled_from(["999999999999", "333333333333"]), label="account")
    action, resource = data.draw(st.sampled_from([
        ("sqs:SendMessage", f"arn:aws:sqs:us-east-2:{account}:orders"),
        ("sts:AssumeRole", f"arn:aws:iam::{account}:role/collector"),
        ("kinesis:PutRecord", f"arn:aws:kinesis:us-west-2:{account}:stream/events"),
    ]), label="statement")
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
    kind = data.draw(st.sampled_from(["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy"]), label="type")
    policy = add_resource(stack, kind, "identity-generated", {"policy": document, "role": "app"})
    return policy.urn, None


def estate_organization(data, stack: EngineStack):
    """Create a child tenancy, or assign a subscription, under the parent company's tenancy."""
    kind = data.draw(st.sampled_from(["childTenancy:ChildTenancy", "subscriptionMapping:SubscriptionMapping"]), label="type")
    child = add_resource(stack, f"oci:Tenantmanagercontrolplane/{kind}", "organization-generated", {
        "compartmentId": PARENT_TENANCY, "homeRegion": "us-ashburn-1", "tenancyName": "child",
        "adminEmail": "admin@us.example", "subscriptionId": "ocid1.organizationssubscription.oc1..aaaaaaaasub"})
    return child.urn, None


def database_backup_retention(data, stack: EngineStack):
    """Add an Autonomous Database of US user data that keeps backups for less than the service's 60 days."""
    compartment = data.draw(st.sampled_from(of_type(stack, "compartment:Compartment")), label="compartment")
    adb = add_resource(stack, "oci:Database/autonomousDatabase:AutonomousDatabase", "adb-generated", {
        "compartmentId": UNKNOWN, "dbName": "users", "kmsKeyId": UNKNOWN, "isFreeTier": False,
        "backupRetentionPeriodInDays": data.draw(st.integers(1, 59), label="days"),
        "freeformTags": {"jurisdiction": "US", "residency-data": "us-user-data"},
    }, property_dependencies={"compartmentId": [compartment.urn]}, protect=True)
    return adb.urn, None


def data_tier_placement(data, stack: EngineStack):
    """Put a MySQL DB system of US user data in a subnet of another tier (app, management)."""
    subnets = [s for s in of_type(stack, "subnet:Subnet") if (s.inputs.get("freeformTags") or {}).get("residency-tier")
               not in (None, "data")]
    subnet = data.draw(st.sampled_from(subnets), label="non-data subnet")
    db = add_resource(stack, "oci:Mysql/mysqlDbSystem:MysqlDbSystem", "mysql-generated", {
        "compartmentId": UNKNOWN, "availabilityDomain": "Uocm:US-ASHBURN-AD-1", "shapeName": "MySQL.2",
        "subnetId": UNKNOWN, "freeformTags": {"jurisdiction": "US", "residency-data": "us-user-data"},
    }, property_dependencies={"subnetId": [subnet.urn]}, protect=True)
    return db.urn, None


def retention_lock_times(data, stack: EngineStack):
    """Schedule a backup bucket's retention lock in the past, or sooner than OCI's 14 days."""
    backup = next(b for b in of_type(stack, "bucket:Bucket") if b.name.endswith("-backup"))
    days = data.draw(st.one_of(st.integers(-3650, -1), st.integers(0, 12)), label="days from now")
    when = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    backup.inputs["retentionRules"][0]["timeRuleLocked"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return backup.urn, None


MUTATIONS: dict[str, Callable[[Any, EngineStack], tuple[str | None, dict | None]]] = {
    "us-region-providers": region_providers,
    "us-region-replication": region_replication,
    "us-keys-for-data": keys_for_data,
    "immutable-backups": immutable_backups,
    "backup-coverage": backup_coverage,
    "residency-tags": residency_tags,
    "residency-waivers": residency_waivers,
    "residency-rules": residency_rules,
    "no-parent-company-ingress": no_parent_ingress,
    "no-parent-company-egress": no_parent_egress,
    "no-cross-tenancy-grants": cross_tenancy,
    "no-untrusted-peering": untrusted_peering,
    "private-data-stores": private_data_stores,
    "network-reachability": network_reachability,
    "estate-deploy-targets": estate_deploy_targets,
    "no-untrusted-data-destinations": untrusted_data_destinations,
    "no-untrusted-identity-egress": untrusted_identity_egress,
    "estate-organization": estate_organization,
    "no-parent-company-identifiers": parent_identifiers,
    "database-backup-retention": database_backup_retention,
    "data-tier-placement": data_tier_placement,
    "retention-lock-times": retention_lock_times,
}
