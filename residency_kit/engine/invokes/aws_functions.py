"""AWS provider functions answered from the provider's configuration and the arguments, offline.

Pure functions are computed exactly: ``getPartition``, ``getRegion``, ``getArn``, ``getDefaultTags``,
``getServicePrincipal``, ``getPolicyDocument`` (``aws_policy_document``) and the provider functions
``arnParse``, ``arnBuild``, ``trimIamRolePath`` and ``userAgent``. ``getCallerIdentity`` is computed
when the provider pins its account (a single ``allowedAccountIds`` entry, or the account of the role it
assumes), and its account is unknown otherwise: offline there are no credentials to ask. Zones and
enabled regions are account state: they are assumed, consistent with the provider's region.

Each handler returns the fields it answers; ``invokes.answer`` fills the rest from the SDK's result type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from residency_kit.engine.invokes.aws_policy_document import TOKEN as POLICY_DOCUMENT_TOKEN
from residency_kit.engine.invokes.aws_policy_document import PolicyDocumentError, policy_document
from residency_kit.engine.invokes.context import ProviderContext, known_string
from residency_kit.engine.invokes.ledger import InvokeRecord, Ledger
from residency_kit.engine.invokes.lookups import LIST_LENGTH
from residency_policies.aws_identifiers import is_account_id, parse_arn
from residency_kit.engine.invokes.regions import (
    AWS_DEFAULT_REGIONS,
    AWS_DESCRIPTIONS,
    aws_partition,
    aws_zone_id_prefix,
    aws_zone_names,
)

Handler = Callable[[Mapping[str, Any], ProviderContext, InvokeRecord, Ledger], dict[str, Any]]
BILLING_ACCOUNT = {"aws": "386209384616"}


class InvokeFailure(ValueError):
    """The provider would fail the invoke; the message is its reason."""


def _region(args: Mapping[str, Any], ctx: ProviderContext) -> str | None:
    return known_string(args.get("region")) or ctx.region


def partition(args, ctx, record, ledger):
    region = _region(args, ctx)
    if region is None:
        return {k: ledger.marker(record, k) for k in ("partition", "dnsSuffix", "reverseDnsPrefix", "id")}
    name, suffix = aws_partition(region)
    return {"partition": name, "id": name, "dnsSuffix": suffix, "reverseDnsPrefix": ".".join(reversed(suffix.split(".")))}


def region_(args, ctx, record, ledger):
    region = known_string(args.get("region")) or known_string(args.get("name")) or ctx.region
    endpoint_arg = known_string(args.get("endpoint"))
    if region is None and endpoint_arg:
        parts = endpoint_arg.split(".")
        region = parts[1] if len(parts) > 2 else None
    if region is None:
        return {k: ledger.marker(record, k) for k in ("name", "region", "id", "endpoint", "description")}
    suffix = aws_partition(region)[1]
    out = {"name": region, "region": region, "id": region, "endpoint": endpoint_arg or f"ec2.{region}.{suffix}"}
    description = AWS_DESCRIPTIONS.get(region)
    out["description"] = description if description else ledger.assumed_exact(record, "description", region)
    return out


def regions(args, ctx, record, ledger):
    names = [ledger.assumed_exact(record, "names[]", r) for r in AWS_DEFAULT_REGIONS]
    return {"names": names, "id": "aws"}


def caller_identity(args, ctx, record, ledger):
    account = None
    allowed = ctx.value("allowedAccountIds")
    if isinstance(allowed, list) and len(allowed) == 1 and known_string(allowed[0]):
        account = allowed[0]
    roles = ctx.value("assumeRoles") or ([ctx.value("assumeRole")] if ctx.value("assumeRole") else [])
    if account is None and isinstance(roles, list) and roles and isinstance(roles[-1], dict):
        role = parse_arn(known_string(roles[-1].get("roleArn")))
        if role is not None and is_account_id(role.account):
            account = role.account
    if account is None:
        record.note = "no credentials offline: the account is unknown unless the provider pins allowedAccountIds or assumes a role"
        account = ledger.marker(record, "accountId")
        return {"accountId": account, "id": account, "arn": ledger.marker(record, "arn"), "userId": ledger.marker(record, "userId")}
    record.note = "account from the provider's configuration"
    return {"accountId": account, "id": account, "arn": ledger.marker(record, "arn"), "userId": ledger.marker(record, "userId")}


def arn(args, ctx, record, ledger):
    text = known_string(args.get("arn")) or ""
    parsed = parse_arn(text)
    if parsed is None:
        raise InvokeFailure(f"arn: invalid ARN {text!r}")
    return {"arn": text, "id": text, "partition": parsed.partition, "service": parsed.service,
            "region": parsed.region, "account": parsed.account, "resource": parsed.resource}


def arn_parse(args, ctx, record, ledger):
    parsed = arn(args, ctx, record, ledger)
    return {"partition": parsed["partition"], "service": parsed["service"], "region": parsed["region"],
            "accountId": parsed["account"], "resource": parsed["resource"]}


def arn_build(args, ctx, record, ledger):
    parts = [str(args.get(k) or "") for k in ("partition", "service", "region", "accountId", "resource")]
    return {"result": "arn:" + ":".join(parts)}


def trim_iam_role_path(args, ctx, record, ledger):
    """The provider function ``trim_iam_role_path``: ``...:role/a/b/name`` -> ``...:role/name``."""
    text = known_string(args.get("arn")) or ""
    head, sep, resource = text.rpartition(":")
    if not sep or not resource.startswith("role/"):
        raise InvokeFailure(f"arn: {text!r} is not an IAM role ARN")
    return {"result": f"{head}:role/{resource.rsplit('/', 1)[-1]}"}


def user_agent(args, ctx, record, ledger):
    name = str(args.get("productName") or "")
    version = args.get("productVersion")
    comment = args.get("comment")
    text = name + (f"/{version}" if version else "") + (f" ({comment})" if comment else "")
    return {"result": text}


def default_tags(args, ctx, record, ledger):
    tags = ctx.value("defaultTags")
    tags = tags.get("tags") if isinstance(tags, dict) else None
    return {"tags": dict(tags or {}), "id": "aws"}


def service_principal(args, ctx, record, ledger):
    region = _region(args, ctx)
    service = known_string(args.get("serviceName")) or ""
    if region is None:
        return {k: ledger.marker(record, k) for k in ("name", "id", "suffix", "region")} | {"serviceName": service}
    suffix = "amazonaws.com" if aws_partition(region)[0] != "aws-cn" else ledger.assumed_exact(record, "suffix", "amazonaws.com.cn")
    name = f"{service}.{suffix}"
    return {"name": name, "id": f"{service}.{region}.{suffix}", "suffix": suffix, "region": region, "serviceName": service}


def billing_service_account(args, ctx, record, ledger):
    region = ctx.region
    account = BILLING_ACCOUNT.get(aws_partition(region)[0]) if region else None
    if account is None:
        return {"id": ledger.marker(record, "id"), "arn": ledger.marker(record, "arn")}
    return {"id": account, "arn": f"arn:aws:iam::{account}:root"}


def availability_zones(args, ctx, record, ledger):
    region = _region(args, ctx)
    if region is None:
        names = [ledger.marker(record, "names[]", items=(i,)) for i in range(LIST_LENGTH)]
        return {"names": names, "zoneIds": [ledger.marker(record, "zoneIds[]", items=(i,)) for i in range(LIST_LENGTH)],
                "groupNames": [ledger.marker(record, "groupNames[]")], "id": ledger.marker(record, "id")}
    excluded_names = set(args.get("excludeNames") or ())
    excluded_ids = set(args.get("excludeZoneIds") or ())
    prefix = aws_zone_id_prefix(region)
    zones = [(name, f"{prefix}-az{i}") for i, name in enumerate(aws_zone_names(region), start=1)]
    zones = [(n, z) for n, z in zones if n not in excluded_names and z not in excluded_ids]
    return {
        "names": [ledger.assumed_exact(record, "names[]", n) for n, _ in zones],
        "zoneIds": [ledger.assumed_exact(record, "zoneIds[]", z) for _, z in zones],
        "groupNames": [ledger.assumed_exact(record, "groupNames[]", region)],
        "id": region,
        "region": region,
    }


def availability_zone(args, ctx, record, ledger):
    name = known_string(args.get("name"))
    region = name[:-1] if name else _region(args, ctx)
    if region is None:
        return {k: ledger.marker(record, k) for k in ("name", "zoneId", "region", "groupName", "networkBorderGroup", "id")}
    prefix = aws_zone_id_prefix(region)
    zones = aws_zone_names(region)
    zone_id = known_string(args.get("zoneId"))
    if name is None:
        index = int(zone_id.rsplit("az", 1)[-1]) - 1 if zone_id and zone_id.rsplit("az", 1)[-1].isdigit() else 0
        name = zones[min(index, len(zones) - 1)]
    zone_id = zone_id or f"{prefix}-az{zones.index(name) + 1 if name in zones else 1}"
    return {
        "name": ledger.assumed_exact(record, "name", name),
        "nameSuffix": name[len(region):],
        "zoneId": ledger.assumed_exact(record, "zoneId", zone_id),
        "region": region,
        "id": name,
        "groupName": region,
        "groupLongName": ledger.assumed_exact(record, "groupLongName", AWS_DESCRIPTIONS.get(region, region)),
        "networkBorderGroup": region,
        "optInStatus": ledger.assumed_exact(record, "optInStatus", "opt-in-not-required"),
        "zoneType": ledger.assumed_exact(record, "zoneType", "availability-zone"),
        "state": ledger.assumed_exact(record, "state", "available"),
    }


def get_policy_document(args, ctx, record, ledger):
    try:
        return policy_document(args)
    except PolicyDocumentError as err:
        raise InvokeFailure(str(err)) from None


HANDLERS: dict[str, Handler] = {
    "aws:index/getpartition:getpartition": partition,
    "aws:index/getregion:getregion": region_,
    "aws:index/getregions:getregions": regions,
    "aws:index/getcalleridentity:getcalleridentity": caller_identity,
    "aws:index/getarn:getarn": arn,
    "aws:index/arnparse:arnparse": arn_parse,
    "aws:index/arnbuild:arnbuild": arn_build,
    "aws:index/trimiamrolepath:trimiamrolepath": trim_iam_role_path,
    "aws:index/useragent:useragent": user_agent,
    "aws:index/getdefaulttags:getdefaulttags": default_tags,
    "aws:index/getserviceprincipal:getserviceprincipal": service_principal,
    "aws:index/getbillingserviceaccount:getbillingserviceaccount": billing_service_account,
    "aws:index/getavailabilityzones:getavailabilityzones": availability_zones,
    "aws:index/getavailabilityzone:getavailabilityzone": availability_zone,
    POLICY_DOCUMENT_TOKEN.lower(): get_policy_document,
}
