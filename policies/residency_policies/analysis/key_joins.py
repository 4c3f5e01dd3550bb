"""Keys a data store gets from another resource of the stack: an AWS bucket's separate encryption resource
(``BucketServerSideEncryptionConfiguration``), and EBS encryption by default with a customer-managed
``DefaultKmsKey`` in the same region, which covers every EBS volume created without a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from residency_policies.analysis.data_bearing_types import DATA_BEARING_TYPES, DataBearingType
from residency_policies.analysis.key_locations import judge_key, key_resource_findings, reported_region
from residency_policies.analysis.required_keys import has_key
from residency_policies.findings import Finding
from residency_policies.provider_regions import effective_region
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, walk
from residency_policies.views import ResourceView

BUCKET_SSE_TYPES = frozenset({
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
})
SSE_KEY_PATH = "rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId"
EBS_ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
EBS_DEFAULT_KMS_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey"


def ebs_default_key_regions(resources: Sequence[ResourceView]) -> set[str]:
    """Regions where EBS encryption by default is on and the default key is a customer-managed key."""
    def regions(type_: str, ok: Callable[[ResourceView], bool]) -> set[str]:
        out = set()
        for r in resources:
            if r.type == type_ and ok(r):
                eff = effective_region(r)
                if eff is not None and eff.region:
                    out.add(eff.region)
        return out

    enabled = regions(EBS_ENCRYPTION_BY_DEFAULT, lambda r: r.props.get("enabled") is not False)
    keyed = regions(EBS_DEFAULT_KMS_KEY, lambda r: has_key(r.props.get("keyArn")))
    return enabled & keyed


def covered_by_ebs_default(resource: ResourceView, regions: set[str]) -> bool:
    """Whether the resource's region has EBS encryption by default with a customer-managed key."""
    region = effective_region(resource)
    return region is not None and region.region is not None and region.region in regions


def _bucket_refers(sse: ResourceView, bucket: ResourceView) -> bool:
    if bucket.urn in sse.property_dependencies.get("bucket", ()):
        return True
    name = sse.props.get("bucket")
    return isinstance(name, str) and not is_unknown(name) and name == bucket.props.get("bucket")


def bucket_key_findings(bucket: ResourceView, spec: DataBearingType, resources: Sequence[ResourceView],
                        by_urn: Mapping[str, ResourceView], rules: Rules) -> Iterator[Finding]:
    """An AWS bucket's key: inline, or in an encryption resource of the stack that names the bucket."""
    inline = [v for p in spec.key_paths if "erverSideEncryption" in p for _, v in walk(bucket.props, p)]
    configs = [s for s in resources if s.type in BUCKET_SSE_TYPES and _bucket_refers(s, bucket)]
    keys = inline + [v for s in configs for _, v in walk(s.props, SSE_KEY_PATH)]
    if not any(has_key(k) for k in keys):
        yield Finding(
            "the bucket has no customer-managed KMS key: add a BucketServerSideEncryptionConfiguration with "
            "sseAlgorithm aws:kms and kmsMasterKeyId set to a key in an allowed region",
            urn=bucket.urn,
        )
    for sse in configs:
        if sse.type in DATA_BEARING_TYPES:
            continue  # its own key paths are judged as a keyed type (resource and stack phases)
        for where, value in walk(sse.props, SSE_KEY_PATH):
            for problem in judge_key(where, value, "aws", rules, reported_region(sse, rules)):
                yield Finding(problem, urn=sse.urn)
            if is_unknown(value):
                yield from key_resource_findings(sse, where, sse.property_dependencies.get("rules", ()), by_urn)
