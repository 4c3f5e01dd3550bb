"""The one-home modules of the pack: CIDR overlap, OCIDs, AD names, ARNs, URNs, region tables, OCI statements.

Each concept is computed once (``residency_policies.<module>``) and the settings, components, engine and pack
give the same answer; these tests pin the answers, including the cross-version and malformed cases where the
earlier copies disagreed.
"""

from __future__ import annotations

import ipaddress
import subprocess
import sys
from pathlib import Path

import pytest

from residency_kit.settings import SettingsError, parse_settings
from residency_kit.engine.invokes import regions as invoke_regions
from residency_policies import ip_ranges, region_tables
from residency_policies.analysis import cidrs
from residency_policies.analysis import network_wide_rules as wide_rules
from residency_policies.analysis.network_graph.prefixes import parse_prefix
from residency_policies.analysis.network_graph.reachability import sources_for
from residency_policies.aws_identifiers import is_account_id, is_organization_id, parse_arn
from residency_policies.oci_iam_statements import defined_tenancies, is_cross_tenancy, parse_statement
from residency_policies.oci_identifiers import availability_domain_region, is_ocid_of, ocid_region, parse_ocid
from residency_policies.oci_quota_statements import parse_quota_statement
from residency_policies.urns import make_urn, parse_urn, urn_name, urn_qualified_type, urn_type
from residency_policies.values import UNKNOWN

N = ipaddress.ip_network
PARENT_V4 = N("203.0.113.0/24")
PARENT_V6 = N("2001:db8:bad::/48")
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("candidate", "reaches"),
    [
        ("203.0.113.128/25", True),
        ("203.0.0.0/16", True),  # a supernet
        ("64:ff9b::cb00:7100/120", True),  # NAT64 form of the parent range
        ("::ffff:203.0.113.9/128", True),  # IPv4-mapped host of the parent range
        ("2002:cb00:7100::/40", True),  # 6to4 form of the parent range
        ("::/0", True),
        ("0.0.0.0/0", True),
        ("64::/16", True),  # contains the whole NAT64 prefix
        ("2002:cb00:7200::/40", False),  # 6to4 of 203.0.114.0/24
        ("198.51.100.0/24", False),
        ("64:ff9b::c633:6400/120", False),  # NAT64 of 198.51.100.0/24
        ("2001:db8:1::/48", False),
    ],
)
def test_reaches_parent_counts_every_form_of_the_parent_range(candidate, reaches):
    assert ip_ranges.reaches_parent(N(candidate), PARENT_V4) is reaches
    # The per-rule verdict of the pack is the same answer.
    assert (cidrs.judge_range(candidate, [PARENT_V4]).kind == cidrs.OVERLAPS) is reaches


def test_path_forms_are_the_range_and_its_nat64_form_only():
    """On a path an IPv4 range travels as itself or, through a NAT64 translator, as its NAT64 form; the mapped
    and 6to4 forms name its hosts (refused above) but carry none of its packets."""
    assert ip_ranges.path_forms(PARENT_V4) == ((PARENT_V4, False), (N("64:ff9b::cb00:7100/120"), True))
    assert ip_ranges.path_forms(PARENT_V6) == ((PARENT_V6, False),)
    assert ip_ranges.nat64_form(N("198.51.100.7/32")) == N("64:ff9b::c633:6407/128")


def test_reachability_graph_sources_are_the_path_forms():
    sources = {s.key: s for s in sources_for([str(PARENT_V4), str(PARENT_V6)]) if s.kind == "parent"}
    assert set(sources) == {"parent:203.0.113.0/24", "parent:203.0.113.0/24:nat64", "parent:2001:db8:bad::/48"}
    direct, nat64 = sources["parent:203.0.113.0/24"], sources["parent:203.0.113.0/24:nat64"]
    assert direct.ranges.overlaps(parse_prefix("203.0.113.7/32")) and not direct.translated
    assert not direct.ranges.overlaps(parse_prefix("2002:cb00:7100::/48"))  # 6to4: no path
    assert not direct.ranges.overlaps(parse_prefix("::ffff:cb00:7100/120"))  # mapped: never on the wire
    assert nat64.translated and nat64.untranslated is direct and nat64.parent == "203.0.113.0/24"
    assert nat64.ranges.overlaps(parse_prefix("64:ff9b::cb00:7100/120"))
    assert not nat64.ranges.overlaps(parse_prefix("64:ff9b::c633:6400/120"))
    assert nat64.deny == "64:ff9b::cb00:7100/120 (the NAT64 form of 203.0.113.0/24)"


@pytest.mark.parametrize("candidate", ["64:ff9b::cb00:7100/120", "::ffff:203.0.113.9/128", "2002:cb00:7100::/40",
                                       "203.0.113.128/25"])
def test_settings_and_the_pack_refuse_the_same_literal_parent_forms(candidate):
    """One implementation: a range naming parent hosts (in any written form) is refused by the settings and
    by the pack per resource, never judged by path."""
    with pytest.raises(SettingsError):
        parse_settings(_stack_settings(operatorCidrs=[candidate]))
    assert cidrs.judge_range(candidate, [PARENT_V4]).kind == cidrs.OVERLAPS
    assert wide_rules.wide_parents(N(candidate), [PARENT_V4]) == ()


@pytest.mark.parametrize("value", [None, "", "  ", 5, UNKNOWN, "10.0.0.0/33", "not-a-cidr", "10.0.0.0/8/8"])
def test_parse_cidr_refuses_what_is_not_a_range(value):
    assert ip_ranges.parse_cidr(value) is None


def test_parse_cidr_strictness():
    assert ip_ranges.parse_cidr("10.0.0.1/8") == N("10.0.0.0/8")
    assert ip_ranges.parse_cidr("10.0.0.1/8", strict=True) is None
    with pytest.raises(ValueError, match=r"operatorCidrs\[0\]: '10.0.0.1/8' is not a CIDR block .*host bits"):
        ip_ranges.as_network("10.0.0.1/8", "operatorCidrs[0]")


def _stack_settings(**overrides):
    base = {
        "homeRegion": "us-ashburn-1",
        "backupRegion": "us-phoenix-1",
        "parentCompany": {"cidrs": ["203.0.113.0/24"]},
        "operatorCidrs": ["198.51.100.0/24"],
        "tenancy": {"tenancyOcid": "ocid1.tenancy.oc1..aaaaaaaausdata"},
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize("operator", ["64:ff9b::cb00:7100/120", "::/0", "::ffff:cb00:7100/120"])
def test_settings_refuse_operator_ranges_that_the_pack_refuses(operator):
    with pytest.raises(SettingsError) as err:
        parse_settings(_stack_settings(operatorCidrs=[operator]))
    (issue,) = err.value.issues
    assert issue.key == "residency:operatorCidrs[0]" and issue.value == str(N(operator))
    assert "overlaps parent-company range 203.0.113.0/24" in issue.message


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("ocid1.key.oc1.iad.bbpr2hw5aaeuk.abuwcljr000", "us-ashburn-1"),
        ("ocid1.key.oc1.us-chicago-1.bbpr2hw5aaeuk.abuwcljr000", "us-chicago-1"),
        ("OCID1.KEY.OC1.PHX.BBPR2HW5AAEUK.ABUWCLJR000", "us-phoenix-1"),  # read leniently
        ("ocid1.subnet.oc1.ap-singapore-1.aaaa", "ap-singapore-1"),
        ("ocid1.key.oc1.fra.bbpr2hw5aaeuk.abuwcljr000", "eu-frankfurt-1"),
        ("ocid1.tenancy.oc1..aaaaaaaa000", None),
        ("not an ocid", None),
    ],
)
def test_ocid_region(value, region):
    ref = ocid_region(value)
    assert (ref.region, ref.unknown, ref.unrecognised) == (region, False, None)


def test_ocid_region_fails_closed_on_unknown_unmapped_and_malformed():
    assert ocid_region(UNKNOWN).unknown
    assert ocid_region("ocid1.key.oc1.zzz.aaaa.bbbb").unrecognised == "zzz"
    assert ocid_region("ocid1.key").unrecognised == "ocid1.key"  # claims to be an OCID, names no readable region


def test_parse_ocid_is_strict_for_settings():
    assert parse_ocid("ocid1.vcn.oc1.iad.aaaa").resource_type == "vcn"
    assert is_ocid_of("ocid1.tenancy.oc1..aaaa", "tenancy")
    assert not is_ocid_of("OCID1.TENANCY.OC1..AAAA", "tenancy")
    assert not is_ocid_of(" ocid1.tenancy.oc1..aaaa", "tenancy")
    assert not is_ocid_of("ocid1.group.oc1..aaaa", "tenancy")


@pytest.mark.parametrize(
    ("value", "region"),
    [("Uocm:PHX-AD-1", "us-phoenix-1"), ("xxxx:EU-FRANKFURT-1-AD-1", "eu-frankfurt-1"), ("IAD-AD-3", "us-ashburn-1")],
)
def test_availability_domain_region(value, region):
    assert availability_domain_region(value).region == region


def test_availability_domain_region_fails_closed():
    assert availability_domain_region("Uocm:ZZZ-AD-1").unrecognised == "ZZZ"
    assert availability_domain_region("somewhere").unrecognised == "somewhere"
    assert availability_domain_region(UNKNOWN).unknown


def test_arns_and_aws_ids():
    arn = parse_arn("arn:aws:kms:eu-west-1:111111111111:key/abc")
    assert (arn.partition, arn.service, arn.region, arn.account, arn.resource) == ("aws", "kms", "eu-west-1", "111111111111", "key/abc")
    assert parse_arn("arn:aws-us-gov:s3:::bucket").region == ""
    assert parse_arn("arn:notaws:s3:::bucket") is None
    assert parse_arn(UNKNOWN) is None
    assert is_account_id("111111111111") and not is_account_id("11111111111")
    assert is_organization_id("o-abcdef1234") and not is_organization_id("o-short")


def test_urns():
    urn = make_urn("dev", "kit", "oci:Core/vcn:Vcn", "a::b", "residency:oci:NetworkBoundary")
    assert urn == "urn:pulumi:dev::kit::residency:oci:NetworkBoundary$oci:Core/vcn:Vcn::a::b"
    assert (urn_type(urn), urn_name(urn), urn_qualified_type(urn)) == ("oci:Core/vcn:Vcn", "a::b", "residency:oci:NetworkBoundary$oci:Core/vcn:Vcn")
    assert parse_urn(urn).parent_types == ("residency:oci:NetworkBoundary",)
    for bad in ("urn:pulumi:dev::kit::T", "urn:pulumi:dev::kit::$T::n", "urn:aws:x", "", None, 3):
        assert parse_urn(bad) is None
    assert urn_type("garbage") == "" and urn_name("garbage") == ""


def test_region_tables_serve_the_engine_and_the_settings():
    assert invoke_regions.oci_region_key("us-ashburn-1") == "IAD" == region_tables.oci_region_key("us-ashburn-1")
    assert region_tables.oci_region_name("ric") == "us-gov-ashburn-1"
    assert set(region_tables.OCI_US_COMMERCIAL_REGIONS) == {"us-ashburn-1", "us-phoenix-1", "us-sanjose-1", "us-chicago-1"}
    keys = [key for key, _realm in region_tables.OCI_REGIONS.values()]
    assert len(keys) == len(set(keys)), "two regions share a key"
    assert all(region_tables.is_oci_region_id(r) for r in region_tables.OCI_REGIONS)
    assert all(region_tables.is_aws_region_code(r) for r in region_tables.AWS_US_REGIONS)


def test_oci_statement_reading():
    statements = [
        "Define tenancy Oversight as ocid1.tenancy.oc1..aaaa",
        "Admit group G of tenancy Oversight to read audit-events in tenancy",
        "Allow group A to read buckets in compartment x",
    ]
    assert [is_cross_tenancy(s) for s in statements] == [True, True, False]
    assert defined_tenancies(statements) == {"Oversight": "ocid1.tenancy.oc1..aaaa"}
    assert parse_statement(statements[1]).tenancy_aliases == ("oversight",)
    zero = parse_quota_statement("zero compute quotas in tenancy where request.region != 'us-ashburn-1'")
    assert zero.applies_in("eu-frankfurt-1") and not zero.applies_in("us-ashburn-1")


def test_the_pack_package_imports_with_only_the_pack_requirements():
    """The pack is published on its own: every module must import with pulumi, pulumi_policy and yaml only."""
    script = f"""
import importlib, pkgutil, sys
ALLOWED = {{"pulumi", "pulumi_policy", "yaml", "google", "grpc", "residency_policies", "semver", "dill", "six",
            "debugpy", "opentelemetry", "typing_extensions", "packaging", "pip", "importlib_metadata", "zipp",
            "wrapt", "deprecated", "attr", "attrs", "_yaml"}}
class Block:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top in ALLOWED:
            return None
        raise ImportError(f"the pack imported {{name}}, which is not a requirement of the pack")
sys.meta_path.insert(0, Block())
sys.path.insert(0, {str(REPO / "policies")!r})
import residency_policies
for mod in pkgutil.walk_packages(residency_policies.__path__, "residency_policies."):
    importlib.import_module(mod.name)
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd="/", timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
