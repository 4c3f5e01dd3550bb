"""Regenerate ``residency_policies/data/connection_endpoints.txt``: inputs that name an endpoint a resource connects to.

Replication channels, database, GoldenGate, Data Integration and migration connections, DNS forwarders, API
gateway backends, function and container settings, HTTPS and webhook subscriptions, bucket URIs and namespaces:
whatever a resource reads data from or sends data to outside itself, it names in an input. Derived from the
installed SDKs (``sdk_schema``), every leaf string input

* whose wire name says it holds an endpoint: a host (``host``, ``hostname``, ``sourceHost``, ``servers[]``,
  ``forwarders[]``), an address (``ipAddress``, ``ip``, ``dnsIps[]``), a URL or URI (``url``, ``webhookUrl``,
  ``logsBucketUri``, ``endpoint``), a bucket (``bucket``, ``bucketName``) or an Object Storage namespace
  (``namespace``);
* unless the name or the enclosing blocks say it is something else: what the resource is or where it lives
  (its own hostname, private IP, listener, VNIC, subnet; the top-level bucket or namespace of an Object
  Storage / S3 resource, which is the resource's own), code and images (``imageUrl``, ``repositoryUrl``,
  templates), pages shown to people (logos, home, privacy, login and redirect pages), identity-provider
  endpoints (issuer, JWKS, token and authorization endpoints: ``no-cross-tenancy-grants`` judges federation),
  tag, metric and Kubernetes namespaces, access-control lists (the network policies judge those) and network
  links (IPSec, CPE, DRG, VPN, peering: ``no-untrusted-peering`` and the network policies);
* and, for the generic names (``url``, ``uri``, ``endpoint``, ``address``), only where the description or the
  enclosing blocks speak of a connection (connect, send, deliver, forward, replicate, webhook, target, backend,
  upstream, remote, server, source, sink, export, push, pull, fetch, notify, invoke, publish, stream, ingest).

Inputs already in ``data_destinations.txt`` are judged there and left out. Each row carries a hint for how a plain
value is read: ``host`` (a host name or address), ``address`` (an IP address or range), ``url`` (a URL, URI or
connection string), ``bucket``, ``namespace``, or ``settings`` (a map of settings handed to code: function and
container configuration, environment variables, whose values are read when they are written as an endpoint). The
policy reads each value by what it is at run time.

    .venv/bin/python policies/tools/generate_connection_endpoints.py [--check]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generated_file  # noqa: E402
import sdk_schema  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "residency_policies" / "data"
OUT = DATA / "connection_endpoints.txt"

_HINTS = (
    ("bucket", re.compile(r"(?i)bucket(name)?$")),
    ("namespace", re.compile(r"(?i)namespace(name)?$")),
    ("url", re.compile(r"(?i)(url|urls|uri|uris|endpoint|endpoints|connectionstring)$")),
    ("host", re.compile(r"(?i)(host|hostname|hosts|hostnames|server|servers|forwarder|forwarders)$")),
    ("address", re.compile(r"(?i)(ipaddress|ipaddresses|^ip$|^ips$|dnsip|dnsips|address|addresses)$")),
)
_GENERIC = frozenset({"url", "address"})
# Maps of settings handed to code (function and container configuration, environment variables): each value that
# is written as an endpoint (a URL, ``host:port``, an address, a connection string) is one.
_SETTINGS_MAP = re.compile(r"(?i)^(config|configuration|environment|environmentvariables|variables|envs?|appsettings)$")
# Names that hold no endpoint the resource connects to.
_NOT_ENDPOINT = re.compile(
    r"(?i)(image|logo|icon|homepage|privacy|termsofservice|landing|errorpage|loginpage|logoutpage|logout|redirect|"
    r"callback|template|documentation|repositoryurl|gitrepo|sourcecode|codeuri|codeurl|schema|idcsendpoint|"
    r"metricnamespace|servicenamespace|tagnamespace|kubernetes|issuer|jwks|authorization|authorizer|tokenendpoint|"
    r"userinfo|discovery|openid|saml|^private|^public|ipv6|cidr|allowlist|whitelist|email|macaddress|^vip|proxy|"
    r"license|avatar|photo|profileurl|helpurl|supporturl|statusurl|website|consoleurl|portalurl|signin|signon|"
    r"assertion|entityid|metadataurl|^own|hostnamelabel|hostnameprefix|nodehostname|dbservers|virtualip|scanip|"
    r"keyvault|vaulturi|kms|secret|password|certificate|^instanceurl$|ldapurl|badge|swagger|openapi|specification|ntp|"
    r"netbios|characterset|collation|vanity|edgehostname|dedicatedvmhost|containerhostname|opcparentrpt|font|gpgkey|"
    r"truststore|feedback|presigned|verificationurl|accountsurl|okvuri|archiveuri|fileuri|script|chart|scopeurl|"
    r"^from|amazonaddress|customeraddress|corenetworkaddress|peeraddress)"
)
# Enclosing blocks (or whole types) where such a name is not a connection of the resource.
_NOT_CONTEXT = re.compile(
    r"(?i)(definedtags|freeformtags|tags|healthcheck|listener|vnic|networkinterface|subnet|privateendpoint|"
    r"ipconfiguration|placement|certificate|allowlist|whitelist|accesscontrol|ipsec|tunnel|cpe|drg|virtualcircuit|"
    r"crossconnect|bgp|vpn|customergateway|transitgateway|peering|routetable|routerule|routedistribution|securityrule|securitylist|firewallpolicy|"
    r"waf|webappfirewall|loadbalancer/listener|identityprovider|domainsidentityprovider|oauth|oidc|scim|"
    r"domainsapp|domainssetting|domainsuser|urnietfparams|idcs|filter|condition|match|exclusion|inclusion|"
    r"mountoptions|mounttarget|dnsrecord|record:record|zone|resolverendpoint|steeringpolicy|image|metric|"
    r"ipmaxconnections|pathanaly|buildstatusconfig|redirect|samplingrule|monitoredresourcessearch|networkinsights|"
    r"directconnect|networkmanager|openidconnect|webapp|font|"
    r"/(bucket|object|objectlifecyclepolicy|preauthrequest|replicationpolicy|privateendpoint|namespacemetadata):)"
)
# The resource's own bucket / namespace: the top-level one of an Object Storage or S3 type.
_STORAGE_TYPES = re.compile(r"^(oci:ObjectStorage/|aws:s3(control|tables|outposts|vectors)?/)")
# A namespace is an endpoint only as an OCI Object Storage namespace (with a bucket, a location or a dataset), never
# the tenancy's own Log Analytics namespace, a metric, Kubernetes, Cloud Map or QuickSight namespace.
_STORAGE_NAMESPACE = re.compile(r"(?i)(object ?storage|bucket)")
_OWN_DOC = re.compile(
    r"(?i)(^(the )?hostname for the|host ?name of the (db|vm|node|management station|monitored|instance)|"
    r"^the node host name|scan hostname|virtual hostname|custom hostname|custom url|hostname label|"
    r"hostname associated with|dns host name for|filter to return|matches the hostname|ocid of the|indicates whether|"
    r"where the entity|used to perform dns lookup|host name or (identity|azure)|retrieve activation key|"
    r"host portion of the redirect|supported by this vanity|list of hosts\.$)")
# Words that say a generic input is a connection.
_CONNECTION_WORDS = re.compile(
    r"(?i)(connect|send|sent|deliver|forward|replicat|webhook|target|destination|backend|upstream|remote|server|queries|"
    r"source|sink|export|push|pull|fetch|download|upload|notif|invoke|publish|stream|ingest|integration|post(ed|s)? to)"
)


def hint(wire: str) -> str | None:
    for kind, pattern in _HINTS:
        if pattern.search(wire):
            return kind
    return None


def is_endpoint(token: str, path: str, wire: str, doc: str) -> str | None:
    kind = hint(wire)
    if kind is None or _NOT_ENDPOINT.search(wire) or _NOT_CONTEXT.search(f"{token} {path}"):
        return None
    if kind in ("bucket", "namespace") and "." not in path and _STORAGE_TYPES.match(token):
        return None
    if kind == "namespace" and not (token.startswith("oci:") and "LogAnalytics" not in token
                                    and _STORAGE_NAMESPACE.search(f"{path} {doc}")):
        return None
    if kind in ("host", "address") and _OWN_DOC.search(doc):
        return None
    if kind in _GENERIC and not _CONNECTION_WORDS.search(f"{token} {path} {doc}"):
        return None
    return kind


def _judged_elsewhere() -> set[tuple[str, str]]:
    lines = (DATA / "data_destinations.txt").read_text(encoding="utf-8").splitlines()
    return {tuple(line.split("\t")[:2]) for line in lines if line and not line.startswith("#")}  # type: ignore[misc]


def rows() -> list[str]:
    elsewhere = _judged_elsewhere()
    out = []
    for package in sdk_schema.packages():
        for resource in package.resources.values():
            if ":" not in resource.token:
                continue
            for path, item in package.paths(resource):
                if item.shape == "map" and not item.nested and _SETTINGS_MAP.match(item.wire) \
                        and not _NOT_CONTEXT.search(f"{resource.token} {path}"):
                    out.append(f"{resource.token}\t{path}\tsettings")
                    continue
                if item.nested or item.shape == "map" or item.scalar not in ("str", None):
                    continue
                if (resource.token, path) in elsewhere:
                    continue
                kind = is_endpoint(resource.token, path, item.wire, item.doc)
                if kind is not None:
                    out.append(f"{resource.token}\t{path}\t{kind}")
    return sorted(set(out))


def render() -> str:
    header = ["# Generated by policies/tools/generate_connection_endpoints.py; do not edit.",
              *sdk_schema.versions_header(), "# token\tendpoint input path\thint (host|address|url|bucket|namespace|settings)"]
    return "\n".join(header + rows()) + "\n"


def main(argv: list[str] | None = None) -> int:
    return generated_file.run(argv, description=__doc__.splitlines()[0], out=OUT, script=__file__, render=render,
                              noun="inputs")


if __name__ == "__main__":
    sys.exit(main())
