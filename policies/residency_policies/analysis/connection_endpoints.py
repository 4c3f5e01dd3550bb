"""The endpoints a resource connects to, and what each one names: hosts, addresses, buckets, Object Storage
namespaces.

The inputs come from the generated ``data/connection_endpoints.txt`` (``policies/tools/generate_connection_endpoints.py``,
with a drift test): replication channels, database, GoldenGate, Data Integration and migration connections, DNS
forwarders, API gateway backends, function and container settings, HTTPS and webhook targets, bucket URIs and
namespaces. A value is read by what it is written as, whatever the input's hint:

* a URL or URI (``https://host:443/path``, ``mysql://user@[2001:db8::7]:3306/db``, ``mongodb://h1:1,h2:2/x``): its
  hosts; an Object Storage URI (``oci://bucket@namespace/path``) or URL (``.../n/<namespace>/b/<bucket>/...``):
  its bucket and namespace; an ``s3://`` URI or S3 ARN: its bucket;
* a connection string: JDBC (``jdbc:oracle:thin:@host:1521/svc``, ``@//host:port/svc``) and Oracle Net descriptors
  (``(DESCRIPTION=(ADDRESS=(HOST=...)...))``): every host;
* ``host:port``, a comma-separated list of them (Kafka bootstrap servers), a host name, an IP address or range;
* an ARN, an OCID, an e-mail address: left to the destination rules (``destinations.judge``).

A ``settings`` input (a map handed to code: function and container configuration, environment variables) is read
value by value, and only the values written as an endpoint count (a URL, ``host:port``, an address, a connection
string); a JSON document in one is read the same way, leaf by leaf, except container images.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from residency_policies.aws_identifiers import parse_aws_endpoint
from residency_policies.values import is_unknown, walk
from residency_policies.views import ResourceView

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "connection_endpoints.txt"
HINTS = frozenset({"host", "address", "url", "bucket", "namespace", "settings"})


@dataclass(frozen=True)
class Endpoint:
    path: str
    hint: str


def _load(path: Path = DATA_FILE) -> dict[str, tuple[Endpoint, ...]]:
    out: dict[str, list[Endpoint]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            token, input_path, hint = line.split("\t")
            out.setdefault(token, []).append(Endpoint(input_path, hint))
    return {t: tuple(e) for t, e in out.items()}


ENDPOINTS = _load()


class Kind(Enum):
    HOST = "host"  # a host name
    ADDRESS = "address"  # an IP address or range
    BUCKET = "bucket"  # an object storage bucket (with its namespace when the value names one)
    NAMESPACE = "namespace"  # an OCI Object Storage namespace
    REFERENCE = "reference"  # an ARN, OCID, e-mail address...: judged as a destination


@dataclass(frozen=True)
class Named:
    """One thing an endpoint value names."""

    kind: Kind
    value: str
    namespace: str | None = None  # for an OCI bucket: the namespace the value names it in


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_OCI_URI = re.compile(r"^oci://(?P<bucket>[^@/]+)@(?P<namespace>[^/]+)", re.I)
_OCI_OBJECT_PATH = re.compile(r"/n/(?P<namespace>[^/]+)/b/(?P<bucket>[^/?#]+)")
_S3_URI = re.compile(r"^s3a?://(?P<bucket>[^/]+)", re.I)
_TNS_HOST = re.compile(r"(?i)\(\s*host\s*=\s*(?P<host>[^)\s]+)\s*\)")
_JDBC = re.compile(r"(?i)^jdbc:[a-z0-9:]*@(?://)?(?P<rest>.+)$")
_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<host>[A-Za-z0-9_.-]+))(?::(?P<port>\d{1,5}))?(?P<path>/.*)?$")
_EMAIL = re.compile(r"^[^@\s/]+@[^@\s/]+\.[A-Za-z]{2,}$")


def _address(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _host(text: str) -> Named | None:
    text = text.strip().strip(".")
    if not text:
        return None
    if _address(text):
        return Named(Kind.ADDRESS, text)
    if re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", text) and not text.isdigit():
        return Named(Kind.HOST, text.lower())
    return None


def _host_list(text: str) -> list[Named] | None:
    """``host``, ``host:port``, ``[v6]:port``, an address or range, or a comma-separated list of them."""
    out: list[Named] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if _address(part):
            out.append(Named(Kind.ADDRESS, part))
            continue
        m = _HOST_PORT.match(part)
        if m is None:
            return None
        named = _host(m["v6"] or m["host"])
        if named is None:
            return None
        out.append(named)
    return out or None


def names(value: str, hint: str) -> list[Named]:
    """What an endpoint value names (empty when it is written as no endpoint at all)."""
    text = value.strip()
    if not text or is_unknown(text):
        return []
    if text.lower().startswith(("arn:", "ocid1.")) or (_EMAIL.match(text) and "://" not in text):
        return [Named(Kind.REFERENCE, text)]
    m = _OCI_URI.match(text)
    if m:
        return [Named(Kind.BUCKET, m["bucket"], m["namespace"])]
    m = _S3_URI.match(text)
    if m:
        return [Named(Kind.BUCKET, m["bucket"])]
    hosts = [Named(Kind.ADDRESS, h) if _address(h) else Named(Kind.HOST, h.lower()) for h in _TNS_HOST.findall(text)]
    if hosts:
        return hosts
    m = _JDBC.match(text)
    if m:
        text = m["rest"]
    if _SCHEME.match(text):
        aws = parse_aws_endpoint(text)
        if aws is not None and (aws.account or aws.bucket):  # a queue URL, an S3 URL: judged as a destination
            return [Named(Kind.REFERENCE, text)]
        return _url(text)
    if hint == "bucket":
        return [Named(Kind.BUCKET, text)]
    if hint == "namespace":
        return [Named(Kind.NAMESPACE, text)]
    return _host_list(text) or []


def _url(text: str) -> list[Named]:
    try:
        parts = urlsplit(text)
    except ValueError:
        return []
    m = _OCI_OBJECT_PATH.search(parts.path)
    if m:  # the host is the Object Storage service; the bucket and namespace say whose data it is
        return [Named(Kind.BUCKET, m["bucket"], m["namespace"])]
    found: list[Named] = []
    netloc = parts.netloc.rpartition("@")[2]
    for part in netloc.split(","):  # mongodb://h1:1,h2:2 and the like
        host = part[1:part.index("]")] if part.startswith("[") and "]" in part else part.rsplit(":", 1)[0] if \
            part.count(":") == 1 else part
        named = _host(host)
        if named is not None:
            found.append(named)
    return found


_ENDPOINT_LIKE = re.compile(r"(?i)(^[a-z][a-z0-9+.-]*://|^jdbc:|\(\s*description\s*=|^\[?[0-9a-f:.]+\]?(:\d+)?$|"
                            r"^[a-z0-9_.-]+\.[a-z0-9_-]+:\d{1,5}(,|$))")


def written_as_endpoint(value: Any) -> bool:
    """A setting's value that is written as an endpoint (a URL, a connection string, an address, ``host:port``)."""
    return isinstance(value, str) and not is_unknown(value) and bool(_ENDPOINT_LIKE.search(value.strip())) and (
        "://" in value or "jdbc:" in value.lower() or "(" in value or ":" in value or _address(value.strip()))


def _document_leaves(value: Any, path: str, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, item in value.items():
            yield from _document_leaves(item, f"{path}.{k}" if not path.endswith("#") else f"{path}{k}", str(k))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _document_leaves(item, f"{path}[{i}]", key)
    elif "image" not in key.lower():
        yield path, value


def values(resource: ResourceView) -> Iterator[tuple[str, str, Any]]:
    """``(path, hint, value)`` of every endpoint input of the resource; settings maps value by value, and only
    the values written as an endpoint (unknowns included: the caller decides where they come from)."""
    for endpoint in ENDPOINTS.get(resource.type, ()):
        for where, value in walk(resource.props, endpoint.path):
            if endpoint.hint != "settings":
                yield where, endpoint.hint, value
                continue
            document = _json(value)
            leaves = _document_leaves(document, f"{where}#") if document is not None else [(where, value)]
            for at, leaf in leaves:
                if is_unknown(leaf) or written_as_endpoint(leaf):
                    yield at, "url", leaf


def _json(value: Any) -> Any:
    if not isinstance(value, str) or value.strip()[:1] not in ("{", "["):
        return None
    try:
        document = json.loads(value)
    except ValueError:
        return None
    return document if isinstance(document, (dict, list)) else None
