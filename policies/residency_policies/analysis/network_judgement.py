"""Judge the addresses of every network rule in a stack against the parent company's ranges.

Shared by ``no-parent-company-ingress`` and ``no-parent-company-egress``. References are resolved
through the engine's ``propertyDependencies`` (which name the in-stack resources whose outputs flowed
into an input, at preview and at update alike): an AWS prefix list created in the stack is judged by its
entries, a security group created in the stack is the estate's own, an OCI firewall address list is
found by name. A reference that resolves to nothing in the stack cannot be checked and fails closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from residency_policies.analysis import cidrs
from residency_policies.analysis import network_rules as nr
from residency_policies.analysis import network_wide_rules as wide_rules
from residency_policies.analysis import interface_judgement as interfaces
from residency_policies.analysis.network_graph import NETWORK_TOKENS, NetResource, NetworkGraph, build_graph
from residency_policies.analysis import aws_principals as ap
from residency_policies.analysis.aws_principals import ACCOUNT_RE
from residency_policies.framework import Finding, ResourceView, StackView
from residency_policies.ip_ranges import parse_cidr
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, walk

PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
SECURITY_GROUPS = frozenset({"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"})
FIREWALL_ADDRESS_LIST = "oci:NetworkFirewall/networkFirewallPolicyAddressList:NetworkFirewallPolicyAddressList"

_VERB = {nr.INGRESS: "admits", nr.EGRESS: "sends traffic to"}


def stack_graph(resources: Iterable[ResourceView]) -> NetworkGraph:
    """The network graph of a stack (every resource goes in: instances, databases and load balancers place
    VNICs, and their NSGs / security groups, into subnets); built once per ``StackView``, shared by the
    stack policies that read it (they never change it)."""
    if isinstance(resources, StackView):
        return resources.derived("network-graph", lambda: _build_graph(resources))
    return _build_graph(resources)


def _build_graph(resources: Iterable[ResourceView]) -> NetworkGraph:
    return build_graph(
        NetResource(r.type, r.urn, r.name, r.props, {k: tuple(v) for k, v in (r.property_dependencies or {}).items()})
        for r in resources
        if not r.type.startswith("pulumi:")
    )


class StackIndex:
    def __init__(self, resources: Iterable[ResourceView]):
        self.view = resources
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}

    def deps_of_type(self, view: ResourceView, prop: str, types: Iterable[str]) -> list[ResourceView]:
        wanted = frozenset(types)
        urns = (view.property_dependencies or {}).get(prop, ())
        return [self.by_urn[u] for u in urns if u in self.by_urn and self.by_urn[u].type in wanted]

    def prefix_list_cidrs(self, prefix_list: ResourceView) -> list[tuple[str, Any]]:
        found = [(f"{prefix_list.name}.{path}", v) for path, v in walk(prefix_list.props, "entries[].cidr")]
        entries = prefix_list.props.get("entries")
        if is_unknown(entries):
            found.append((f"{prefix_list.name}.entries", entries))
        for entry in self.resources:
            if entry.type == PREFIX_LIST_ENTRY and prefix_list.urn in (entry.property_dependencies or {}).get("prefixListId", ()):
                found.append((f"{entry.name}.cidr", entry.props.get("cidr")))
        return found

    def address_lists(self, name: Any) -> list[ResourceView]:
        return [r for r in self.resources if r.type == FIREWALL_ADDRESS_LIST and r.props.get("name") == name]


def _range_finding(verdict: cidrs.RangeVerdict, view: ResourceView, verb: str, path: str,
                   via: str = "") -> Finding | None:
    where = f"{path}{via}"
    if verdict.kind == cidrs.OVERLAPS:
        return Finding(f"{verb} {verdict.value} ({where}), which overlaps parent-company range(s) "
                       + ", ".join(str(p) for p in verdict.parents), view.urn, path=path)
    if verdict.kind == cidrs.UNKNOWN:
        return Finding(f"the range this rule {verb} decides whether the parent company is reached", view.urn,
                       unverifiable=True, path=where)
    if verdict.kind == cidrs.INVALID:
        return Finding(f"{verb} {verdict.value!r} ({where}), which is not an IP range this policy can check; "
                       "use a CIDR block", view.urn, path=path)
    return None


def judge_address(address: nr.Address, view: ResourceView, index: StackIndex | None, rules: Rules,
                  verb: str) -> Iterator[Finding]:
    parents = rules.parent_cidrs
    kind = address.kind
    if kind == nr.UNKNOWN_LIST:
        yield Finding(f"the rules decide what this resource {verb}", view.urn, unverifiable=True, path=address.path)
    elif kind == nr.EVERYTHING:
        if _shielded_by_earlier_drop(address, view, index, parents):
            return
        yield Finding(f"{verb} every address ({address.path} sets no address condition), which includes "
                      "parent-company range(s) " + ", ".join(str(p) for p in parents), view.urn, path=address.path)
    elif kind == nr.CIDR:
        finding = _range_finding(cidrs.judge_range(address.value, parents), view, verb, address.path)
        if finding:
            yield finding
    elif kind == nr.OCI_ENDPOINT:
        verdict = cidrs.judge_oci_endpoint(address.value, address.endpoint_type, parents)
        finding = _range_finding(verdict, view, verb, address.path)
        if finding:
            yield finding
    elif kind == nr.ADB_ACL_ENTRY:
        yield from _judge_adb_entry(address, view, verb, parents)
    elif kind == nr.PREFIX_LIST:
        yield from _judge_prefix_list(address, view, index, verb, parents)
    elif kind == nr.SECURITY_GROUP:
        yield from _judge_security_group(address, view, index, rules, verb)
    elif kind == nr.FIREWALL_ADDRESS_LIST:
        yield from _judge_address_list(address, view, index, verb, parents, rules)


FIREWALL_RULE = "oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule"


def _same_firewall_policy(a: ResourceView, b: ResourceView) -> bool:
    deps_a = set((a.property_dependencies or {}).get("networkFirewallPolicyId", ()))
    deps_b = set((b.property_dependencies or {}).get("networkFirewallPolicyId", ()))
    if deps_a or deps_b:
        return bool(deps_a & deps_b)
    pa, pb = a.props.get("networkFirewallPolicyId"), b.props.get("networkFirewallPolicyId")
    return isinstance(pa, str) and not is_unknown(pa) and pa == pb


def _priority(view: ResourceView) -> float | None:
    value = view.props.get("priorityOrder")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _earlier_rules(view: ResourceView, rules: list[ResourceView]) -> list[ResourceView]:
    """Rules evaluated before ``view``: a lower ``priorityOrder``, or the chain of ``positions.afterRule``
    names (rules run in order)."""
    mine = _priority(view)
    if mine is not None:
        return [r for r in rules if r is not view and ((theirs := _priority(r)) is not None and theirs < mine)]
    by_name = {r.props.get("name"): r for r in rules if isinstance(r.props.get("name"), str)}
    earlier: list[ResourceView] = []
    seen: set[str] = set()
    current = view
    while True:
        positions = current.props.get("positions")
        after = positions[0].get("afterRule") if isinstance(positions, list) and positions and isinstance(positions[0], dict) else (
            positions.get("afterRule") if isinstance(positions, dict) else None)
        if not isinstance(after, str) or is_unknown(after) or after in seen or after not in by_name:
            return earlier
        seen.add(after)
        current = by_name[after]
        earlier.append(current)


def _shielded_by_earlier_drop(address, view, index, parents) -> bool:
    """An allow-everything firewall rule is safe when earlier DROP/REJECT rules cover every parent range."""
    if view.type != FIREWALL_RULE or not parents:
        return False
    key = "sourceAddresses" if address.direction == nr.INGRESS else "destinationAddresses"
    same_policy = [r for r in index.resources if r.type == FIREWALL_RULE and _same_firewall_policy(r, view)]
    dropped = []
    for rule in _earlier_rules(view, same_policy):
        action = rule.props.get("action")
        condition = rule.props.get("condition")
        if not (isinstance(action, str) and action.upper() in ("DROP", "REJECT")) or not isinstance(condition, dict):
            continue
        names = condition.get(key)
        other = condition.get("destinationAddresses" if key == "sourceAddresses" else "sourceAddresses")
        if other or not isinstance(names, list):
            continue  # a drop limited in the other direction too does not cover every flow
        for name in names:
            for address_list in index.address_lists(name):
                raw = address_list.props.get("addresses")
                dropped += [n for n in (parse_cidr(a) for a in (raw if isinstance(raw, list) else [])) if n]
    return all(any(p.version == d.version and p.subnet_of(d) for d in dropped) for p in parents)


def _judge_adb_entry(address, view, verb, parents) -> Iterator[Finding]:
    value = address.value
    if isinstance(value, str) and not is_unknown(value) and "ocid1." in value:
        # "<vcn ocid>" or "<vcn ocid>;<ip>;<cidr>": the VCN part is private; the rest are addresses in it.
        parts = [p for p in value.split(";")[1:] if p.strip()]
        for part in parts:
            finding = _range_finding(cidrs.judge_range(part, parents), view, verb, address.path)
            if finding:
                yield finding
        return
    finding = _range_finding(cidrs.judge_range(value, parents), view, verb, address.path)
    if finding:
        yield finding


def _judge_prefix_list(address, view, index, verb, parents) -> Iterator[Finding]:
    lists = index.deps_of_type(view, address.prop, [PREFIX_LIST])
    if not lists:
        shown = "a prefix list not known at preview" if is_unknown(address.value) else f"prefix list {address.value!r}"
        yield Finding(f"{verb} {shown}, which is not created in this stack, so its ranges cannot be checked; "
                      "create the prefix list in the stack or use CIDR blocks", view.urn, unverifiable=True,
                      path=address.path)
        return
    for prefix_list in lists:
        for where, cidr in index.prefix_list_cidrs(prefix_list):
            finding = _range_finding(cidrs.judge_range(cidr, parents), view, verb, address.path,
                                     via=f" via prefix list {where}")
            if finding:
                yield finding


def _judge_security_group(address, view, index, rules: Rules, verb) -> Iterator[Finding]:
    value = address.value
    if isinstance(value, str) and "/" in value and not is_unknown(value):
        account = value.split("/", 1)[0]
        if ACCOUNT_RE.match(account):
            if account in rules.parent_aws_account_ids:
                yield Finding(f"{verb} security group {value} of parent-company account {account}", view.urn,
                              path=address.path)
            elif not ap.trust_of(rules).account_ok(account):
                yield Finding(f"{verb} security group {value} of account {account}, which is neither an estate "
                              "nor a trusted account", view.urn, path=address.path)
            return
    if index.deps_of_type(view, address.prop, SECURITY_GROUPS):
        return  # a group created in this stack: its members are the estate's own interfaces
    shown = "a security group not known at preview" if is_unknown(value) else f"security group {value!r}"
    yield Finding(f"{verb} {shown}, which is not created in this stack, so who is in it cannot be checked; "
                  "reference a security group created in the stack", view.urn, unverifiable=True, path=address.path)


def _judge_address_list(address, view, index, verb, parents, rules: Rules) -> Iterator[Finding]:
    name = address.value
    if is_unknown(name):
        yield Finding(f"the firewall address list this rule {verb} is not known", view.urn, unverifiable=True,
                      path=address.path)
        return
    lists = index.address_lists(name)
    if not lists:
        yield Finding(f"{verb} firewall address list {name!r}, which is not created in this stack, so its "
                      "addresses cannot be checked", view.urn, unverifiable=True, path=address.path)
        return
    for address_list in lists:
        list_type = address_list.props.get("type")
        if isinstance(list_type, str) and list_type.upper() == "FQDN":
            yield Finding(f"{verb} FQDN address list {name!r}: host names cannot be checked against "
                          "parent-company ranges; use an IP address list", view.urn, unverifiable=True,
                          path=address.path)
            continue
        raw = address_list.props.get("addresses")
        if is_unknown(raw) or is_unknown(list_type):
            yield Finding(f"the addresses of firewall address list {name!r} decide what this rule {verb}",
                          view.urn, unverifiable=True, path=f"{address_list.name}.addresses")
            continue
        for i, cidr in enumerate(raw if isinstance(raw, list) else []):
            network = parse_cidr(cidr)
            if network is not None and interfaces.declared_address(network, rules):
                continue  # a declared endpoint: the gateway's own policy (sanctioned-interfaces), or a hop
            finding = _range_finding(cidrs.judge_range(cidr, parents), view, verb, address.path,
                                     via=f" via address list {address_list.name}.addresses[{i}]")
            if finding:
                yield finding


# Addresses a resource states by itself are judged per resource (``Analyze``), so a deployment is stopped
# before the offending rule is created even when the stack phase never runs (``pulumi up --skip-preview``).
# References to other resources (prefix lists, security groups, firewall address lists, the rule order
# that shields an allow-everything firewall rule) are judged over the stack (``AnalyzeStack``).
SELF_CONTAINED = frozenset({nr.CIDR, nr.OCI_ENDPOINT, nr.ADB_ACL_ENTRY, nr.UNKNOWN_LIST})


def _addresses(view: ResourceView, direction: str) -> Iterator[nr.Address]:
    if view.type in nr.EXTRACTORS:
        for address in nr.addresses(view.type, view.props):
            if address.direction in (direction, nr.EITHER):
                yield address


def judge_resource(view: ResourceView, rules: Rules, direction: str) -> Iterator[Finding]:
    """Findings for the addresses this resource states by itself (a range wider than a parent range on a
    rule the network graph models is judged over the stack instead, by the paths it opens, and so is a range
    inside a declared endpoint of a sanctioned interface)."""
    verb = _VERB[direction]
    for address in _addresses(view, direction):
        if address.kind in SELF_CONTAINED and not wide_rules.judged_by_path(view.type, address, rules.parent_cidrs) \
                and interfaces.declared_endpoint(view.type, address, rules) is None:
            yield from judge_address(address, view, None, rules, verb)


def judge_stack(resources: Sequence[ResourceView], rules: Rules, direction: str) -> Iterator[Finding]:
    """Findings for every rule in the stack whose reference to another resource reaches a parent range, and
    for every wide rule that opens a path to a parent range that nothing in the stack drops."""
    index = StackIndex(resources)
    verb = _VERB[direction]
    proof = interfaces.proof_for(index.view, rules)
    # The rules of a declared gateway's own policy are judged as that gateway's (sanctioned-interfaces).
    gateway_rules = proof.gateway_rules() if proof is not None else frozenset()
    for view in index.resources:
        if view.urn in gateway_rules:
            continue
        for address in _addresses(view, direction):
            if address.kind not in SELF_CONTAINED:
                yield from judge_address(address, view, index, rules, verb)
    if rules.parent_cidrs and any(r.type in NETWORK_TOKENS or r.type in wide_rules.PATH_JUDGED_TYPES
                                  for r in index.resources):
        yield from wide_rules.judge(index.resources, stack_graph(index.view), rules.parent_cidrs, direction, proof)
        yield from interfaces.judge_endpoint_rules(index.resources, index.view, rules, direction)
