"""Hypothesis strategies for malformed resource properties, in the wire form the engine sends.

Keys and type tokens are harvested from the pack's own source, so generated resources hit the types the
policies filter on and the properties they read; values are anything a buggy program, an old provider or
a preview can produce: wrong types, nested nulls, huge lists, odd or IPv6 CIDRs, unknown sentinels and
secret-wrapped values.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import strategies as st

from residency_kit.engine.secrets import secret
from residency_policies.values import UNKNOWN_SENTINELS

PACK_SOURCE = Path(__file__).resolve().parents[2] / "policies" / "residency_policies"


def _harvest() -> tuple[list[str], list[str]]:
    keys: set[str] = set()
    types: set[str] = set()
    for path in PACK_SOURCE.rglob("*.py"):
        text = path.read_text()
        keys.update(re.findall(r"""(?:\.get\(|\[)\s*["']([A-Za-z_][A-Za-z0-9_]{1,40})["']""", text))
        for dotted in re.findall(r"""["']([a-z][A-Za-z0-9]+(?:\[\])?(?:\.[a-z][A-Za-z0-9]+(?:\[\])?)+)["']""", text):
            keys.update(part.removesuffix("[]") for part in dotted.split("."))
        types.update(re.findall(r"""["']((?:oci|aws):[A-Za-z0-9]+(?:/[A-Za-z0-9]+)?:[A-Za-z0-9]+)["']""", text))
        types.update(re.findall(r"""["'](pulumi:providers:(?:oci|aws))["']""", text))
    return sorted(keys), sorted(types)


PROPERTY_KEYS, TYPE_TOKENS = _harvest()
TYPE_TOKENS = sorted({*TYPE_TOKENS, "pulumi:providers:oci", "pulumi:providers:aws", "random:index/randomId:RandomId"})

ODD_STRINGS = [
    "", " ", "0.0.0.0/0", "::/0", "10.0.0.0/33", "10.0.0.0/-1", "300.1.2.3/24", "10.0.0.1/24", " 10.0.0.0/8 ",
    "2001:db8:bad::/48", "2001:db8:bad::1/128", "fe80::1%eth0/64", "::ffff:203.0.113.7/128", "203.0.113.0/24",
    "0.0.0.0/32", "255.255.255.255/0", "1.2.3.4", "1.2.3", "10/8", "abc/def", "CIDR_BLOCK", "SERVICE_CIDR_BLOCK",
    "NETWORK_SECURITY_GROUP", "all", "6", "17", "-1", "INGRESS", "EGRESS", "DROP", "REJECT", "ALLOW", "NoPublicAccess",
    "ObjectRead", "DAYS", "YEARS", "us-ashburn-1", "eu-frankfurt-1", "us-east-1", "*", "ocid1.tenancy.oc1..x",
    "ocid1.key.oc1.fra.x.y", "ocid1.key.oc1.iad.x.y", "arn:aws:kms:eu-west-1:999999999999:key/x", "arn:aws:iam::*:root",
    "Allow group A to manage all-resources in tenancy", "Endorse group A to manage all-resources in any-tenancy",
    "Define tenancy P as ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000",
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"}]}', "{not json", "null",
    "2099-01-01", "1970-01-01T00:00:00Z", "\u0000", "\ud7ff\u00e9\u4e2d", "x" * 2000,
]  # fmt: skip


def ip_networks() -> st.SearchStrategy[str]:
    v4 = st.builds(lambda a, n: f"{a}/{n}", st.ip_addresses(v=4), st.integers(0, 32))
    v6 = st.builds(lambda a, n: f"{a}/{n}", st.ip_addresses(v=6), st.integers(0, 128))
    return st.one_of(v4, v6, st.ip_addresses().map(str))


def scalars() -> st.SearchStrategy:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
        st.sampled_from(ODD_STRINGS),
        st.sampled_from(sorted(UNKNOWN_SENTINELS)),
        ip_networks(),
    )


def keys() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(PROPERTY_KEYS), st.text(max_size=8))


def values(max_leaves: int = 12) -> st.SearchStrategy:
    return st.recursive(
        scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(keys(), inner, max_size=4),
            inner.map(secret),
        ),
        max_leaves=max_leaves,
    )


def huge_list() -> st.SearchStrategy[list]:
    """Hundreds to thousands of elements: CIDRs, rule objects or statements, built without per-element draws.

    Kept under ~1,500: every policy re-decodes the properties (pulumi_policy decodes per policy), so a
    4,000-rule list costs seconds per Analyze; see docs/benchmarks.md."""

    def build(kind: int, n: int) -> list:
        if kind == 0:
            return [f"10.{i // 256 % 256}.{i % 256}.0/24" for i in range(n)]
        if kind == 1:
            return [{"protocol": "6", "source": f"2001:db8:{i:x}::/64", "sourceType": "CIDR_BLOCK",
                     "destination": f"10.0.{i % 256}.0/24", "tcpOptions": {"min": i % 65535 + 1, "max": None}} for i in range(n)]  # fmt: skip
        return [f"Allow group g{i} to read buckets in compartment c{i}" for i in range(n)]

    return st.builds(build, st.integers(0, 2), st.integers(500, 1500))


def properties() -> st.SearchStrategy[dict]:
    plain = st.dictionaries(keys(), values(), max_size=8)
    huge = st.builds(lambda p, k, v: {**p, k: v}, plain, st.sampled_from(PROPERTY_KEYS), huge_list())
    return st.integers(0, 7).flatmap(lambda pick: huge if pick == 0 else plain)  # one in eight carries a huge list
