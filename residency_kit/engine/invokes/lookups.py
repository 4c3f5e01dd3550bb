"""Answers to lookups of cloud state, shaped by the provider SDK's own result type.

For every field of ``Get<Fn>Result`` (``sdk_shapes``), in this order:

1. a top-level field that is one of the function's arguments echoes the argument (a lookup returns what it
   was asked for: ``compartmentId``, ``filters``, ``name``...); one the call did not pass is null, unless it
   is an AWS string (``id``, ``cidrBlock``, ``state`` are also what an AWS lookup found: answered as below);
2. a top-level ``region`` is the provider's region (the call was made there), unknown if that is unknown;
3. a field that decides residency is **unknown**: a region, CIDR or IP address, an account, owner,
   tenancy, compartment or principal, an ARN (it names an account), a key or vault, a policy document, an
   endpoint, an availability zone or domain, a location. Strings are markers (``ledger``), numbers and
   bools null, and the pack fails closed on whatever the program builds from them;
4. anything else is made up and listed as assumed: identifiers of the provider's kind and region
   (``ocid1.image.oc1.phx.assumed07731902``, ``ami-0assumed40518276``), names, other strings; lists get
   ``LIST_LENGTH`` items, maps are empty, numbers and bools null.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from residency_kit.engine.invokes.context import ProviderContext
from residency_kit.engine.invokes.ledger import InvokeRecord, Ledger
from residency_kit.engine.invokes.regions import oci_realm, oci_region_segment
from residency_kit.engine.invokes.sdk_shapes import Shape, argument_fields, token_parts

LIST_LENGTH = 3
NESTED_LIST_LENGTH = 1

_DECIDING_WORDS = frozenset(
    {
        "region", "regions", "cidr", "cidrs", "ip", "ips", "ipv4", "ipv6", "address", "addresses",
        "account", "accounts", "owner", "owners", "tenancy", "tenancies", "tenant", "principal",
        "principals", "arn", "arns", "compartment", "compartments", "realm", "endpoint", "endpoints",
        "kms", "vault", "vaults", "policy", "policies", "location", "locations", "country",
    }
)
_DECIDING_PHRASES = ("availabilityzone", "availabilitydomain", "homeregion", "keyid", "keyarn")
# OCI resource kinds whose OCIDs carry no region (tenancy-wide identity and governance resources).
_OCI_GLOBAL_KINDS = frozenset(
    {"compartment", "tenancy", "user", "group", "dynamicgroup", "policy", "tagnamespace", "tag",
     "tagdefinition", "domain", "identityprovider", "authenticationpolicy", "networksource"}
)
_AWS_ID_PREFIXES = {
    "vpc": "vpc", "subnet": "subnet", "securitygroup": "sg", "ami": "ami", "image": "ami",
    "internetgateway": "igw", "natgateway": "nat", "routetable": "rtb", "instance": "i", "volume": "vol",
    "ebsvolume": "vol", "snapshot": "snap", "ebssnapshot": "snap", "networkinterface": "eni",
    "keypair": "key", "transitgateway": "tgw", "vpcendpoint": "vpce", "prefixlist": "pl",
    "networkacl": "acl", "dhcpoptions": "dopt", "launchtemplate": "lt", "eip": "eipalloc",
    "vpcpeeringconnection": "pcx", "customergateway": "cgw", "vpngateway": "vgw",
}


def words(wire_name: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", wire_name)]


def decides_residency(wire_name: str) -> bool:
    ws = words(wire_name)
    joined = "".join(ws)
    return any(w in _DECIDING_WORDS for w in ws) or any(p in joined for p in _DECIDING_PHRASES)


def function_noun(token: str) -> str:
    """``oci:Core/getImages:getImages`` -> ``image``; ``aws:ec2/getVpc:getVpc`` -> ``vpc``."""
    parts = token_parts(token)
    fn = parts[2] if parts else token
    noun = fn[3:] if fn.startswith("get") else fn
    noun = noun.lower()
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ses", "s"), ("s", "")):
        if noun.endswith(suffix) and len(noun) > len(suffix) + 2:
            return noun[: -len(suffix)] + repl
    return noun


def _identifier(package: str, kind: str, ctx: ProviderContext, tag: str) -> str:
    if package == "oci":
        kind = kind or "resource"
        segment = "" if kind in _OCI_GLOBAL_KINDS else oci_region_segment(ctx.region)
        return f"ocid1.{kind}.{oci_realm(ctx.region)}.{segment}.{tag}"
    prefix = _AWS_ID_PREFIXES.get(kind, kind or "id")
    return f"{prefix}-0{tag}"


class ShapedAnswer:
    """Builds one lookup's answer from its shape, recording every made-up and unknown field."""

    def __init__(self, token: str, ctx: ProviderContext, record: InvokeRecord, ledger: Ledger):
        self.token = token
        self.package = token.split(":", 1)[0]
        self.ctx = ctx
        self.record = record
        self.ledger = ledger
        self.noun = function_noun(token)

    def build(
        self, shape: Shape, args: Mapping[str, Any], skip: frozenset[str] | set[str] = frozenset(), *, handled: bool = False
    ) -> dict[str, Any]:
        """The top-level fields of ``shape`` not in ``skip`` (those a handler already answered). With
        ``handled`` (a handler computed the answer) an argument is only ever echoed."""
        out: dict[str, Any] = {}
        arguments = argument_fields(self.token)
        for f in shape.fields:
            if f.wire_name in skip:
                continue
            if f.wire_name in args and args[f.wire_name] is not None:
                out[f.wire_name] = args[f.wire_name]
            elif f.wire_name in arguments and (handled or f.shape.kind != "str" or self.package == "oci"):
                # An argument the call did not pass (filters, owners, flags) is absent from the answer. An AWS
                # string argument (id, cidrBlock, state) is also what the lookup found, so it is answered;
                # the OCI provider's arguments are filters only.
                out[f.wire_name] = None
            elif f.wire_name == "region" and f.shape.kind == "str":
                out[f.wire_name] = self.ctx.region or self.ledger.marker(self.record, "region")
            else:
                out[f.wire_name] = self.value(f.shape, f.wire_name, f.wire_name, deciding=False, depth=0)
        return out

    def value(self, shape: Shape, name: str, path: str, *, deciding: bool, depth: int, items: tuple[int, ...] = ()) -> Any:
        """``items``: the index of each list item on the way down, so that the markers of two items differ (a
        program may name resources after them)."""
        deciding = deciding or decides_residency(name)
        kind = shape.kind
        if kind == "str" or kind == "any":
            if deciding:
                return self.ledger.marker(self.record, path, items=items)
            return self.made_up_string(name, path)
        if kind in ("bool", "number"):
            self.record.add("unknown" if deciding else "assumed", path)
            return None
        if kind == "map":
            self.record.add("assumed", path)
            return {}
        if kind == "list":
            item = shape.item or Shape("any")
            count = LIST_LENGTH if depth == 0 else NESTED_LIST_LENGTH
            if deciding and item.kind in ("str", "any"):
                count = 1
            singular = name[:-1] if name.endswith("s") else name
            return [
                self.value(item, singular, f"{path}[]", deciding=deciding, depth=depth + 1, items=(*items, i))
                for i in range(count)
            ]
        if kind == "object":
            return {
                f.wire_name: self.value(f.shape, f.wire_name, f"{path}.{f.wire_name}", deciding=deciding,
                                        depth=depth + 1, items=items)
                for f in shape.fields
            }
        return None

    def made_up_string(self, name: str, path: str) -> str:
        tag = self.ledger.assumed_tag(self.record, path)
        ws = words(name)
        if ws and ws[-1] in ("id", "ids"):
            kind = "".join(ws[:-1]) or self.noun
            return _identifier(self.package, kind, self.ctx, tag)
        if ws and ws[-1] in ("name", "names"):
            return f"{self.noun}-{tag}"
        return tag
