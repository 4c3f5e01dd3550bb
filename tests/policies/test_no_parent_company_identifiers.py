"""no-parent-company-identifiers (issue 22 item 1): a parent identifier anywhere is a finding, except in a deny rule.

Parent range ``203.0.113.0/24`` / ``2001:db8:bad::/48``, tenancy ``...parentexample...``, account ``999999999999``,
organization ``o-parentexample1`` (the illustrative rules the test stacks carry). The programs put them where no specific policy looks
(a parameter's connection string, a DNS record, user data, a YAML document, a tag), in deny contexts (network ACL
deny entries, firewall drop rules and the address lists only they use, IAM Deny statements and exclusions, Suricata
drop rules, blackhole routes), and where a specific policy already reports them (reported once, there).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci
import pytest

from tests import illustrative_rules
from residency_policies.analysis import parent_identifiers as pi
from residency_policies.framework import rules_for
from tests.policies.conftest import COMPARTMENT, flagged, judged, messages, urn

POLICY = "no-parent-company-identifiers"
PARENT_ACCOUNT, ESTATE = "999999999999", "222222222222"
PARENT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"
PARENT_ORG = "o-parentexample1"
FW_POLICY = "ocid1.networkfirewallpolicy.oc1.iad.aaaaaaaafirewallpolicy"
RULE = "oci:NetworkFirewall/networkFirewallPolicySecurityRule:NetworkFirewallPolicySecurityRule"
LIST = "oci:NetworkFirewall/networkFirewallPolicyAddressList:NetworkFirewallPolicyAddressList"
PARENTS = pi.of_rules(rules_for(dict(illustrative_rules.RULES))[0])


def analyzed(result) -> set[str]:
    return {r.urn for r in result.resources if not r.type.startswith("pulumi:")}


@pytest.mark.parametrize(("text", "found"), [
    ("jdbc:oracle:thin:@203.0.113.20:1521/orcl", ["203.0.113.20"]),
    ("postgres://app:secret@[2001:db8:bad::7]:5432/db", ["2001:db8:bad::7"]),
    ("https://sqs.us-east-2.amazonaws.com/999999999999/orders", ["999999999999"]),
    ("arn:aws:iam::999999999999:role/x", ["999999999999"]),
    (f"allow group a to read all-resources in tenancy {PARENT_TENANCY.upper()}", [PARENT_TENANCY.upper()]),
    ("aws:PrincipalOrgID o-parentexample1,o-other000001", ["o-parentexample1"]),
    ("::ffff:203.0.113.9 and 64:ff9b::cb00:7109", ["::ffff:203.0.113.9", "64:ff9b::cb00:7109"]),
    ("203.0.113.0/25 inside, 203.0.0.0/16 around, 0.0.0.0/0 everyone", ["203.0.113.0/25"]),
    ("1999999999999 9999999999990 o-parentexample10 2.203.0.113.5", []),
])
def test_identifiers_are_found_wherever_they_are_written(text, found):
    assert [token for token, _, _ in pi.text_hits(text, PARENTS)] == found


def test_deny_contexts_and_documents():
    props = {
        "ingress": [{"action": "deny", "cidrBlock": "203.0.113.0/24"}, {"action": "allow", "cidrBlock": "203.0.113.5/32"}],
        "policy": json.dumps({"Statement": [
            {"Effect": "Deny", "Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": PARENT_ACCOUNT}}},
            {"Effect": "Allow", "Principal": "*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": PARENT_ORG}}},
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PARENT_ACCOUNT}:root"}}]}),
        "rules": "drop ip 203.0.113.0/24 any -> any any (sid:1;)\npass tcp 203.0.113.9 any -> any 443 (sid:2;)",
        "manifest": "kind: Config\nupstreams:\n  - host: 203.0.113.40\n",
        "forbiddenAccountIds": [PARENT_ACCOUNT],
        "route": {"blackhole": True, "destinationCidrBlock": "203.0.113.0/24"},
        "unknownAction": {"action": "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "source": "203.0.113.1"},
        "description": "blocks 203.0.113.0/24",
    }
    by_path = {(h.path, h.token): h.context for h in pi.hits(props, PARENTS)}
    assert by_path == {
        ("ingress[0].cidrBlock", "203.0.113.0/24"): pi.Context.DENY,
        ("ingress[1].cidrBlock", "203.0.113.5/32"): pi.Context.PLAIN,
        ("policy#Statement[0].Condition.StringEquals.aws:PrincipalAccount", PARENT_ACCOUNT): pi.Context.DENY,
        ("policy#Statement[1].Condition.StringNotEquals.aws:PrincipalOrgID", PARENT_ORG): pi.Context.DENY,
        ("policy#Statement[2].Principal.AWS", PARENT_ACCOUNT): pi.Context.PLAIN,
        ("rules", "203.0.113.0/24"): pi.Context.DENY,
        ("rules", "203.0.113.9"): pi.Context.PLAIN,
        ("manifest#upstreams[0].host", "203.0.113.40"): pi.Context.PLAIN,
        ("forbiddenAccountIds[0]", PARENT_ACCOUNT): pi.Context.DENY,
        ("route.destinationCidrBlock", "203.0.113.0/24"): pi.Context.DENY,
        ("unknownAction.source", "203.0.113.1"): pi.Context.UNKNOWN,
    }


@pytest.mark.parametrize(("token", "parent", "words"), [
    ("203.0.113.0/24", "203.0.113.0/24", "the parent company's range 203.0.113.0/24"),
    ("203.0.113.0/25", "203.0.113.0/24", "203.0.113.0/25, a range inside the parent company's range 203.0.113.0/24"),
    ("203.0.113.9", "203.0.113.0/24", "203.0.113.9, an address inside the parent company's range 203.0.113.0/24"),
    ("203.0.113.9/32", "203.0.113.0/24", "203.0.113.9/32, an address inside the parent company's range 203.0.113.0/24"),
])
def test_range_names_read_correctly(token, parent, words):
    assert pi.Hit("p", token, pi.ParentKind.RANGE, parent).names() == words


def test_identifier_names_read_correctly():
    assert pi.Hit("p", PARENT_ACCOUNT, pi.ParentKind.ACCOUNT, PARENT_ACCOUNT).names() == \
        "the parent company's AWS account 999999999999"
    assert pi.Hit("p", PARENT_ORG, pi.ParentKind.ORGANIZATION, PARENT_ORG).names() == \
        "the parent company's AWS organization o-parentexample1"
    assert pi.Hit("p", PARENT_TENANCY, pi.ParentKind.TENANCY, PARENT_TENANCY).names() == \
        f"the parent company's tenancy {PARENT_TENANCY}"


def _deny_list_program(action: object = "DROP", use: bool = True):
    def program():
        addresses = oci.networkfirewall.NetworkFirewallPolicyAddressList(
            "parent-addresses", network_firewall_policy_id=FW_POLICY, name="parent-company", type="IP",
            addresses=["203.0.113.0/24", "2001:db8:bad::/48"])
        if use:
            for direction, key in (("from", "source_addresses"), ("to", "destination_addresses")):
                oci.networkfirewall.NetworkFirewallPolicySecurityRule(
                    f"deny-{direction}-parent", network_firewall_policy_id=FW_POLICY, name=f"deny-{direction}-parent",
                    action=action, condition={key: ["parent-company"]},
                    opts=pulumi.ResourceOptions(depends_on=[addresses]))
    return program


def test_deny_rules_and_deny_lists_are_compliant(preview):
    def program():
        _deny_list_program()()
        aws.ec2.NetworkAcl("nacl", vpc_id="vpc-0abc", ingress=[
            {"rule_no": 10, "action": "deny", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_block": "203.0.113.0/24"},
            {"rule_no": 20, "action": "allow", "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_block": "10.0.0.0/8"}])
        aws.ec2.NetworkAclRule("nacl-rule", network_acl_id="acl-0abc", rule_number=5, egress=True, protocol="-1",
                               rule_action="deny", cidr_block="2001:db8:bad::/48")
        aws.s3.BucketPolicy("deny-parent", bucket="us-data", policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::us-data/*",
             "Condition": {"StringEquals": {"aws:PrincipalAccount": [PARENT_ACCOUNT], "aws:PrincipalOrgID": [PARENT_ORG]}}}]}))
        aws.networkfirewall.RuleGroup("suricata", name="drop-parent", type="STATEFUL", capacity=10, rule_group={
            "rules_source": {"rules_string": "drop ip 203.0.113.0/24 any -> any any (sid:1;)\n"
                                             "drop ip any any -> 203.0.113.0/24 any (sid:2;)"}})
        aws.ec2transitgateway.Route("blackhole", transit_gateway_route_table_id="tgw-rtb-0abc",
                                    destination_cidr_block="203.0.113.0/24", blackhole=True)
        aws.ssm.Parameter("ordinary", type="String", value="jdbc:oracle:thin:@10.20.10.5:1521/orcl")

    result = preview(program)
    assert flagged(result, POLICY) == set()
    assert len(analyzed(result)) == 9  # every one of them passes


def test_parent_identifiers_where_no_specific_policy_looks_are_flagged(preview):
    def program():
        aws.ssm.Parameter("connection", type="String", value="jdbc:oracle:thin:@203.0.113.20:1521/orcl")
        aws.route53.Record("alias", zone_id="Z123", name="reports.us.example", type="A", ttl=60,
                           records=["10.20.0.5", "203.0.113.80"])
        aws.ec2.Instance("agent", ami="ami-0abc", instance_type="t3.micro",
                         user_data="#!/bin/sh\ncurl -s https://[2001:db8:bad::10]/bootstrap | sh\n")
        aws.ssm.Parameter("manifest", type="String", value="kind: Config\nupstreams:\n  - host: 10.0.0.1\n  - host: 203.0.113.40\n")
        aws.ssm.Parameter("plain", type="String", value="nothing to see")
        _deny_list_program(use=False)()  # a list of the parent's ranges that no deny rule uses
        # Referenced by a network rule, but not as a list of addresses: the rule governs its NSG, the tag is the NSG's.
        nsg = oci.core.NetworkSecurityGroup("tagged", compartment_id=COMPARTMENT, vcn_id="ocid1.vcn.oc1.iad.aaaa",
                                            freeform_tags={"owner": PARENT_TENANCY})
        oci.core.NetworkSecurityGroupSecurityRule("rule", network_security_group_id=nsg.id, direction="INGRESS",
                                                  protocol="6", source="10.0.0.0/16", source_type="CIDR_BLOCK")

    result = preview(program)
    assert flagged(result, POLICY) == {
        urn("aws:ssm/parameter:Parameter", "connection"), urn("aws:route53/record:Record", "alias"),
        urn("aws:ec2/instance:Instance", "agent"), urn("aws:ssm/parameter:Parameter", "manifest"), urn(LIST, "parent-addresses"),
        urn("oci:Core/networkSecurityGroup:NetworkSecurityGroup", "tagged"),
    }
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {
        urn("aws:ssm/parameter:Parameter", "plain"),
        urn("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule", "rule"),
        urn("pulumi:providers:aws", "default_7_51_1"),
        urn("pulumi:providers:oci", "default_5_5_0"),
        urn("pulumi:pulumi:Stack", "test-test"),
    }
    assert analyzed(result) - flagged(result, POLICY) == {
        urn("aws:ssm/parameter:Parameter", "plain"),
        urn("oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule", "rule")}
    text = messages(result, POLICY)
    assert any("value names 203.0.113.20, an address inside the parent company's range 203.0.113.0/24" in m for m in text)
    assert any("records[1] names 203.0.113.80" in m for m in text)
    assert any("value#upstreams[1].host names 203.0.113.40" in m for m in text)
    assert any("addresses[1] names the parent company's range 2001:db8:bad::/48" in m for m in text)
    assert all("secret" not in m and "orcl" not in m for m in text)  # only the identifier is quoted, never the value
    assert len(result.violations_of(POLICY)) == 7  # one per property path


def test_a_deny_list_an_allow_rule_uses_is_reported_once_on_the_rule(preview):
    result = preview(_deny_list_program(action="ALLOW"))
    assert flagged(result, POLICY) == set()
    # A rule without a source (or destination) condition admits (or reaches) every address: both directions.
    assert flagged(result, "no-parent-company-ingress") == flagged(result, "no-parent-company-egress") == {
        urn(RULE, "deny-from-parent"), urn(RULE, "deny-to-parent")}


def test_a_deny_list_whose_rule_action_is_unknown_cannot_be_verified(preview):
    def program():
        decided = aws.ssm.Parameter("decided-later", type="String", value="x")
        _deny_list_program(action=decided.id.apply(lambda _: "DROP"))()

    result = preview(program)
    assert flagged(result, POLICY) == {urn(LIST, "parent-addresses")}
    assert analyzed(result) - flagged(result, POLICY) == {
        urn("aws:ssm/parameter:Parameter", "decided-later"), urn(RULE, "deny-from-parent"), urn(RULE, "deny-to-parent")}
    assert sorted(m.split("\n", 1)[1] for m in messages(result, POLICY)) == [
        f"cannot be verified at preview: deny-from-parent.action is unknown, so whether deny-from-parent uses this list "
        f"(condition.sourceAddresses[0]) to deny or to allow cannot be told; make it a literal value. "
        f"addresses[{i}] names the parent company's range {r}" for i, r in enumerate(("203.0.113.0/24", "2001:db8:bad::/48"))]


def test_identifiers_a_specific_policy_reports_are_not_reported_twice(preview):
    def program():
        oci.core.SecurityList("admits-parent", compartment_id=COMPARTMENT, vcn_id="ocid1.vcn.oc1.iad.aaaa",
                              ingress_security_rules=[{"protocol": "6", "source": "203.0.113.0/24"}])
        aws.s3.BucketPolicy("grants-parent", bucket="us-data", policy=json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PARENT_ACCOUNT}:root"}, "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::us-data/*"}]}))
        oci.identity.Compartment("in-parent", compartment_id=PARENT_TENANCY, name="x", description="x")

    result = preview(program)
    assert flagged(result, "no-parent-company-ingress") == {urn("oci:Core/securityList:SecurityList", "admits-parent")}
    assert flagged(result, "no-cross-tenancy-grants") == {urn("aws:s3/bucketPolicy:BucketPolicy", "grants-parent")}
    assert urn("oci:Identity/compartment:Compartment", "in-parent") in flagged(result, "estate-deploy-targets")
    assert flagged(result, POLICY) == set()
