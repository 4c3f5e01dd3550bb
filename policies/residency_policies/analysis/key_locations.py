"""Where a key named by a data store is held: its region and account, from a literal OCID / ARN or from the key
resource of the stack it comes from.

One mistake, one violation: a key whose region is already ``us-region-providers``' finding is not reported
again. A key created in this stack takes its region from its provider (or its own AWS ``region`` input), which
``us-region-providers`` reports whenever it is not allowed (or not set); a literal key in the very region the
data store itself is reported for (a provider in ap-southeast-1 whose resources use ap-southeast-1 keys) is
part of that one mistake (``reported_region``). A key in a region that differs from the store's reported one
is its own finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from residency_policies.aws_identifiers import parse_arn
from residency_policies.findings import Finding
from residency_policies.oci_identifiers import ocid_region
from residency_policies.provider_regions import cloud_of_type, effective_region
from residency_policies.region_tables import oci_region_name
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown
from residency_policies.views import ResourceView

KEY_RESOURCE_TYPES = ("oci:Kms/key:Key", "aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws:kms/externalKey:ExternalKey")


def reported_region(resource: ResourceView, rules: Rules) -> str | None:
    """The region ``us-region-providers`` already reports for this resource (its provider's, or its own AWS
    ``region`` input, when known and not allowed); None when it reports none."""
    cloud = cloud_of_type(resource.type)
    eff = effective_region(resource)
    if cloud is None or eff is None or eff.unknown or not eff.region:
        return None
    region = (oci_region_name(eff.region) or eff.region) if cloud == "oci" else eff.region
    return None if region in rules.allowed_regions(cloud) else region


def judge_key(where: str, value: object, cloud: str | None, rules: Rules, covered: str | None = None) -> Iterator[str]:
    """Problems with one literal key reference (empty when it is fine or unknown = created in the stack).

    ``covered``: the store's own disallowed region, already reported by ``us-region-providers``; a key held in
    that same region is part of that finding, not a second one.
    """
    if is_unknown(value) or not isinstance(value, str) or not value:
        return
    if cloud == "oci":
        ref = ocid_region(value)
        if ref.unrecognised:
            yield f"{where} = {value!r}: region segment {ref.unrecognised!r} of the key OCID is not a known region"
        elif ref.region and ref.region not in rules.allowed_regions_oci and ref.region != covered:
            yield f"{where}: the key {value!r} is held in {ref.region}, outside the allowed OCI regions"
        return
    arn = parse_arn(value)
    if arn is None:
        if value.startswith("alias/aws/"):
            yield f"{where} = {value!r} is an AWS-managed key, not a customer-managed one"
        return  # a bare key id / alias resolves in the resource's own (checked) region
    if arn.resource.startswith("alias/aws/"):
        yield f"{where} = {value!r} is an AWS-managed key, not a customer-managed one"
    if arn.region and arn.region not in rules.allowed_regions_aws and arn.region != covered:
        yield f"{where}: the key {value!r} is held in {arn.region}, outside the allowed AWS regions"
    if arn.account in rules.parent_aws_account_ids:
        yield f"{where}: the key {value!r} belongs to the parent company's account {arn.account}"


def key_resource_findings(resource: ResourceView, where: str, dependencies: tuple[str, ...],
                          by_urn: Mapping[str, ResourceView]) -> Iterator[Finding]:
    """A key named by an unknown value: the key resources of the stack it comes from (``dependencies``)."""
    keys = [by_urn[u] for u in dependencies if u in by_urn and by_urn[u].type in KEY_RESOURCE_TYPES]
    if not keys:
        # Unknown, and not the id of a key created in this stack: where the key is held cannot be known.
        yield Finding(f"the region of the key {where} names (it is not a key created in this stack)", urn=resource.urn,
                      path=where, unverifiable=True)
    for key in keys:
        # A key of this stack is a resource ``us-region-providers`` judges: a region that is not allowed, unset
        # or unknown is reported there, on the key's provider (or on the key, for its own region input), as the
        # one violation for the key and every store that uses it. Only a key whose region nothing else can
        # report (no provider to read it from) is judged here.
        if effective_region(key) is None:
            yield Finding(f"{where} uses key {key.urn}, whose region cannot be verified", urn=resource.urn, path=where,
                          unverifiable=True)
