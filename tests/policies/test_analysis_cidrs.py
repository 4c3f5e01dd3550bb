"""Unit tests for the pure CIDR helpers (no pack process needed)."""

import ipaddress

import pytest

from residency_policies.analysis import cidrs
from residency_policies.values import UNKNOWN

PARENTS = (ipaddress.ip_network("203.0.113.0/24"), ipaddress.ip_network("2001:db8:bad::/48"))


@pytest.mark.parametrize("value, kind", [
    ("203.0.113.0/24", cidrs.OVERLAPS),
    ("203.0.113.7/32", cidrs.OVERLAPS),
    ("203.0.113.7", cidrs.OVERLAPS),  # bare address
    ("203.0.0.0/16", cidrs.OVERLAPS),  # supernet
    ("203.0.113.128/25 ", cidrs.OVERLAPS),  # whitespace
    ("0.0.0.0/0", cidrs.OVERLAPS),
    ("::/0", cidrs.OVERLAPS),
    ("2001:db8:bad:1::/64", cidrs.OVERLAPS),
    ("2001:DB8::/32", cidrs.OVERLAPS),
    ("::ffff:203.0.113.9/128", cidrs.OVERLAPS),  # IPv4-mapped
    ("2002:cb00:7100::/48", cidrs.OVERLAPS),  # 6to4 of 203.0.113.0/24
    ("64:ff9b::cb00:7105/128", cidrs.OVERLAPS),  # NAT64
    ("10.0.0.0/8", cidrs.CLEAR),
    ("198.51.100.0/24", cidrs.CLEAR),
    ("2001:db8:beef::/48", cidrs.CLEAR),
    ("2002:c633:6400::/40", cidrs.CLEAR),  # 6to4 of 198.51.100.0/24
    ("203.0.113.5/24", cidrs.OVERLAPS),  # host bits set still name the range
    (UNKNOWN, cidrs.UNKNOWN),
    (None, cidrs.ABSENT),
    ("", cidrs.ABSENT),
    ("not-a-cidr", cidrs.INVALID),
    (42, cidrs.INVALID),
])
def test_judge_range(value, kind):
    assert cidrs.judge_range(value, PARENTS).kind == kind


def test_overlap_names_the_parent_ranges():
    verdict = cidrs.judge_range("0.0.0.0/0", PARENTS)
    assert verdict.parents == PARENTS and verdict.fails


@pytest.mark.parametrize("value, source_type, kind", [
    ("203.0.113.0/24", None, cidrs.OVERLAPS),
    ("203.0.113.0/24", "CIDR_BLOCK", cidrs.OVERLAPS),
    ("203.0.113.0/24", "cidr_block", cidrs.OVERLAPS),
    ("all-iad-services-in-oracle-services-network", "SERVICE_CIDR_BLOCK", cidrs.CLEAR),
    ("ocid1.networksecuritygroup.oc1.iad.aaaa", "NETWORK_SECURITY_GROUP", cidrs.CLEAR),
    (UNKNOWN, "NETWORK_SECURITY_GROUP", cidrs.CLEAR),
    (UNKNOWN, "CIDR_BLOCK", cidrs.UNKNOWN),
    ("10.0.0.0/16", UNKNOWN, cidrs.CLEAR),
    ("0.0.0.0/0", UNKNOWN, cidrs.OVERLAPS),
    ("ocid1.networksecuritygroup.oc1.iad.aaaa", UNKNOWN, cidrs.UNKNOWN),
    ("10.0.0.0/16", "SOMETHING_ELSE", cidrs.INVALID),
])
def test_judge_oci_endpoint(value, source_type, kind):
    assert cidrs.judge_oci_endpoint(value, source_type, PARENTS).kind == kind
