"""sanctioned-interfaces: every declared interface with the parent company is well-formed, within its review date,
and its gateway lets through exactly what was approved, logged to the estate's log archive.

The paths themselves are judged where they are opened (``no-parent-company-ingress`` / ``-egress``,
``network-reachability``), which accept a path to or from a parent range only when it crosses a declared
interface's gateway (``analysis/interface_proof.py``). What the gateway lets through is judged here, once per
resource to fix: a policy rule allowing more than the declared endpoints and ports, a gateway that does not drop
the rest of the parent's ranges, a traffic log that is missing, disabled or not archived. A malformed or overdue
declaration in the rules file or the stack config is reported here once, on the stack, and sanctions nothing (in a
policy's config it is refused as bad rules, like a waiver).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from residency_policies.analysis.interface_judgement import proof_for
from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, root_stack_urn, stack_policy
from residency_policies.rules_file import Rules

MAX_PATHS_SHOWN = 5


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    where = rules.interface_source.describe()
    for problem in rules.interface_problems:
        yield Finding(problem.message(where), urn=root_stack_urn(resources))
    proof = proof_for(resources, rules)
    if proof is None:
        return
    for problem in proof.gateway_findings():
        states = [s for s in proof.states if s.name in problem.interfaces]
        paths = [p for s in states for p in proof.paths_through(s)]
        shown = [f"  - {p.message()}" for p in paths[:MAX_PATHS_SHOWN]]
        if len(paths) > MAX_PATHS_SHOWN:
            shown.append(f"  - and {len(paths) - MAX_PATHS_SHOWN} more")
        carried = ["paths through the gateway:", *shown] if shown else [
            "no path of this stack crosses the gateway yet; the interface is judged as declared"]
        names = ", ".join(f"'{n}'" for n in problem.interfaces)
        message = "\n".join([f"sanctioned interface {names}: {problem.text}; fix: {problem.fix}", *carried])
        yield Finding(message, urn=problem.urn, unverifiable=problem.unverifiable, why=problem.why)


POLICY = stack_policy(
    name="sanctioned-interfaces",
    description="Every sanctioned interface with the parent company is well-formed and within its review date, and "
    "its gateway allows only the declared endpoints and ports, drops the rest of the parent's ranges and logs its "
    "traffic to the estate's log archive.",
    severity="critical",
    remediation=(
        "Fix the declaration where the rules set it (`sanctionedInterfaces`: name, purpose of 20+ characters, "
        "direction estate-to-parent or parent-to-estate, parentEndpoints inside parentCompany.cidrs or host names, "
        "ports as tcp/<port> or udp/<low>-<high>, the gateway by urn or by name and type, approver, reviewBy "
        "YYYY-MM-DD not in the past; renew an overdue one only with a new approval). Make the gateway match it: its "
        "allow rule names only the declared endpoints (address lists) and ports (service lists), a DROP rule after "
        "it holds every parent-company range, and its traffic log is enabled and a log source of the log "
        "archive's connector."
    ),
    tags=["network", "interfaces", "governance", "residency"],
    framework=RESIDENCY.control("NET-3"),
    check=check_stack,
)
