"""no-parent-company-identifiers: nothing of the estate names the parent company, except to keep it out.

The safety net under every specific rule. Every string of every property of every resource (and every JSON or
YAML document given as a string, URL, ``host:port``, connection string and policy statement inside one) is
searched for the parent's ranges and addresses, tenancy OCIDs, AWS account IDs and organization IDs
(``analysis/parent_identifiers.py``). Each one found is a violation naming the property path, unless it sits in
a deny context: a deny or drop rule, a firewall deny list, an IAM ``Deny`` statement or exclusion
(``NotPrincipal``, ``StringNotEquals``...), a network ACL deny entry, a blackhole route, a key that names a
deny list (``forbiddenAccountIds``). The kit's own deny lists stay compliant. A declared sanctioned interface's
endpoint in a security rule or a route is judged by its paths (``analysis/interface_judgement.py``), not here.

One mistake, one violation: an identifier a specific policy already reports on the same resource (the same
value or the same property path: a security rule admitting a parent range, a grant to a parent account, a
provider deploying into a parent tenancy, a destination in a parent account...) is left to that policy. The
specific policies are asked with this policy's rules (``check`` of every other resource policy of the pack);
a specific policy that is disabled is still asked, so disabling it does not move its findings here.

A list of addresses is judged by what uses it (over the stack, where the users are visible): an OCI firewall
address list, an AWS prefix list or WAF IP set naming parent ranges is compliant when every rule of the stack
that references it (by name or id, or through the engine's property dependencies) is a deny rule; when a rule
of a network policy's types uses it to allow, that policy reports the rule; when a reference's action is
unknown at preview, it cannot be verified.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from residency_policies.compliance import RESIDENCY
from residency_policies.analysis import network_rules
from residency_policies.analysis import parent_identifiers as pi
from residency_policies.analysis.interface_judgement import names_declared_endpoint
from residency_policies.deferred_to_stack import DeferredValues
from residency_policies.framework import Finding, ResidencyResourcePolicy, ResourceView, StackView, resource_policy
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown
from residency_policies.views import ROOT_STACK_TYPE

NAME = "no-parent-company-identifiers"
FIX = ("the estate names the parent only to keep it out: remove it, or keep it only in a deny rule (a network ACL "
       "deny entry, a firewall drop rule, an IAM Deny statement)")
_RECORDED: DeferredValues[pi.Hit] = DeferredValues()
_HANDLE_KEYS = ("name", "id", "arn")


def _normal(path: str | None) -> str:
    return (path or "").replace("#", ".")


def _same_place(hit: pi.Hit, finding: Finding) -> bool:
    """A specific finding reports this hit: it names the same value, or the same property (or an enclosing one)."""
    if hit.token in finding.text():
        return True
    where, at = _normal(finding.path), _normal(hit.path)
    return bool(where) and (at == where or at.startswith((where + ".", where + "[")))


def _specific_findings(resource: ResourceView, rules: Rules) -> list[Finding]:
    """What every other resource policy of the pack reports on this resource."""
    from residency_policies.registry import ALL_POLICIES  # the registry imports this module

    found: list[Finding] = []
    for policy in ALL_POLICIES:
        if not isinstance(policy, ResidencyResourcePolicy) or policy.name == NAME:
            continue  # stack policies have no per-resource check
        check = policy.check
        if check is None:
            continue
        if policy.resource_types is not None and resource.type not in policy.resource_types:
            continue
        try:
            found.extend(check(resource, rules) or ())
        except Exception:  # noqa: BLE001 - that policy reports its own crash; this one still judges the hit
            continue
    return found


def unclaimed(resource: ResourceView, rules: Rules) -> tuple[pi.Hit, ...]:
    """The resource's parent identifiers outside a deny context that no specific policy reports."""
    found = [h for h in pi.hits(resource.props, pi.of_rules(rules)) if h.context is not pi.Context.DENY
             and not (h.kind is pi.ParentKind.RANGE and names_declared_endpoint(resource.type, h.token, rules))]
    if not found:
        return ()
    specific = _specific_findings(resource, rules)
    return tuple(h for h in found if not any(_same_place(h, f) for f in specific))


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    """Record what the resource's inputs name; whether a list of the parent's ranges is a deny list depends on
    what uses it, which only the stack shows."""
    if resource.type != ROOT_STACK_TYPE:
        _RECORDED.record(resource.urn, unclaimed(resource, rules))
    return iter(())


@dataclass(frozen=True)
class Use:
    """A place another resource refers to a resource that names the parent."""

    user: ResourceView
    path: str
    context: pi.Context
    why: str = ""


def _scope_keys(resource: ResourceView) -> dict[str, object]:
    """Keys that place a resource inside a parent resource (``networkFirewallPolicyId``), with their literal value
    or the URNs the value comes from."""
    out: dict[str, object] = {}
    for key, value in resource.props.items():
        if key.endswith("Id") and key != "compartmentId":
            deps = tuple(sorted(resource.property_dependencies.get(key, ())))
            out[key] = deps if deps else (value if isinstance(value, str) and not is_unknown(value) else None)
    return {k: v for k, v in out.items() if v}


def uses(target: ResourceView, stack: StackView) -> list[Use]:
    """Where other resources of the stack refer to ``target``: leaves equal to its name / id / ARN in a resource
    that depends on it or shares its scope, and values unknown at preview that come from it."""
    handles = {v for k in _HANDLE_KEYS if isinstance(v := target.props.get(k), str) and v and not is_unknown(v)}
    scope = _scope_keys(target)
    found: list[Use] = []
    for user in stack:
        if user.urn == target.urn:
            continue
        from_target = {k for k, urns in user.property_dependencies.items() if target.urn in urns}
        related = bool(from_target) or target.urn in user.dependencies or any(
            k in scope and v == scope[k] for k, v in _scope_keys(user).items())
        if not related:
            continue
        for leaf in pi.leaves(user.props, unknowns=True):
            top = leaf.path.split(".", 1)[0].split("[", 1)[0].split("#", 1)[0]
            if leaf.value in handles or (is_unknown(leaf.value) and top in from_target):
                found.append(Use(user, leaf.path, leaf.context, leaf.why_unknown))
    return found


_REFERENCE_KINDS = frozenset({network_rules.PREFIX_LIST, network_rules.FIREWALL_ADDRESS_LIST, network_rules.SECURITY_GROUP})


def _resolved_as_addresses(use: Use) -> bool:
    """A network rule that reads the list it names as its addresses (a prefix list, a firewall address list):
    the network policies resolve it and report the rule, not the list."""
    if use.user.type not in network_rules.EXTRACTORS:
        return False
    top = use.path.split(".", 1)[0].split("[", 1)[0]
    return any(a.kind in _REFERENCE_KINDS and (a.path == use.path or a.prop == top and a.path.startswith(top))
               for a in network_rules.addresses(use.user.type, dict(use.user.props)))


def _verdict(target: ResourceView, hit: pi.Hit, used: list[Use]) -> Finding | None:
    plain = f"{hit.path} names {hit.names()}"
    if not used:
        return Finding(f"{plain}; {FIX}", target.urn, path=hit.path)
    allowing = [u for u in used if u.context is pi.Context.PLAIN]
    unknown = sorted((u for u in used if u.context is pi.Context.UNKNOWN), key=lambda u: (u.user.name, u.path))
    if allowing and all(_resolved_as_addresses(u) for u in allowing):
        return None  # a network policy resolves the reference and reports the rule that allows
    if allowing:
        return Finding(f"{plain}; {FIX}", target.urn, path=hit.path)
    if unknown:
        u = unknown[0]
        return Finding(plain, target.urn, path=hit.path, unverifiable=True,
                       why=f"{u.user.name}.{u.why} is unknown, so whether {u.user.name} uses this list ({u.path}) to "
                           "deny or to allow cannot be told; make it a literal value")
    return None  # every use is a deny rule: a deny list


def check_stack(stack: StackView, rules: Rules) -> Iterator[Finding]:
    for resource in stack:
        if resource.type == ROOT_STACK_TYPE:
            continue
        found = _RECORDED.get(resource.urn)
        if found is None:  # never analyzed (a state without inputs): judge what the stack shows
            found = unclaimed(resource, rules)
        if not found:
            continue
        used = uses(resource, stack)
        for hit in found:
            if hit.context is pi.Context.UNKNOWN:
                yield Finding(f"{hit.path} names {hit.names()}", resource.urn, path=hit.path, unverifiable=True,
                              why=f"{hit.why_unknown} is unknown, so whether {hit.path} sits in a deny rule cannot be "
                                  "told; make it a literal value")
                continue
            finding = _verdict(resource, hit, used)
            if finding is not None:
                yield finding


POLICY = resource_policy(
    name=NAME,
    description="Nothing of the estate names the parent company's ranges, tenancies, accounts or organizations, "
                "except in a deny rule.",
    severity="critical",
    remediation=(
        "Remove the parent company's identifier from the property named in the message (a host, an endpoint, a "
        "URL or connection string, a document, a statement), or keep it only where it keeps the parent out: a "
        "network ACL deny entry, a firewall drop rule or a deny list only drop rules use, an IAM Deny statement or "
        "exclusion, a blackhole route, forbiddenAccountIds."
    ),
    tags=["isolation", "identifiers", "residency"],
    framework=RESIDENCY.control("ISO-3"),
    check=check,
    stack_check=check_stack,
)
