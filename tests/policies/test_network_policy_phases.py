"""Which phase judges what: a rule that states a parent-company range itself is refused per resource
(``Analyze``, before it is created, even when the stack phase never runs); a reference to another resource
is judged over the stack, where the reference resolves."""

from __future__ import annotations

from residency_policies.analysis import network_rules
from residency_policies.analysis.network_judgement import judge_resource, judge_stack
from residency_policies.framework import ResourceView
from residency_policies.rules.no_untrusted_peering import check as peering_resource_check
from residency_policies.rules.no_untrusted_peering import check_stack as peering_stack_check
import illustrative_rules
from residency_policies.rules_file import build_rules

RULES, ERRORS = build_rules(None, stack_data=illustrative_rules.RULES)
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"


def _rule(name: str, **props) -> ResourceView:
    return ResourceView(type=SECURITY_GROUP_RULE, urn=f"urn:pulumi:s::p::{SECURITY_GROUP_RULE}::{name}", name=name,
                        props={"type": "ingress", "protocol": "tcp", "fromPort": 443, "toPort": 443,
                               "securityGroupId": "sg-1", **props})


def test_a_literal_parent_range_is_judged_per_resource_and_not_again_over_the_stack():
    assert ERRORS == []
    view = _rule("open", cidrBlocks=["203.0.113.0/24"])
    assert [f.path for f in judge_resource(view, RULES, network_rules.INGRESS)] == ["cidrBlocks[0]"]
    assert list(judge_stack([view], RULES, network_rules.INGRESS)) == []


def test_a_prefix_list_reference_is_judged_over_the_stack_only():
    view = _rule("via-prefix-list", prefixListIds=["pl-0123"])
    assert list(judge_resource(view, RULES, network_rules.INGRESS)) == []
    findings = list(judge_stack([view], RULES, network_rules.INGRESS))
    assert len(findings) == 1 and findings[0].unverifiable


def test_peering_with_a_parent_account_is_refused_per_resource():
    peering = ResourceView(type="aws:ec2/vpcPeeringConnection:VpcPeeringConnection", urn="urn:x::pcx", name="pcx",
                           props={"vpcId": "vpc-1", "peerVpcId": "vpc-2", "peerOwnerId": "999999999999"})
    assert [f.path for f in peering_resource_check(peering, RULES)] == ["peerOwnerId"]
    assert list(peering_stack_check([peering], RULES)) == []
