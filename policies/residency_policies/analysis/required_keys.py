"""Whether a store of user data names the customer-managed key it must have (``data_bearing_types``: ``required``
paths, one of which holds a key, and ``each`` paths, every block of which holds its own), under the store's
conditions (``when``: an SSM parameter only of type ``SecureString``; ``unless``: a Firehose stream reading a
Kinesis stream or MSK topic keeps records under the source's key).

A key id produced by a resource of this stack is unknown at preview: it counts as present (presence is all the
resource shows; ``key_locations`` follows it to the key).
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.analysis.data_bearing_types import DataBearingType
from residency_policies.findings import Finding
from residency_policies.values import get, is_unknown, walk
from residency_policies.views import ResourceView

EBS_DEFAULT_HINT = (
    " (or give the stack an aws.ebs.EncryptionByDefault and an aws.ebs.DefaultKmsKey in the same region, which "
    "cover every EBS volume created without a key)"
)


def has_key(value: object) -> bool:
    """A key is named: a non-empty literal, or a value unknown at preview (a key created in the stack)."""
    return is_unknown(value) or (isinstance(value, str) and bool(value.strip()))


def key_required(resource: ResourceView, spec: DataBearingType) -> bool | None:
    """Whether the store's conditions make a key required: True / False, None when an unknown input decides."""
    for path in spec.unless:
        value = get(resource.props, path)
        if is_unknown(value):
            return None
        if value not in (None, "", [], {}):
            return False
    if spec.when is not None:
        path, wanted = spec.when
        value = get(resource.props, path)
        if is_unknown(value):
            return None
        return isinstance(value, str) and value.lower() == wanted.lower()
    return True


def missing_keys(resource: ResourceView, spec: DataBearingType) -> Iterator[Finding]:
    """A store's required key (one of ``required``) and every block's own key (``each``), where its
    conditions (``when`` / ``unless``) require one."""
    named = any(has_key(v) for p in spec.required for _, v in walk(resource.props, p))
    required = key_required(resource, spec)
    if required is None:
        if not named:
            condition = spec.when[0] if spec.when and is_unknown(get(resource.props, spec.when[0])) else next(
                (p for p in spec.unless if is_unknown(get(resource.props, p))), "a condition")
            yield Finding(f"whether a customer-managed key is required ({' or '.join(spec.required)})",
                          path=condition, unverifiable=True)
        return
    if not required:
        return
    hint = EBS_DEFAULT_HINT if spec.ebs_default else ""
    if spec.required and not named:
        condition = f" ({spec.when[0]} is {spec.when[1]})" if spec.when else ""
        yield Finding(
            f"no customer-managed key{condition}: set {' or '.join(spec.required)} to a key held in an allowed "
            "region (without it the provider uses a provider-managed key)" + hint
        )
    for path in spec.each:
        site, _, leaf = path.rpartition(".")
        for where, block in walk(resource.props, site):
            if is_unknown(block):
                yield Finding(f"whether every block at {where} names a customer-managed key", path=where, unverifiable=True)
            elif isinstance(block, dict) and not has_key(block.get(leaf)):
                yield Finding(f"{where} has no customer-managed key: set its {leaf} to a key held in an allowed region"
                              + hint)
