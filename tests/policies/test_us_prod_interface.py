"""The kit's us-prod stack with its illustrative sanctioned interface (ads-measurement): clean as shipped, and each
of three mistakes fails with the path shown. Each variant is the kit's own program run unchanged, with one change
made the way a team would make it: a route table attached beside it, or a registration transformed."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from residency_kit.engine.api import preview_directory
from tests.policies.conftest import PACK_DIR, REPO

INTERFACE = "urn:pulumi:us-prod::us-data-residency::residency:oci:SanctionedInterface$"
CLIENT_LIST = f"{INTERFACE}oci:Core/securityList:SecurityList::ads-measurement-client-security-list"
CLIENT_SUBNET = f"{INTERFACE}oci:Core/subnet:Subnet::ads-measurement-client-subnet"
ALLOW_RULE = (f"{INTERFACE}oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule::"
              "ads-measurement-firewall-rule-allow-ads-measurement")
THROUGH_GATEWAY = ("subnet 'ads-measurement-client-subnet' -> route ads-measurement-client-route-table.routeRules[0] "
                   "203.0.113.40/32 -> network-firewall 'ads-measurement-firewall' -> route "
                   "ads-measurement-gateway-route-table.routeRules[0] 203.0.113.40/32 -> nat-gateway "
                   "'ads-measurement-nat-gateway' -> the internet")

# The client subnet's traffic for the endpoint sent straight to the exit: the gateway taken off the path.
WITHOUT_GATEWAY = """
    kit = runpy.run_path(KIT_PROGRAM)
    interface, provider = kit["interfaces"]["ads-measurement"], pulumi.ResourceOptions(provider=kit["home_provider"])
    table = oci.core.RouteTable(
        "ads-measurement-direct-route-table", compartment_id=kit["tenancy"].compartment_ids["network"],
        vcn_id=kit["network"].vcn_id, opts=provider, route_rules=[oci.core.RouteTableRouteRuleArgs(
            destination="203.0.113.40/32", destination_type="CIDR_BLOCK", network_entity_id=interface.nat_gateway_id)])
    oci.core.RouteTableAttachment("ads-measurement-direct", subnet_id=interface.client_subnet_id,
                                  route_table_id=table.id, opts=provider)
"""
# The gateway's service for tcp/443 widened to tcp/8443 as well, the declaration left as it is.
EXTRA_PORT = """
    def extra_port(args):
        if args.name == "ads-measurement-firewall-service-tcp-443-443":
            ranges = [*args.props["portRanges"], {"minimumPort": 8443, "maximumPort": 8443}]
            return pulumi.ResourceTransformResult(props={**args.props, "portRanges": ranges}, opts=args.opts)
        return None

    pulumi.runtime.register_resource_transform(extra_port)
    runpy.run_path(KIT_PROGRAM)
"""
# The interface's client subnet placed in the data tier.
INTO_DATA_TIER = """
    def data_tier(args):
        if args.name == "ads-measurement-client-subnet":
            tags = {**args.props["freeformTags"], "residency-tier": "data"}
            return pulumi.ResourceTransformResult(props={**args.props, "freeformTags": tags}, opts=args.opts)
        return None

    pulumi.runtime.register_resource_transform(data_tier)
    runpy.run_path(KIT_PROGRAM)
"""


def _variant(tmp_path: Path, body: str):
    """us-prod previewed with the kit's program changed by ``body``; the mandatory violations."""
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    header = (f"import runpy\n\nimport pulumi\nimport pulumi_oci as oci\n\n"
              f"KIT_PROGRAM = {str(REPO / '__main__.py')!r}\n")
    (tmp_path / "__main__.py").write_text(header + textwrap.dedent(body))
    result = preview_directory(tmp_path, stack="us-prod", policy_packs=[PACK_DIR])
    return {(v.policy, v.urn): v.message for v in result.mandatory}


def test_as_shipped_the_interface_is_built_and_passes(kit_stack_preview):
    result = kit_stack_preview("us-prod")
    assert [r.name for r in result.resources if r.type == "residency:oci:SanctionedInterface"] == ["ads-measurement"]
    assert [v for v in result.violations if "SanctionedInterface" in v.urn or v.policy == "sanctioned-interfaces"] == []


def test_removing_the_gateway_from_the_path(tmp_path):
    found = _variant(tmp_path, WITHOUT_GATEWAY)
    assert list(found) == [("no-parent-company-egress", CLIENT_LIST)]
    message = found["no-parent-company-egress", CLIENT_LIST]
    assert ("app-tier subnet 'ads-measurement-client-subnet' can send to parent-company range 203.0.113.40/32 "
            "(egress): subnet 'ads-measurement-client-subnet' -> route "
            "ads-measurement-direct-route-table.routeRules[0] 203.0.113.40/32 -> nat-gateway "
            "'ads-measurement-nat-gateway' -> the internet -> parent-company range 203.0.113.40/32") in message
    assert ("not sanctioned: it does not cross gateway 'ads-measurement-firewall' of sanctioned interface "
            "'ads-measurement'") in message


def test_adding_a_port_the_declaration_does_not_carry(tmp_path):
    found = _variant(tmp_path, EXTRA_PORT)
    assert list(found) == [("sanctioned-interfaces", ALLOW_RULE)]
    message = found["sanctioned-interfaces", ALLOW_RULE]
    assert ("rule 'allow-ads-measurement' of gateway 'ads-measurement-firewall' allows 203.0.113.40/32 on tcp/443, "
            "tcp/8443 to the parent company, which no sanctioned interface through it declares ('ads-measurement': "
            "203.0.113.40/32 on tcp/443)") in message
    assert "paths through the gateway:\n  - app-tier subnet 'ads-measurement-client-subnet'" in message
    assert THROUGH_GATEWAY in message


def test_routing_the_interface_into_the_data_tier(tmp_path):
    found = _variant(tmp_path, INTO_DATA_TIER)
    assert list(found) == [("network-reachability", CLIENT_SUBNET)]
    message = found["network-reachability", CLIENT_SUBNET]
    assert THROUGH_GATEWAY in message
    assert ("not sanctioned: it crosses gateway 'ads-measurement-firewall' of sanctioned interface 'ads-measurement', "
            "but a sanctioned interface never reaches the data tier (subnet 'ads-measurement-client-subnet')") in message

