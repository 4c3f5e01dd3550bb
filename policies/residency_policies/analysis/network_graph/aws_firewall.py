"""AWS Network Firewall in the network graph: a deny-capable hop on a route (``vpcEndpointId`` -> firewall).

A firewall (``aws:networkfirewall/firewall``) sits in its ``subnetMappings`` subnets; routes send traffic
to its endpoint (``vpcEndpointId``, an output of the firewall, so the route's property dependencies name
the firewall). Its policy (``firewallPolicyArn``) is read into the graph's ordered ``FirewallRule`` list,
in the order the engines evaluate it:

1. stateless rule groups by reference priority, their rules by priority: ``aws:drop`` denies, ``aws:pass``
   allows (and skips the stateful engine), ``aws:forward_to_sfe`` goes on;
2. the stateless default actions: ``aws:drop`` / ``aws:pass`` end the evaluation for everything left;
3. stateful rule groups: with ``STRICT_ORDER`` by priority then rule order; with the default action order
   every ``PASS`` rule first, then ``DROP`` / ``REJECT`` (``ALERT`` decides nothing). Rules come from
   ``statefulRules`` (5-tuple headers; ``ANY`` direction also matches the reverse flow) and ``rulesString``
   (Suricata lines ``action proto src sport -> dst dport``, ``<>`` both ways); ``$VARIABLES`` resolve
   through the group's ``ruleVariables.ipSets``; domain lists only filter HTTP/TLS and never cover a flow;
4. strict-order stateful default actions (``aws:drop_strict``, ``aws:drop_established``) deny the rest.

A rule narrowed by protocol or port does not cover a flow (other ports still pass). Anything that cannot
be read (an unknown or unparseable piece, a rule group outside the stack) is unresolved: a deny there
blocks nothing, an allow there is a possible path, named.
"""

from __future__ import annotations

import re
from typing import Any

from residency_policies.analysis.network_graph import model as m
from residency_policies.analysis.network_graph.prefixes import Prefix, parse_prefix
from residency_policies.analysis.network_graph.references import References
from residency_policies.values import is_unknown

FIREWALL = "aws:networkfirewall/firewall:Firewall"
FIREWALL_POLICY = "aws:networkfirewall/firewallPolicy:FirewallPolicy"
RULE_GROUP = "aws:networkfirewall/ruleGroup:RuleGroup"
TOKENS = frozenset({FIREWALL, FIREWALL_POLICY, RULE_GROUP})

_ANY = object()  # a side of a rule that matches every address


class _Unreadable(Exception):
    def __init__(self, piece: str):
        super().__init__(piece)
        self.piece = piece


def _nums(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _addresses(values: list[Any], variables: dict[str, list[Prefix] | None], where: str) -> list[Prefix] | None:
    """Prefixes of one side (None = any address); raises ``_Unreadable`` for what cannot be read."""
    out: list[Prefix] = []
    for value in values:
        if is_unknown(value) or not isinstance(value, str):
            raise _Unreadable(where)
        text = value.strip()
        if text.upper() == "ANY":
            return None
        if text.startswith("!"):
            raise _Unreadable(f"{where} ({text}: negated addresses)")
        if text.startswith("$"):
            resolved = variables.get(text[1:])
            if resolved is None:
                raise _Unreadable(f"{where} ({text} is not an IP set of this rule group)")
            out.extend(resolved)
            continue
        prefix = parse_prefix(text)
        if prefix is None:
            raise _Unreadable(f"{where} ({text!r} is not a CIDR)")
        out.append(prefix)
    return out


def _dict(value: Any) -> dict:
    """``value`` when it is an object, else an empty one (a missing or unreadable block)."""
    return value if isinstance(value, dict) else {}


def _ip_sets(group: m.NetResource) -> dict[str, list[Prefix] | None]:
    """The rule group's IP-set variables (``HOME_NET`` ...): key -> prefixes (None when unreadable)."""
    sets: dict[str, list[Prefix] | None] = {}
    body = group.props.get("ruleGroup")
    variables = body.get("ruleVariables") if isinstance(body, dict) else None
    entries = variables.get("ipSets") if isinstance(variables, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            continue
        definitions = _dict(entry.get("ipSet")).get("definitions")
        parsed = [parse_prefix(d) for d in definitions] if isinstance(definitions, list) else [None]
        prefixes = [p for p in parsed if p is not None]
        sets[entry["key"]] = prefixes if len(prefixes) == len(parsed) else None
    return sets


_SURICATA = re.compile(
    r"^\s*(?P<action>\w+)\s+(?P<proto>\S+)\s+(?P<src>\[[^\]]*\]|\S+)\s+(?P<sport>\[[^\]]*\]|\S+)\s+"
    r"(?P<arrow>->|<>)\s+(?P<dst>\[[^\]]*\]|\S+)\s+(?P<dport>\[[^\]]*\]|\S+)\s*(?P<options>\(.*\))?"
)
# Options after which a pass rule carries no data to an address range: the TCP handshake only (payload needs an
# established flow), or a session named by host (TLS SNI, HTTP host, DNS query): such a rule passes only
# sessions that name an allow-listed host, an egress allow-list of names, not a path to an address range.
_HANDSHAKE_ONLY = re.compile(r"\bflow\s*:[^;]*\bnot_established\b")
_NAMED_HOST = re.compile(r"\b(tls\.sni|http\.host|dns\.query|tls_sni|http_host)\b")


def _carries_no_range(options: str | None) -> bool:
    if not options:
        return False
    return bool(_HANDSHAKE_ONLY.search(options) or _NAMED_HOST.search(options))


def _side(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [t for t in (p.strip() for p in text[1:-1].split(",")) if t]
    return [text]


class _Builder:
    def __init__(self, name: str, urn: str):
        self.name, self.urn = name, urn
        self.rules: list[m.FirewallRule] = []

    def add(self, name: str, deny: bool, sources, destinations, all_traffic: bool, unresolved: str | None = None):
        self.rules.append(m.FirewallRule(name, deny, sources, destinations, all_traffic, unresolved,
                                         float(len(self.rules)), self.urn))


def _stateless(builder: _Builder, group: m.NetResource) -> None:
    source = ((group.props.get("ruleGroup") or {}).get("rulesSource") or {})
    block = source.get("statelessRulesAndCustomActions") if isinstance(source, dict) else None
    rules = block.get("statelessRules") if isinstance(block, dict) else None
    if is_unknown(block) or is_unknown(rules):
        builder.add(group.name, False, None, None, True, f"{group.name}.ruleGroup (stateless rules unknown)")
        return
    ordered = sorted((r for r in rules or [] if isinstance(r, dict)), key=lambda r: _nums(r.get("priority")) or 0)
    for i, rule in enumerate(ordered):
        where = f"{group.name}.statelessRules[{i}]"
        definition = _dict(rule.get("ruleDefinition"))
        actions = definition.get("actions")
        match = _dict(definition.get("matchAttributes"))
        if is_unknown(actions) or is_unknown(match):
            builder.add(where, False, None, None, True, f"{where} (unknown)")
            continue
        actions = [str(a) for a in actions or []]
        if "aws:drop" in actions:
            deny = True
        elif "aws:pass" in actions:
            deny = False
        else:
            continue  # aws:forward_to_sfe: the stateful engine decides
        narrowed = any(match.get(k) for k in ("protocols", "sourcePorts", "destinationPorts", "tcpFlags"))
        try:
            sources = _addresses([s.get("addressDefinition") for s in match.get("sources") or [] if isinstance(s, dict)],
                                 {}, f"{where}.sources") if match.get("sources") else None
            dests = _addresses([d.get("addressDefinition") for d in match.get("destinations") or [] if isinstance(d, dict)],
                               {}, f"{where}.destinations") if match.get("destinations") else None
        except _Unreadable as exc:
            builder.add(where, deny, None, None, True, exc.piece)
            continue
        builder.add(where, deny, sources, dests, not narrowed)


def _stateful_rules(group: m.NetResource) -> list[tuple[str, str, Any, Any, bool, bool, str | None]]:
    """(name, action, sources, destinations, all_traffic, both_ways, unresolved) of a stateful group."""
    source = (group.props.get("ruleGroup") or {}).get("rulesSource") if isinstance(group.props.get("ruleGroup"), dict) else None
    variables = _ip_sets(group)
    out: list[tuple[str, str, Any, Any, bool, bool, str | None]] = []
    if is_unknown(source) or is_unknown(group.props.get("ruleGroup")):
        return [(group.name, "PASS", None, None, True, True, f"{group.name}.ruleGroup (unknown)")]
    if not isinstance(source, dict):
        source = {}
    for i, rule in enumerate(source.get("statefulRules") or []):
        where = f"{group.name}.statefulRules[{i}]"
        if not isinstance(rule, dict) or is_unknown(rule.get("action")) or not isinstance(rule.get("header"), dict):
            out.append((where, "PASS", None, None, True, True, f"{where} (unknown)"))
            continue
        header = rule["header"]
        narrowed = str(header.get("protocol", "IP")).upper() != "IP" or any(
            str(header.get(k, "ANY")).upper() != "ANY" for k in ("sourcePort", "destinationPort"))
        try:
            sources = _addresses([header.get("source")], variables, f"{where}.header.source")
            dests = _addresses([header.get("destination")], variables, f"{where}.header.destination")
        except _Unreadable as exc:
            out.append((where, str(rule["action"]).upper(), None, None, True, True, exc.piece))
            continue
        both = str(header.get("direction", "FORWARD")).upper() == "ANY"
        out.append((where, str(rule["action"]).upper(), sources, dests, not narrowed, both, None))
    text = source.get("rulesString") if source.get("rulesString") is not None else group.props.get("rules")
    if is_unknown(text):
        out.append((f"{group.name}.rulesString", "PASS", None, None, True, True, f"{group.name}.rulesString (unknown)"))
    elif isinstance(text, str):
        for n, line in enumerate(line for line in text.splitlines() if line.strip() and not line.strip().startswith("#")):
            where = f"{group.name}.rulesString line {n + 1}"
            match = _SURICATA.match(line)
            if not match:
                out.append((where, "PASS", None, None, True, True, f"{where} (not a rule this policy can read)"))
                continue
            if match["action"].upper() == "PASS" and _carries_no_range(match["options"]):
                continue  # a handshake, or a session to an allow-listed host name: no path to a range
            try:
                sources = _addresses(_side(match["src"]), variables, where)
                dests = _addresses(_side(match["dst"]), variables, where)
            except _Unreadable as exc:
                out.append((where, match["action"].upper(), None, None, True, True, exc.piece))
                continue
            narrowed = match["proto"].lower() != "ip" or match["sport"].lower() != "any" or match["dport"].lower() != "any"
            out.append((where, match["action"].upper(), sources, dests, not narrowed, match["arrow"] == "<>", None))
    return out


def _group_refs(policy: m.NetResource, key: str, refs: References) -> tuple[list[m.NetResource], bool]:
    """Rule groups a policy references under ``key``, in priority order; and whether that order is known."""
    body = _dict(policy.props.get("firewallPolicy"))
    entries = [e for e in body.get(key) or [] if isinstance(e, dict)]
    groups = [refs.by_urn[u] for u in refs.candidates(policy, "firewallPolicy", (RULE_GROUP,))]
    stateless = key.startswith("stateless")
    groups = [g for g in groups if str(g.props.get("type", "")).upper() == ("STATELESS" if stateless else "STATEFUL")]
    by_name = {str(g.props.get("name")): g for g in groups if isinstance(g.props.get("name"), str)}
    ordered = []
    for entry in sorted(entries, key=lambda e: _nums(e.get("priority")) or 0):
        arn = entry.get("resourceArn")
        name = arn.rsplit("/", 1)[-1] if isinstance(arn, str) and not is_unknown(arn) else None
        if name in by_name:
            ordered.append(by_name.pop(name))
    rest = [g for g in groups if g not in ordered]
    return ordered + rest, not rest or len(groups) == 1


def _outside_references(body: dict, refs: References, policy: m.NetResource) -> bool:
    """Whether the policy references a rule group of another stack (AWS-managed threat-signature groups only
    drop or alert, so they decide nothing about a parent range and are not counted)."""
    entries = [e for k in ("statelessRuleGroupReferences", "statefulRuleGroupReferences")
               for e in body.get(k) or [] if isinstance(e, dict)]
    managed = [e for e in entries if isinstance(e.get("resourceArn"), str) and ":aws-managed/" in e["resourceArn"]]
    return len(entries) - len(managed) > len(refs.candidates(policy, "firewallPolicy", (RULE_GROUP,)))


def _policy_rules(fw: m.NetResource, policy: m.NetResource, refs: References) -> list[m.FirewallRule]:
    builder = _Builder(fw.name, fw.urn)
    body = policy.props.get("firewallPolicy")
    if is_unknown(body) or not isinstance(body, dict):
        builder.add(policy.name, False, None, None, True, f"{policy.name}.firewallPolicy (unknown)")
        return builder.rules
    if _outside_references(body, refs, policy):
        builder.add(policy.name, False, None, None, True,
                    f"{policy.name}.firewallPolicy (a rule group it references is not in this stack)")
    stateless, _ = _group_refs(policy, "statelessRuleGroupReferences", refs)
    for group in stateless:
        _stateless(builder, group)
    defaults = [str(a) for a in body.get("statelessDefaultActions") or []]
    if "aws:drop" in defaults:
        builder.add(f"{policy.name}.statelessDefaultActions aws:drop", True, None, None, True)
        return builder.rules
    if "aws:pass" in defaults:
        builder.add(f"{policy.name}.statelessDefaultActions aws:pass", False, None, None, True)
        return builder.rules
    engine = _dict(body.get("statefulEngineOptions"))
    strict = str(engine.get("ruleOrder", "")).upper() == "STRICT_ORDER"
    stateful, known_order = _group_refs(policy, "statefulRuleGroupReferences", refs)
    rules = [r for g in stateful for r in _stateful_rules(g)]
    if not strict or not known_order:
        # Default action order (or an order preview cannot tell): every pass before any drop.
        rules = sorted(rules, key=lambda r: 0 if r[1] == "PASS" else 1)
    for name, action, sources, dests, full, both, unresolved in rules:
        if action not in ("PASS", "DROP", "REJECT"):
            continue
        deny = action != "PASS"
        builder.add(name, deny, sources, dests, full, unresolved)
        if both:
            builder.add(f"{name} (reverse)", deny, dests, sources, full, unresolved)
    stateful_defaults = [str(a) for a in body.get("statefulDefaultActions") or []]
    if strict and any(a in ("aws:drop_strict", "aws:drop_established") for a in stateful_defaults):
        builder.add(f"{policy.name}.statefulDefaultActions", True, None, None, True)
    return builder.rules


def build(resources: list[m.NetResource], refs: References, graph: m.NetworkGraph, subnet_type: str) -> None:
    for fw in (r for r in resources if r.type == FIREWALL):
        graph.names[fw.urn] = fw.name
        subnets = [u for u in refs.candidates(fw, "subnetMappings", (subnet_type,))]
        graph.firewall_subnets.update(subnets)
        firewall = m.Firewall(fw.urn, fw.name, subnets[0] if subnets else None)
        policies = refs.candidates(fw, "firewallPolicyArn", (FIREWALL_POLICY,))
        if not policies:
            firewall.policy_unresolved = f"{fw.name}.firewallPolicyArn names a firewall policy this stack does not create"
        for policy in policies:
            firewall.rules.extend(_policy_rules(fw, refs.by_urn[policy], refs))
        graph.firewalls[fw.urn] = firewall
        graph.gateways[fw.urn] = m.Gateway(fw.urn, fw.name, m.FIREWALL, subnet=firewall.subnet, firewall=fw.urn)
