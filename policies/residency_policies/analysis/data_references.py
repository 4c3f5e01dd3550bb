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

Two more places name where data goes, and are read the same way:

* **service endpoints** in URLs and host names (``https://sqs.eu-west-1.amazonaws.com/...``,
  ``db.x.eu-west-1.rds.amazonaws.com``, ``objectstorage.eu-frankfurt-1.oraclecloud.com``, ``fra.ocir.io``):
  ``aws_identifiers.parse_aws_endpoint`` / ``oci_identifiers.parse_oci_endpoint`` read the service and the
  region, and the service decides the kind (``ENDPOINT_KINDS``, else the ARN service's); service
  principals (``logs.eu-west-1.amazonaws.com`` under a ``principal`` input) are who sends, and a registry
  host under an ``image`` input is the code that runs: neither is judged;
* **JSON documents given as strings** (container definitions, state machine definitions, redrive
  policies, event target inputs, ...): any string input that parses as a JSON object or array is walked
  like the properties themselves (paths ``input#key[0].key``), and inside it a region *name* under a key
  that ends in ``region`` (``awslogs-region``) is read as a place data goes when a key on its path names a
  data flow (logs, destinations, targets, outputs, copies: ``DATA_FLOW_KEY``). IAM policy documents
  (objects with a ``Statement``) are not walked: ``no-cross-tenancy-grants`` judges them, once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency_policies.aws_identifiers import AWS_ENDPOINT_DOMAINS, Arn, parse_arn, parse_aws_endpoint
from residency_policies.oci_identifiers import (
    OCI_ENDPOINT_DOMAINS,
    availability_domain_region,
    is_ocid,
    ocid_region,
    parse_oci_endpoint,
    parse_ocid,
)
from residency_policies.region_tables import OCI_REGIONS, is_aws_region_code, is_oci_region_id
from residency_policies.sdk_compat import request_memo
from residency_policies.values import UNKNOWN_SENTINELS, is_unknown

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

# Endpoint service labels whose ARN kinds differ per resource type, or that have no ARN service: the kind of
# what the endpoint receives (AWS ``logs.<region>`` takes log events; OCI labels from the hosts above).
ENDPOINT_KINDS: dict[str, dict[str, str]] = {
    "aws": {"logs": DESTINATION, "events": DESTINATION, "lambda": DESTINATION},
    "oci": {
        "objectstorage": STORE, "ocir": STORE, "adb": STORE, "kms": KEY, "vaults": KEY, "secrets": KEY,
        "streaming": DESTINATION, "messaging": DESTINATION, "notification": DESTINATION, "functions": DESTINATION,
        "ingestion": DESTINATION, "logging": DESTINATION, "apigateway": DESTINATION,
    },
}
# A key on the path to a region name inside a JSON document that says data flows to that region.
DATA_FLOW_KEY = re.compile(
    r"(?i)(log|destination|target|output|deliver|replica|copy|backup|export|sink|forward|bucket|stream|queue|topic)")
_REGION_KEY = re.compile(r"(?i)region$")
_AWS_DIRECTIONS = re.compile(r"-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d+$")
# Service principals (``logs.eu-west-1.amazonaws.com`` allowed to invoke a function) are who sends, not where.
_PRINCIPAL_KEY = re.compile(r"(?i)principal")
_IMAGE_KEY = re.compile(r"(?i)image")
# A cheap test before parsing a string as a URL: it names one of the clouds' endpoint domains.
_ENDPOINT_DOMAIN = re.compile(
    r"(?i)\.(?:" + "|".join(re.escape(d) for d in AWS_ENDPOINT_DOMAINS + OCI_ENDPOINT_DOMAINS) + r")(?:[:/?#]|$)")
MAX_DOCUMENT = 1 << 20  # 1 MiB: larger strings are not parsed
MAX_DEPTH = 64  # containers nested deeper than this (hostile input) are not walked

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
    if "." in text and _ENDPOINT_DOMAIN.search(text) and not _PRINCIPAL_KEY.search(key):
        ref = endpoint_reference(path, text)
        # A registry host under an image input names the code that runs, which holds no user data.
        if ref is not None and _IMAGE_KEY.search(key) and ref.what in ("ecr endpoint", "ocir endpoint"):
            return None
        return ref
    return None


def endpoint_reference(path: str, text: str) -> Reference | None:
    """A URL or host name of an AWS or OCI service endpoint that names a region (global endpoints: None)."""
    aws = parse_aws_endpoint(text)
    if aws is not None:
        if aws.region is None:
            return None
        kind = ENDPOINT_KINDS["aws"].get(aws.service) or arn_kind(Arn("aws", aws.service, aws.region, "", ""))
        return Reference(path, text, "aws", kind, f"{aws.service} endpoint", aws.region, None, aws.account)
    oci = parse_oci_endpoint(text)
    if oci is not None and (oci.region.region or oci.region.unrecognised):
        kind = ENDPOINT_KINDS["oci"].get(oci.service, OTHER)
        return Reference(path, text, "oci", kind, f"{oci.service} endpoint", oci.region.region, oci.region.unrecognised)
    return None


def region_name_reference(path: str, text: str) -> Reference | None:
    """A bare region name (inside a JSON document, under a ``...region`` key on a data-flow path)."""
    name = text.strip().lower()
    if is_aws_region_code(name) and _AWS_DIRECTIONS.search(name):
        return Reference(path, text, "aws", DESTINATION, "region name", name)
    if name in OCI_REGIONS or (is_oci_region_id(name) and not _AWS_DIRECTIONS.search(name)):
        return Reference(path, text, "oci", DESTINATION, "region name", name)
    return None


def json_document(value: Any) -> Any:
    """The object or array a string input holds as JSON; None when it is not one (or cannot be parsed)."""
    if not looks_like_json(value) or len(value) > MAX_DOCUMENT:
        return None
    try:
        document = json.loads(value)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, (dict, list)) else None


def looks_like_json(value: Any) -> bool:
    """A string that starts and ends like a JSON object or array (parsable or not)."""
    if not isinstance(value, str) or is_unknown(value):
        return False
    text = value.strip()
    return (text[:1], text[-1:]) in (("{", "}"), ("[", "]"))


def is_policy_document(document: Any) -> bool:
    """An IAM-style policy document (an object with ``Statement``): ``no-cross-tenancy-grants`` judges those."""
    return isinstance(document, dict) and any(str(k).lower() == "statement" for k in document)


def references(props: Any) -> tuple[Reference, ...]:
    """Every identifier in a resource's properties (depth-first), skipping free-text inputs, and reading
    JSON documents given as strings (IAM policy documents excepted); read once per request for the same
    (frozen, shared) properties, whichever policy asks first."""
    return request_memo("data-references", (props,), lambda: tuple(_walk(props, "", "", False, 0)))


def documents(props: Any) -> Iterator[tuple[str, Any]]:
    """``(path, parsed)`` of every JSON document given as a string in the properties (IAM documents excepted),
    outermost first; paths inside a document read ``input#key[0].key``."""
    yield from _documents(props, "", 0)


def _join(path: str, key: str) -> str:
    return f"{path}{key}" if not path or path.endswith("#") else f"{path}.{key}"


def _documents(value: Any, path: str, depth: int) -> Iterator[tuple[str, Any]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        inner = not path or path[-1] == "#"
        for k, item in value.items():
            if isinstance(item, (dict, list)) or (isinstance(item, str) and _may_be_json(item)):
                k = str(k)
                if not _FREE_TEXT.match(k):
                    yield from _documents(item, f"{path}{k}" if inner else f"{path}.{k}", depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)) or (isinstance(item, str) and _may_be_json(item)):
                yield from _documents(item, f"{path}[{i}]", depth + 1)
    else:
        document = json_document(value)
        if document is not None and not is_policy_document(document):
            yield path, document
            yield from _documents(document, f"{path}#", depth + 1)


def _may_be_json(text: str) -> bool:
    """A cheap first test (the first character) before ``json_document``."""
    return text[:1] in _JSON_OPENERS or (text[:1].isspace() and text.lstrip()[:1] in _JSON_OPENERS)


def _walk(value: Any, path: str, key: str, in_document: bool, depth: int) -> Iterator[Reference]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        inner = not path or path[-1] == "#"
        for k, item in value.items():
            k = str(k)
            if _FREE_TEXT.match(k):
                continue
            yield from _walk(item, f"{path}{k}" if inner else f"{path}.{k}", k, in_document, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]", key, in_document, depth + 1)
    elif isinstance(value, str) and value not in UNKNOWN_SENTINELS:
        if _may_be_json(value):
            document = json_document(value)
            if document is not None:
                if not is_policy_document(document):
                    yield from _walk(document, f"{path}#", key, True, depth + 1)
                return
        if len(value) >= 2048:
            return
        ref = reference_of(path, key, value)
        if ref is None and in_document and _REGION_KEY.search(key) and DATA_FLOW_KEY.search(path.rpartition("#")[2]):
            ref = region_name_reference(path, value)
        if ref is not None:
            yield ref


_JSON_OPENERS = ("{", "[")


# --- Destinations inside JSON documents ----------------------------------------------------------------
DESTINATION_WORD = re.compile(
    r"(?i)(destination|target|sink|deliver|export|forward|notif|subscri|publish|onsuccess|onfailure|"
    r"deadletter|dlq|output|accesslog|logging|logdestination)"
)
"""A name (an SDK input, a block, or a key inside a JSON document) that says data is sent there; shared with
``policies/tools/generate_data_destinations.py``."""
# Keys inside documents that name a destination word but hold something else (where data comes from, who
# sends it, how it is formatted or placed).
_NOT_DOCUMENT_DESTINATION = re.compile(
    r"(?i)(source|role|kms|key$|keyid|region|format|prefix|suffix|type$|port|protocol|version|group$|"
    r"targetgroup|count|size|seconds|enabled|status)"
)

JSON_DOCUMENT_FILE = Path(__file__).resolve().parent.parent / "data" / "json_document_inputs.txt"


def _load_document_inputs(path: Path = JSON_DOCUMENT_FILE) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            token, input_path, role = line.split("\t")
            out.setdefault(token, {})[input_path] = role
    return out


JSON_DOCUMENT_INPUTS: dict[str, dict[str, str]] = _load_document_inputs()
"""type token -> {input path the SDK types as a JSON document: role (grant | inert | data)} (generated)."""


def document_destinations(props: Any) -> Iterator[tuple[str, str, str]]:
    """``(path, key, value)`` of every string inside a JSON document (given as a string input) whose key, or
    the key of its enclosing object, says data is sent there (``deadLetterTargetArn``, ``Destination.Arn``)."""
    for path, document in documents(props):
        yield from _document_leaves(document, f"{path}#", ("",), 0)


def _document_leaves(value: Any, path: str, keys: tuple[str, ...], depth: int) -> Iterator[tuple[str, str, str]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        for k, item in value.items():
            k = str(k)
            if not _FREE_TEXT.match(k):
                yield from _document_leaves(item, _join(path, k), (keys[-1], k), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _document_leaves(item, f"{path}[{i}]", keys, depth + 1)
    elif isinstance(value, str) and not is_unknown(value) and json_document(value) is None:
        key = keys[-1]
        if any(DESTINATION_WORD.search(k) for k in keys if k) and not _NOT_DOCUMENT_DESTINATION.search(key):
            yield path, key, value
