"""Whether a gateway's traffic logs are enabled and reach the estate's log archive.

A sanctioned interface is accepted only when what crosses it leaves a record the estate keeps: the gateway's
traffic log (an ``oci:Logging/log:Log`` of service ``ocinetworkfirewall``, category ``trafficlog``, whose
resource is the firewall) is enabled, and a Service Connector Hub connector that is not inactive moves it
(named as a log source, or its whole log group) into an Object Storage bucket of the stack that keeps objects
at least ``minimumRetentionDays`` (a retention rule): the kit's ``LogArchive`` is such a connector and bucket.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from residency_policies.analysis.network_graph.model import NetResource
from residency_policies.values import is_unknown

LOG = "oci:Logging/log:Log"
CONNECTOR = "oci:Sch/connector:Connector"
BUCKET = "oci:ObjectStorage/bucket:Bucket"
FIREWALL_LOG_SERVICE = "ocinetworkfirewall"
TRAFFIC_CATEGORY = "trafficlog"
_DAYS = {"DAYS": 1, "YEARS": 365}


class LoggingState(Enum):
    ARCHIVED = "archived"
    NO_TRAFFIC_LOG = "no traffic log"
    DISABLED = "traffic log disabled"
    NOT_ARCHIVED = "not archived"
    UNKNOWN = "cannot be verified at preview"


@dataclass(frozen=True)
class GatewayLogging:
    state: LoggingState
    urn: str
    """Where to fix it: the log (or the gateway when it has none)."""
    text: str
    """What was found, as a sentence part: ``traffic log 'x' goes to bucket 'y' (365 days) through 'z'``."""
    log: str = ""
    connector: str = ""
    bucket: str = ""

    @property
    def ok(self) -> bool:
        return self.state is LoggingState.ARCHIVED


def _deps(r: NetResource, key: str) -> tuple[str, ...]:
    return r.property_dependencies.get(key, ())


def _traffic_logs(items: list[NetResource], gateway: NetResource) -> list[NetResource]:
    found = []
    for r in items:
        if r.type != LOG:
            continue
        config = r.props.get("configuration")
        source = config.get("source") if isinstance(config, dict) else None
        if not isinstance(source, dict):
            continue
        if source.get("service") != FIREWALL_LOG_SERVICE or source.get("category") != TRAFFIC_CATEGORY:
            continue
        resource = source.get("resource")
        if gateway.urn in _deps(r, "configuration") or (isinstance(resource, str) and not is_unknown(resource)
                                                       and resource == gateway.props.get("id")):
            found.append(r)
    return found


def _archives(items: list[NetResource], log: NetResource) -> list[NetResource]:
    """Connectors that read ``log``: named as a log source, or its whole log group (an entry with no ``logId``)."""
    groups = set(_deps(log, "logGroupId"))
    literal_group = log.props.get("logGroupId")
    out = []
    for r in items:
        if r.type != CONNECTOR:
            continue
        source = r.props.get("source")
        if not isinstance(source, dict) or source.get("kind") != "logging":
            continue
        deps = set(_deps(r, "source"))
        listed = source.get("logSources")
        entries = listed if isinstance(listed, list) else []
        whole_group = any(isinstance(e, dict) and not e.get("logId") and (
            bool(groups & deps) or (isinstance(literal_group, str) and e.get("logGroupId") == literal_group))
            for e in entries)
        if log.urn in deps or whole_group:
            out.append(r)
    return out


def _retention_days(bucket: NetResource) -> int | None:
    """The longest retention rule of a bucket, in days (None when it has none that can be read)."""
    rules = bucket.props.get("retentionRules")
    best = None
    for rule in rules if isinstance(rules, list) else []:
        duration = rule.get("duration") if isinstance(rule, dict) else None
        if not isinstance(duration, dict):
            continue
        amount, unit = duration.get("timeAmount"), str(duration.get("timeUnit") or "").upper()
        try:
            days = int(float(amount)) * _DAYS[unit]  # type: ignore[arg-type]  # a bad value is skipped below
        except (TypeError, ValueError, KeyError):
            continue
        best = days if best is None else max(best, days)
    return best


def gateway_logging(resources: Iterable[NetResource], gateway: NetResource, minimum_days: int) -> GatewayLogging:
    items = list(resources)
    logs = _traffic_logs(items, gateway)
    if not logs:
        return GatewayLogging(
            LoggingState.NO_TRAFFIC_LOG, gateway.urn,
            f"gateway '{gateway.name}' has no traffic log (an oci.logging.Log of log type SERVICE whose source is "
            f"service {FIREWALL_LOG_SERVICE}, category {TRAFFIC_CATEGORY}, resource the firewall's id)")
    best: GatewayLogging | None = None
    for log in logs:
        found = _judge_log(items, log, minimum_days)
        if found.ok:
            return found
        best = best or found
    return best  # type: ignore[return-value]


def _judge_log(items: list[NetResource], log: NetResource, minimum_days: int) -> GatewayLogging:
    enabled = log.props.get("isEnabled")
    if enabled is False:
        return GatewayLogging(LoggingState.DISABLED, log.urn, f"traffic log '{log.name}' is disabled (isEnabled: false)",
                              log=log.name)
    if is_unknown(enabled):
        return GatewayLogging(LoggingState.UNKNOWN, log.urn, f"{log.name}.isEnabled is unknown at preview", log=log.name)
    connectors = _archives(items, log)
    if not connectors:
        return GatewayLogging(
            LoggingState.NOT_ARCHIVED, log.urn,
            f"traffic log '{log.name}' is the log source of no service connector, so it reaches no log archive",
            log=log.name)
    why = ""
    buckets = {r.props.get("name"): r for r in items if r.type == BUCKET and isinstance(r.props.get("name"), str)}
    for connector in connectors:
        if connector.props.get("state") == "INACTIVE":
            why = why or f"connector '{connector.name}' is inactive (state: INACTIVE)"
            continue
        target = connector.props.get("target")
        if not isinstance(target, dict) or target.get("kind") != "objectStorage":
            why = why or f"connector '{connector.name}' does not write to Object Storage"
            continue
        name = target.get("bucket")
        if is_unknown(name):
            return GatewayLogging(LoggingState.UNKNOWN, log.urn, f"{connector.name}.target.bucket is unknown at preview",
                                  log=log.name, connector=connector.name)
        bucket = buckets.get(name)
        if bucket is None:
            why = why or f"connector '{connector.name}' writes to bucket {name!r}, which is not created in this stack"
            continue
        days = _retention_days(bucket)
        if days is None or days < minimum_days:
            kept = f"keeps objects {days} days" if days is not None else "has no retention rule"
            why = why or (f"connector '{connector.name}' writes to bucket '{name}', which {kept} (a log archive keeps "
                          f"them at least minimumRetentionDays, {minimum_days})")
            continue
        return GatewayLogging(
            LoggingState.ARCHIVED, log.urn,
            f"traffic log '{log.name}' goes through connector '{connector.name}' to bucket '{name}' ({days} days)",
            log=log.name, connector=connector.name, bucket=str(name))
    return GatewayLogging(LoggingState.NOT_ARCHIVED, log.urn, f"traffic log '{log.name}' reaches no log archive: {why}",
                          log=log.name)
