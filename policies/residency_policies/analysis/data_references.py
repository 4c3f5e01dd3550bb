"""Identifiers inside any resource's properties that name where data lives: OCIDs, ARNs, AD and AZ names.

A generic walk, not a per-type table: every string leaf of every property (tags, descriptions and
display names excepted) is read as an identifier when it is one:

* an OCID (``ocid1.<type>.<realm>.<region>.<unique>``) names its region, and its *type* says what it is;
* an ARN (``arn:aws:<service>:<region>:<account>:<resource>``) names region and account, and its service
  and resource type say what it is;
* an availability-domain name (``Uocm:PHX-AD-1``, ``xxxx:EU-FRANKFURT-1-AD-1``) or an AWS availability
  zone (``eu-west-1a``, ``use1-az1``, local zones ``us-east-1-bos-1a``) under an ``availabilityDomain`` /
  ``availabilityZone`` input places what the resource creates in that region.

What an identifier points at decides whether it is **data-bearing** (the data is kept, copied, encrypted,
placed or delivered there): keys and vaults, stores (buckets, volumes, backups, file systems, databases,
tables, caches, secrets, registries), streams, queues, topics, log groups and delivery streams,
functions and event buses that receive data, and the subnets / availability domains that place a
resource. Identifiers of what holds no user data — images, certificates, IAM principals and policies,
Lambda layers, SSM documents, load balancers, alarms — are not: a foreign region there is no residency
break. The tables below are written from OCI "Resource Identifiers" and the AWS Service Authorization
Reference (resource types per service); an OCID type or ARN service not listed is ``OTHER``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from residency_policies.aws_identifiers import Arn, parse_arn
from residency_policies.oci_identifiers import availability_domain_region, is_ocid, ocid_region, parse_ocid
from residency_policies.values import is_unknown

KEY = "key"
STORE = "store"
DESTINATION = "destination"
PLACEMENT = "placement"
OTHER = "other"
DATA_BEARING = frozenset({KEY, STORE, DESTINATION, PLACEMENT})

# OCID resource-type segment -> kind.
OCID_KINDS: dict[str, str] = {
    **dict.fromkeys(("key", "vault", "keyversion", "vaultsecret", "ekmsprivateendpoint"), KEY),
    **dict.fromkeys((
        "bucket", "volume", "bootvolume", "volumebackup", "bootvolumebackup", "volumegroup", "volumegroupbackup",
        "volumereplica", "bootvolumereplica", "volumegroupreplica", "blockvolumereplica", "filesystem",
        "mounttarget", "snapshot", "replication", "replicationtarget", "export", "outboundconnector",
        "lustrefilesystem", "autonomousdatabase", "autonomouscontainerdatabase", "database", "dbhome",
        "dbsystem", "dbnode", "vmcluster", "cloudvmcluster", "autonomousvmcluster", "cloudautonomousvmcluster",
        "exadatainfrastructure", "cloudexadatainfrastructure", "autonomousexainfrastructure", "pluggabledatabase",
        "dbbackup", "autonomousdatabasebackup", "dataguardassociation", "keystore", "mysqldbsystem", "mysqlbackup",
        "mysqlreplica", "heatwavecluster", "postgresqldbsystem", "postgresqlbackup", "nosqltable",
        "opensearchcluster", "rediscluster", "ocicachebackup", "goldengatedeployment", "datacatalog",
        "datasafeprivateendpoint", "containerrepo", "artifactrepository", "genericartifact", "instancepool",
        "databasesnapshot", "exascaledbstoragevault",
    ), STORE),
    **dict.fromkeys((
        "stream", "streampool", "queue", "onstopic", "loggroup", "log", "serviceconnector", "fnfunc", "fnapp",
        "logginganalyticsloggroup", "integrationinstance", "connectharness", "apigateway",
    ), DESTINATION),
    **dict.fromkeys(("subnet", "vcn", "vnic", "instance", "drg", "remotepeeringconnection"), PLACEMENT),
}

# ARN service -> kind for every resource of the service, or {resource type: kind} (others: OTHER).
_ANY = "*"
ARN_KINDS: dict[str, dict[str, str]] = {
    "kms": {_ANY: KEY},
    "cloudhsm": {_ANY: KEY},
    "secretsmanager": {_ANY: STORE},
    **{s: {_ANY: STORE} for s in (
        "s3", "s3express", "s3tables", "s3vectors", "s3-object-lambda", "dynamodb", "rds", "redshift",
        "redshift-serverless", "elasticfilesystem", "fsx", "backup", "glacier", "es", "aoss", "elasticache",
        "memorydb", "dax", "kafka", "ecr", "timestream", "cassandra", "qldb", "dsql", "neptune-graph",
        "storagegateway", "datasync", "glue", "lakeformation", "aws-backup-storage",
    )},
    **{s: {_ANY: DESTINATION} for s in ("sqs", "sns", "kinesis", "firehose", "kinesisvideo", "states", "execute-api", "pipes")},
    "logs": {"log-group": DESTINATION, "destination": DESTINATION, "delivery-destination": DESTINATION},
    "lambda": {"function": DESTINATION},
    "events": {"event-bus": DESTINATION, "api-destination": DESTINATION, "archive": STORE},
    "ssm": {"parameter": STORE},
    "ec2": {"volume": STORE, "snapshot": STORE, "subnet": PLACEMENT, "instance": PLACEMENT},
    "elasticmapreduce": {"cluster": STORE},
}

# Inputs whose text is free-form (a tag value, a description, a display name) and names nothing.
_FREE_TEXT = re.compile(
    r"(?i)^(tags|tagsAll|freeformTags|definedTags|systemTags|securityAttributes|labels|description|displayName|"
    r"comment|comments|notes|metadata|extendedMetadata|userData|userDataBase64|contentBase64)$"
)

_AWS_AZ = re.compile(r"^(?P<region>[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+)(?:[a-z]|-[a-z0-9-]+[a-z0-9])$")
_AWS_AZ_ID = re.compile(r"^(?P<geo>[a-z]{2})(?P<gov>g)?(?P<dir>ne|nw|se|sw|n|s|e|w|c)(?P<n>\d+)-az\d+$")
_DIRECTIONS = {"n": "north", "s": "south", "e": "east", "w": "west", "c": "central",
               "ne": "northeast", "nw": "northwest", "se": "southeast", "sw": "southwest"}


@dataclass(frozen=True)
class Reference:
    """One identifier found at ``path``: the cloud it names, its kind, and the region / account it names."""

    path: str
    value: str
    cloud: str  # "oci" | "aws"
    kind: str
    what: str  # "key OCID", "kinesis ARN", "availability domain", ...
    region: str | None = None  # None: names no region
    unrecognised: str | None = None  # a region segment that maps to no known region (fail closed)
    account: str | None = None  # AWS account in an ARN ("" or None: none)
    arn: Arn | None = None

    @property
    def data_bearing(self) -> bool:
        return self.kind in DATA_BEARING


def aws_zone_region(value: Any) -> str | None:
    """The region of an AWS availability zone name (``eu-west-1a``, ``us-east-1-bos-1a``) or zone ID (``euw1-az2``)."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    m = _AWS_AZ.match(text)
    if m:
        return m["region"]
    m = _AWS_AZ_ID.match(text)
    if m:
        return f"{m['geo']}{'-gov' if m['gov'] else ''}-{_DIRECTIONS[m['dir']]}-{m['n']}"
    return None


def ocid_kind(resource_type: str) -> str:
    return OCID_KINDS.get(resource_type, OTHER)


def arn_kind(arn: Arn) -> str:
    kinds = ARN_KINDS.get(arn.service)
    if kinds is None:
        return OTHER
    if _ANY in kinds:
        return kinds[_ANY]
    resource_type = re.split(r"[:/]", arn.resource, maxsplit=1)[0]
    return kinds.get(resource_type, OTHER)


def _placement_key(key: str) -> str | None:
    low = key.lower()
    if "availabilitydomain" in low:
        return "ad"
    if "availabilityzone" in low:
        return "az"
    return None


def reference_of(path: str, key: str, value: str) -> Reference | None:
    """The identifier ``value`` (found under input ``key`` at ``path``), or None if it is not one."""
    text = value.strip()
    if is_ocid(text):
        parsed = parse_ocid(text.lower())
        kind = ocid_kind(parsed.resource_type) if parsed else OTHER
        ref = ocid_region(text)
        what = f"{parsed.resource_type} OCID" if parsed else "malformed OCID"
        return Reference(path, text, "oci", kind, what, ref.region, ref.unrecognised)
    if text.startswith("arn:"):
        arn = parse_arn(text)
        if arn is None:
            return None
        return Reference(path, text, "aws", arn_kind(arn), f"{arn.service} ARN", arn.region or None, None,
                         arn.account or None, arn)
    placement = _placement_key(key)
    if placement == "ad" and "-AD-" in text.upper():
        ref = availability_domain_region(text)
        return Reference(path, text, "oci", PLACEMENT, "availability domain", ref.region, ref.unrecognised)
    if placement == "az":
        region = aws_zone_region(text)
        if region is not None:
            return Reference(path, text, "aws", PLACEMENT, "availability zone", region)
    return None


def references(props: Any) -> Iterator[Reference]:
    """Every identifier in a resource's properties (depth-first), skipping free-text inputs."""
    yield from _walk(props, "", "")


def _walk(value: Any, path: str, key: str) -> Iterator[Reference]:
    if isinstance(value, dict):
        for k, item in value.items():
            k = str(k)
            if _FREE_TEXT.match(k):
                continue
            yield from _walk(item, f"{path}.{k}" if path else k, k)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]", key)
    elif isinstance(value, str) and not is_unknown(value) and len(value) < 2048:
        ref = reference_of(path, key, value)
        if ref is not None:
            yield ref
