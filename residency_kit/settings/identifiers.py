"""Validated identifier types used by the settings model: regions, CIDRs, OCIDs, AWS account and org IDs.

Each type is an ``Annotated`` pydantic type whose validator raises a ``ValueError`` that says what is
allowed, so that the settings loader can turn it into one line naming the key and the value.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from residency_policies.aws_identifiers import is_account_id, is_organization_id
from residency_policies.ip_ranges import as_network
from residency_policies.oci_identifiers import is_ocid_of
from residency_policies.region_tables import AWS_US_REGIONS, OCI_US_REGIONS


def _require_str(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return value


def _oci_region(value: str) -> str:
    if value not in OCI_US_REGIONS:
        raise ValueError(f"not a US OCI region; allowed: {', '.join(OCI_US_REGIONS)}")
    return value


def _aws_region(value: str) -> str:
    if value not in AWS_US_REGIONS:
        raise ValueError(f"not a US AWS region; allowed: {', '.join(AWS_US_REGIONS)}")
    return value


def _cidr(value: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    # A network object is what a validated model holds (and ``model_dump()`` returns): accept it, so settings
    # round-trip through ``model_validate(model.model_dump())`` and can be derived from one another.
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    return as_network(_require_str(value))


def _ipv4_cidr(value: object) -> ipaddress.IPv4Network:
    network = _cidr(value)
    if not isinstance(network, ipaddress.IPv4Network):
        raise ValueError("not an IPv4 CIDR block; allowed: an IPv4 network such as 10.0.0.0/16")
    return network


def _ocid(kind: str):
    def check(value: str) -> str:
        if not is_ocid_of(value, kind):
            raise ValueError(f"not a {kind} OCID; allowed: ocid1.{kind}.<realm>..<unique id>")
        return value

    return check


def _aws_account(value: str) -> str:
    if not is_account_id(value):
        raise ValueError("not an AWS account ID; allowed: exactly 12 digits")
    return value


def _aws_organization(value: str) -> str:
    if not is_organization_id(value):
        raise ValueError("not an AWS organization ID; allowed: o- followed by 10 to 32 lowercase letters or digits")
    return value


OciRegion = Annotated[str, BeforeValidator(_require_str), AfterValidator(_oci_region)]
AwsRegion = Annotated[str, BeforeValidator(_require_str), AfterValidator(_aws_region)]
Cidr = Annotated[ipaddress.IPv4Network | ipaddress.IPv6Network, BeforeValidator(_cidr)]
Ipv4Cidr = Annotated[ipaddress.IPv4Network, BeforeValidator(_ipv4_cidr)]
TenancyOcid = Annotated[str, BeforeValidator(_require_str), AfterValidator(_ocid("tenancy"))]
AwsAccountId = Annotated[str, BeforeValidator(_require_str), AfterValidator(_aws_account)]
AwsOrganizationId = Annotated[str, BeforeValidator(_require_str), AfterValidator(_aws_organization)]
# OCIDs of other resource kinds, one named type each: a call inside an annotation is invisible to type checkers.
KeyOcid = Annotated[str, BeforeValidator(_require_str), AfterValidator(_ocid("key"))]
VaultOcid = Annotated[str, BeforeValidator(_require_str), AfterValidator(_ocid("vault"))]
VaultSecretOcid = Annotated[str, BeforeValidator(_require_str), AfterValidator(_ocid("vaultsecret"))]
GroupOcid = Annotated[str, BeforeValidator(_require_str), AfterValidator(_ocid("group"))]
VcnOcid = Annotated[str, BeforeValidator(_require_str), AfterValidator(_ocid("vcn"))]
RemotePeeringConnectionOcid = Annotated[str, BeforeValidator(_require_str), AfterValidator(_ocid("remotepeeringconnection"))]
