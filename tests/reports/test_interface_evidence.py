"""Evidence of sanctioned interfaces: every report lists each declared interface with its paths, ports, gateway,
logging, approver and review date, as the pack's proof finds them; the network diagram draws it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from residency_kit.engine.api import preview_directory
from residency_kit.engine.display import to_json
from residency_kit.engine.pack_rules import _interface_line
from residency_kit.reports.html import to_html
from residency_kit.reports.junit import to_junit
from residency_kit.reports.markdown import to_markdown
from residency_kit.reports.model import build_report
from residency_kit.reports.network_diagram import render
from residency_kit.reports.sarif import to_sarif

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "policies"
GATEWAY = ("urn:pulumi:us-prod::us-data-residency::residency:oci:SanctionedInterface$"
           "oci:NetworkFirewall/networkFirewall:NetworkFirewall::ads-measurement-firewall")
PATH = ("app-tier subnet 'ads-measurement-client-subnet' can send to parent-company range 203.0.113.0/24 (egress): "
        "subnet 'ads-measurement-client-subnet' -> route ads-measurement-client-route-table.routeRules[0] "
        "203.0.113.40/32 -> network-firewall 'ads-measurement-firewall' -> route "
        "ads-measurement-gateway-route-table.routeRules[0] 203.0.113.40/32 -> nat-gateway 'ads-measurement-nat-gateway' "
        "-> the internet -> parent-company range 203.0.113.0/24; admitted by "
        "ads-measurement-client-security-list.egressSecurityRules[0] egress tcp 443 to 203.0.113.40/32")
ARCHIVED = ("traffic log 'ads-measurement-firewall-traffic-log' goes through connector "
            "'us-residency-log-archive-connector' to bucket 'us-residency-log-archive' (365 days)")


def _report(result):
    return build_report(result, project="us-data-residency", stack="us-prod",
                        generated_at=dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC))


@pytest.fixture
def us_prod(kit_stack_preview):
    return kit_stack_preview("us-prod")


def test_the_report_model_holds_each_interface_as_proved(us_prod):
    (record,) = _report(us_prod).interfaces
    assert (record.name, record.direction, record.endpoints, record.ports) == (
        "ads-measurement", "estate-to-parent", ("203.0.113.40/32",), ("tcp/443",))
    assert record.gateway == "an OCI Network Firewall 'ads-measurement-firewall'" and record.gateway_urn == GATEWAY
    assert record.allowed == ("rule 'allow-ads-measurement': 203.0.113.40/32 on tcp/443",)
    assert record.logging == ARCHIVED and record.logged
    assert (record.approver, record.review_by) == ("us-security-officer@example.com", "2029-12-31")
    assert record.paths == (PATH,)
    assert record.proved and record.status == "proved"


def test_every_report_format_lists_it(us_prod):
    report = _report(us_prod)
    markdown = to_markdown(report)
    assert ("| `ads-measurement` | estate-to-parent | 203.0.113.40/32 on tcp/443 | `ads-measurement-firewall` | "
            f"{ARCHIVED} | us-security-officer@example.com | 2029-12-31 | 1 | proved |") in markdown
    html = to_html(report)
    table = html[html.index('<table id="interface-table">'):]
    table = table[:table.index("</table>")]
    for text in ("ads-measurement", "estate-to-parent", "203.0.113.40/32", "tcp/443", "us-security-officer@example.com",
                 "2029-12-31", "proved", "ads-measurement-client-route-table.routeRules[0]", "(365 days)"):
        assert text in table, text
    sarif = to_sarif(report)
    (listed,) = sarif["runs"][0]["invocations"][0]["properties"]["sanctionedInterfaces"]
    assert listed == record_json(report)
    suite = ET.fromstring(to_junit(report).split("\n", 1)[1]).find("testsuite")
    (prop,) = [p for p in suite.find("properties") if p.get("name") == "sanctionedInterfaces"]
    assert json.loads(prop.get("value")) == [record_json(report)]
    (pack,) = to_json(us_prod, project="us-data-residency", stack="us-prod")["policyPacks"]
    assert pack["sanctionedInterfaces"] == [record_json(report)]


def record_json(report):
    (record,) = report.interfaces
    return {"name": "ads-measurement", "purpose": record.purpose, "direction": "estate-to-parent",
            "parentEndpoints": ["203.0.113.40/32"], "ports": ["tcp/443"],
            "gateway": "an OCI Network Firewall 'ads-measurement-firewall'", "gatewayUrn": GATEWAY,
            "gatewayNote": None, "gatewayAllows": ["rule 'allow-ads-measurement': 203.0.113.40/32 on tcp/443"],
            "logging": ARCHIVED, "logged": True, "approver": "us-security-officer@example.com",
            "reviewBy": "2029-12-31", "paths": [PATH], "proved": True, "problems": []}


def test_the_rules_in_force_show_each_declaration_in_one_line(us_prod):
    (rules,) = [r for r in us_prod.rules if r is not None]
    assert ("sanctioned interface", "ads-measurement (estate-to-parent; 203.0.113.40/32 on tcp/443; gateway "
            "ads-measurement-firewall (oci:NetworkFirewall/networkFirewall:NetworkFirewall); approved by "
            "us-security-officer@example.com, review by 2029-12-31)") in rules.summary()
    by_urn = {"name": "x", "direction": "parent-to-estate", "parentEndpoints": ["203.0.113.7/32", "api.parent.example"],
              "ports": ["tcp/443", "udp/5000-5010"], "gateway": {"urn": GATEWAY}, "approver": "a@example.com",
              "reviewBy": "2027-01-31"}
    assert _interface_line(by_urn) == (f"x (parent-to-estate; 203.0.113.7/32, api.parent.example on tcp/443, "
                                       f"udp/5000-5010; gateway {GATEWAY}; approved by a@example.com, review by "
                                       "2027-01-31)")


def test_the_diagram_draws_the_interface(us_prod):
    (rules,) = [r for r in us_prod.rules if r is not None]
    mermaid = render(us_prod.resources, rules.parent_cidrs, "mermaid", rules)
    assert "ads-measurement-firewall<br/>sanctioned interface: ads-measurement" in mermaid
    assert mermaid.count("|sanctioned: ads-measurement|") >= 1
    assert "classDef sanctioned" in mermaid and "linkStyle" in mermaid
    without = render(us_prod.resources, rules.parent_cidrs, "mermaid")
    assert "sanctioned interface" not in without
    dot = render(us_prod.resources, rules.parent_cidrs, "dot", rules)
    assert "sanctioned interface: ads-measurement" in dot and "color=blue" in dot


def test_an_interface_whose_log_is_off_is_listed_as_not_proved(tmp_path):
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    (tmp_path / "__main__.py").write_text(
        "import runpy\n\nimport pulumi\n\n\n"
        "def log_off(args):\n"
        "    if args.name == 'ads-measurement-firewall-traffic-log':\n"
        "        return pulumi.ResourceTransformResult(props={**args.props, 'isEnabled': False}, opts=args.opts)\n"
        "    return None\n\n\n"
        "pulumi.runtime.register_resource_transform(log_off)\n"
        f"runpy.run_path({str(REPO / '__main__.py')!r})\n")
    result = preview_directory(tmp_path, stack="us-prod", policy_packs=[PACK])
    (record,) = _report(result).interfaces
    assert not record.logged and not record.proved
    assert record.logging.startswith("traffic log 'ads-measurement-firewall-traffic-log' is disabled")
    assert record.status.startswith("not proved: ")
    assert [v.policy for v in result.mandatory] == ["sanctioned-interfaces"]


def test_without_a_declared_interface_the_reports_say_so(report):
    assert report.interfaces == ()
    assert "No sanctioned interfaces are declared" in to_html(report)
    assert "Sanctioned interfaces" not in to_markdown(report)
    assert to_sarif(report)["runs"][0]["invocations"][0]["properties"]["sanctionedInterfaces"] == []
