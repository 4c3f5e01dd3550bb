"""Every address a network rule admits (ingress) or sends to (egress), read from raw OCI/AWS inputs.

One extractor per resource type (including the ``Default*`` aliases and AWS's per-rule resources) turns
the rule lists into ``Address`` entries: a CIDR, an OCI source/destination with its type, or a
*reference* (AWS prefix list, AWS security group, OCI firewall address-list name) that only the stack can
resolve. Deny rules, blackhole routes and disabled entries are left out: they carry no traffic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from residency_policies.analysis import zpr_statements as zpr
from residency_policies.values import is_unknown

# Where the implicit rules' findings land (AWS's default security group, OCI's built-in default security list):
# the network they belong to, or the subnet when that network is not in the stack.
IMPLICIT_RULE_OWNERS: frozenset[str] = frozenset({
    "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet",
    "oci:Core/vcn:Vcn", "oci:Core/virtualNetwork:VirtualNetwork", "oci:Core/subnet:Subnet",
})
INGRESS = "ingress"
EGRESS = "egress"
EITHER = "either"  # the rule's direction is not known at preview: judged for both

# Address kinds
CIDR = "cidr"
OCI_ENDPOINT = "oci-endpoint"  # value + endpoint_type (sourceType / destinationType)
PREFIX_LIST = "prefix-list"  # AWS managed prefix list id
SECURITY_GROUP = "security-group"  # AWS security group id (or "<account>/sg-...")
FIREWALL_ADDRESS_LIST = "firewall-address-list"  # OCI Network Firewall address-list name
EVERYTHING = "everything"  # a rule with no address condition: it matches every address
ADB_ACL_ENTRY = "adb-acl-entry"  # Autonomous DB access-control entry: IP, CIDR or "<vcn ocid>;<ip>..."
UNKNOWN_LIST = "unknown-list"  # the whole list (or rule) is unknown at preview


@dataclass(frozen=True)
class Address:
    direction: str
    kind: str
    value: Any
    path: str  # concrete property path, e.g. ingress[0].cidrBlocks[1]
    prop: str  # top-level input key, for the engine's propertyDependencies
    endpoint_type: Any = None
    scope: Any = None  # firewall policy id for address-list names


Extractor = Callable[[dict[str, Any]], Iterator[Address]]


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _items(props: dict, key: str, direction: str) -> Iterator[tuple[int, Any] | Address]:
    raw = props.get(key)
    if is_unknown(raw):
        yield Address(direction, UNKNOWN_LIST, raw, key, key)
        return
    for i, item in enumerate(_list(raw)):
        if is_unknown(item):
            yield Address(direction, UNKNOWN_LIST, item, f"{key}[{i}]", key)
        elif isinstance(item, dict):
            yield i, item


def _many(direction: str, kind: str, raw: Any, path: str, prop: str) -> Iterator[Address]:
    if is_unknown(raw):
        # Keep the kind: an unknown reference may still resolve through the stack's dependencies.
        yield Address(direction, kind, raw, path, prop)
        return
    for j, value in enumerate(_list(raw)):
        if value is None or value == "":
            continue
        yield Address(direction, kind, value, f"{path}[{j}]" if isinstance(raw, list) else path, prop)


# --- OCI -------------------------------------------------------------------------------------------

def _oci_security_list(props: dict) -> Iterator[Address]:
    for key, direction, field, type_field in (
        ("ingressSecurityRules", INGRESS, "source", "sourceType"),
        ("egressSecurityRules", EGRESS, "destination", "destinationType"),
    ):
        for entry in _items(props, key, direction):
            if isinstance(entry, Address):
                yield entry
                continue
            i, rule = entry
            yield Address(direction, OCI_ENDPOINT, rule.get(field), f"{key}[{i}].{field}", key,
                          endpoint_type=rule.get(type_field))


def _oci_nsg_rule(props: dict) -> Iterator[Address]:
    direction = props.get("direction")
    if is_unknown(direction):
        yield Address(EITHER, OCI_ENDPOINT, props.get("source"), "source", "source", props.get("sourceType"))
        yield Address(EITHER, OCI_ENDPOINT, props.get("destination"), "destination", "destination",
                      props.get("destinationType"))
        return
    if isinstance(direction, str) and direction.upper() == "INGRESS":
        yield Address(INGRESS, OCI_ENDPOINT, props.get("source"), "source", "source", props.get("sourceType"))
    elif isinstance(direction, str) and direction.upper() == "EGRESS":
        yield Address(EGRESS, OCI_ENDPOINT, props.get("destination"), "destination", "destination",
                      props.get("destinationType"))


def _oci_route_table(props: dict) -> Iterator[Address]:
    for entry in _items(props, "routeRules", EGRESS):
        if isinstance(entry, Address):
            yield entry
            continue
        i, rule = entry
        destination = rule.get("destination")
        if destination is None and rule.get("cidrBlock") is not None:  # legacy field
            yield Address(EGRESS, CIDR, rule.get("cidrBlock"), f"routeRules[{i}].cidrBlock", "routeRules")
        else:
            yield Address(EGRESS, OCI_ENDPOINT, destination, f"routeRules[{i}].destination", "routeRules",
                          endpoint_type=rule.get("destinationType"))


def _oci_drg_route_rule(props: dict) -> Iterator[Address]:
    yield Address(EGRESS, OCI_ENDPOINT, props.get("destination"), "destination", "destination",
                  endpoint_type=props.get("destinationType"))


def _oci_ipsec(props: dict) -> Iterator[Address]:
    yield from _many(EGRESS, CIDR, props.get("staticRoutes"), "staticRoutes", "staticRoutes")


def _oci_network_source(props: dict) -> Iterator[Address]:
    yield from _many(INGRESS, CIDR, props.get("publicSourceLists"), "publicSourceLists", "publicSourceLists")
    for entry in _items(props, "virtualSourceLists", INGRESS):
        if isinstance(entry, Address):
            yield entry
            continue
        i, item = entry
        yield from _many(INGRESS, CIDR, item.get("ipRanges"), f"virtualSourceLists[{i}].ipRanges",
                         "virtualSourceLists")


def _oci_bastion(props: dict) -> Iterator[Address]:
    yield from _many(INGRESS, CIDR, props.get("clientCidrBlockAllowLists"), "clientCidrBlockAllowLists",
                     "clientCidrBlockAllowLists")


def _oci_firewall_rule(props: dict) -> Iterator[Address]:
    action = props.get("action")
    if isinstance(action, str) and action.upper() in ("DROP", "REJECT"):
        return
    condition = props.get("condition")
    scope = props.get("networkFirewallPolicyId")
    if is_unknown(condition):
        yield Address(EITHER, UNKNOWN_LIST, condition, "condition", "condition")
        return
    condition = condition if isinstance(condition, dict) else {}
    for key, direction in (("sourceAddresses", INGRESS), ("destinationAddresses", EGRESS)):
        raw = condition.get(key)
        names = _list(raw)
        if is_unknown(raw):
            yield Address(direction, UNKNOWN_LIST, raw, f"condition.{key}", "condition")
        elif not names:
            # An allow/inspect rule without an address condition matches every address.
            yield Address(direction, EVERYTHING, None, f"condition.{key}", "condition")
        else:
            for j, name in enumerate(names):
                yield Address(direction, FIREWALL_ADDRESS_LIST, name, f"condition.{key}[{j}]", "condition",
                              scope=scope)


def _oci_lb_rule_set(props: dict) -> Iterator[Address]:
    for entry in _items(props, "items", INGRESS):
        if isinstance(entry, Address):
            yield entry
            continue
        i, item = entry
        action = item.get("action")
        if not (isinstance(action, str) and action.upper() == "ALLOW"):
            continue
        for j, cond in enumerate(_list(item.get("conditions"))):
            if isinstance(cond, dict) and str(cond.get("attributeName", "")).upper() == "SOURCE_IP_ADDRESS":
                yield Address(INGRESS, CIDR, cond.get("attributeValue"), f"items[{i}].conditions[{j}].attributeValue",
                              "items")


def _oci_autonomous_database(props: dict) -> Iterator[Address]:
    # A public endpoint with no access-control list at all is a public data store: private-data-stores'.
    for key in ("whitelistedIps", "standbyWhitelistedIps"):
        yield from _many(INGRESS, ADB_ACL_ENTRY, props.get(key), key, key)


def _oci_export(props: dict) -> Iterator[Address]:
    for entry in _items(props, "exportOptions", INGRESS):
        if isinstance(entry, Address):
            yield entry
            continue
        i, option = entry
        access = option.get("access")
        if isinstance(access, str) and access.upper() == "NONE":  # not a real value today; future-proof
            continue
        yield Address(INGRESS, CIDR, option.get("source"), f"exportOptions[{i}].source", "exportOptions")


def _oci_zpr_policy(props: dict) -> Iterator[Address]:
    """A ZPR statement whose source is a range admits it; one whose destination is a range reaches it."""
    raw = props.get("statements")
    if is_unknown(raw):
        yield Address(EITHER, UNKNOWN_LIST, raw, "statements", "statements")
        return
    for i, text in enumerate(_list(raw)):
        if is_unknown(text):
            yield Address(EITHER, UNKNOWN_LIST, text, f"statements[{i}]", "statements")
            continue
        statement = zpr.parse(text)
        if statement is None:
            continue
        for endpoint, direction in ((statement.source, INGRESS), (statement.destination, EGRESS)):
            if endpoint.kind is zpr.EndpointKind.RANGE:
                yield Address(direction, CIDR, endpoint.text, f"statements[{i}]", "statements")


# --- AWS -------------------------------------------------------------------------------------------

def _aws_sg_rule_fields(rule: dict, direction: str, base: str, prop: str) -> Iterator[Address]:
    yield from _many(direction, CIDR, rule.get("cidrBlocks"), f"{base}cidrBlocks", prop)
    yield from _many(direction, CIDR, rule.get("ipv6CidrBlocks"), f"{base}ipv6CidrBlocks", prop)
    yield from _many(direction, PREFIX_LIST, rule.get("prefixListIds"), f"{base}prefixListIds", prop)
    for key in ("securityGroups", "sourceSecurityGroupId"):
        yield from _many(direction, SECURITY_GROUP, rule.get(key), f"{base}{key}", prop if base else key)


def _aws_security_group(props: dict) -> Iterator[Address]:
    for key, direction in (("ingress", INGRESS), ("egress", EGRESS)):
        for entry in _items(props, key, direction):
            if isinstance(entry, Address):
                yield entry
                continue
            i, rule = entry
            yield from _aws_sg_rule_fields(rule, direction, f"{key}[{i}].", key)


def _aws_security_group_rule(props: dict) -> Iterator[Address]:
    kind = props.get("type")
    if is_unknown(kind):
        direction = EITHER
    elif isinstance(kind, str) and kind.lower() in (INGRESS, EGRESS):
        direction = kind.lower()
    else:
        return
    for key, addr_kind in (("cidrBlocks", CIDR), ("ipv6CidrBlocks", CIDR), ("prefixListIds", PREFIX_LIST),
                           ("sourceSecurityGroupId", SECURITY_GROUP)):
        yield from _many(direction, addr_kind, props.get(key), key, key)


def _aws_vpc_rule(direction: str) -> Extractor:
    def extract(props: dict) -> Iterator[Address]:
        for key, addr_kind in (("cidrIpv4", CIDR), ("cidrIpv6", CIDR), ("prefixListId", PREFIX_LIST),
                               ("referencedSecurityGroupId", SECURITY_GROUP)):
            yield from _many(direction, addr_kind, props.get(key), key, key)
    return extract


def _allows(action: Any) -> bool:
    """NACL action: only 'deny' is safe; unknown or anything else may allow."""
    return not (isinstance(action, str) and not is_unknown(action) and action.lower() == "deny")


def _aws_network_acl(props: dict) -> Iterator[Address]:
    for key, direction in (("ingress", INGRESS), ("egress", EGRESS)):
        for entry in _items(props, key, direction):
            if isinstance(entry, Address):
                yield entry
                continue
            i, rule = entry
            if not _allows(rule.get("action")):
                continue
            for field in ("cidrBlock", "ipv6CidrBlock"):
                yield from _many(direction, CIDR, rule.get(field), f"{key}[{i}].{field}", key)


def _aws_network_acl_rule(props: dict) -> Iterator[Address]:
    if not _allows(props.get("ruleAction")):
        return
    egress = props.get("egress")
    direction = EITHER if is_unknown(egress) else (EGRESS if egress is True else INGRESS)
    for field in ("cidrBlock", "ipv6CidrBlock"):
        yield from _many(direction, CIDR, props.get(field), field, field)


def _aws_route_table(props: dict) -> Iterator[Address]:
    for entry in _items(props, "routes", EGRESS):
        if isinstance(entry, Address):
            yield entry
            continue
        i, route = entry
        for field, kind in (("cidrBlock", CIDR), ("ipv6CidrBlock", CIDR), ("destinationPrefixListId", PREFIX_LIST)):
            yield from _many(EGRESS, kind, route.get(field), f"routes[{i}].{field}", "routes")


def _aws_route(props: dict) -> Iterator[Address]:
    if props.get("blackhole") is True:
        return
    for field, kind in (("destinationCidrBlock", CIDR), ("destinationIpv6CidrBlock", CIDR),
                        ("destinationPrefixListId", PREFIX_LIST)):
        yield from _many(EGRESS, kind, props.get(field), field, field)


def _aws_vpn_connection(props: dict) -> Iterator[Address]:
    for field in ("remoteIpv4NetworkCidr", "remoteIpv6NetworkCidr"):
        yield from _many(EGRESS, CIDR, props.get(field), field, field)


EXTRACTORS: dict[str, Extractor] = {
    "oci:Core/securityList:SecurityList": _oci_security_list,
    "oci:Core/defaultSecurityList:DefaultSecurityList": _oci_security_list,
    "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule": _oci_nsg_rule,
    "oci:Core/routeTable:RouteTable": _oci_route_table,
    "oci:Core/defaultRouteTable:DefaultRouteTable": _oci_route_table,
    "oci:Core/drgRouteTableRouteRule:DrgRouteTableRouteRule": _oci_drg_route_rule,
    "oci:Core/ipsec:Ipsec": _oci_ipsec,
    "oci:Identity/networkSource:NetworkSource": _oci_network_source,
    "oci:Bastion/bastion:Bastion": _oci_bastion,
    "oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule": _oci_firewall_rule,
    "oci:LoadBalancer/ruleSet:RuleSet": _oci_lb_rule_set,
    "oci:Database/autonomousDatabase:AutonomousDatabase": _oci_autonomous_database,
    "oci:FileStorage/export:Export": _oci_export,
    "oci:Zpr/zprPolicy:ZprPolicy": _oci_zpr_policy,
    "aws:ec2/securityGroup:SecurityGroup": _aws_security_group,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _aws_security_group,
    "aws:ec2/securityGroupRule:SecurityGroupRule": _aws_security_group_rule,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _aws_vpc_rule(INGRESS),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _aws_vpc_rule(EGRESS),
    "aws:ec2/networkAcl:NetworkAcl": _aws_network_acl,
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": _aws_network_acl,
    "aws:ec2/networkAclRule:NetworkAclRule": _aws_network_acl_rule,
    "aws:ec2/routeTable:RouteTable": _aws_route_table,
    "aws:ec2/defaultRouteTable:DefaultRouteTable": _aws_route_table,
    "aws:ec2/route:Route": _aws_route,
    "aws:ec2transitgateway/route:Route": _aws_route,
    "aws:ec2/vpnConnectionRoute:VpnConnectionRoute": _aws_route,
    "aws:ec2clientvpn/route:Route": _aws_route,
    "aws:ec2/localGatewayRoute:LocalGatewayRoute": _aws_route,
    "aws:ec2/vpnConnection:VpnConnection": _aws_vpn_connection,
}


def addresses(resource_type: str, props: Any) -> list[Address]:
    """Every address the resource's rules name (empty for types that carry none)."""
    extractor = EXTRACTORS.get(resource_type)
    if extractor is None or not isinstance(props, dict):
        return []
    return list(extractor(props))
