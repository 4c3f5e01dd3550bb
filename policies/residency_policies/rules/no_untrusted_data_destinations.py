"""no-untrusted-data-destinations: managed services send data only to the estate's own or a trusted party's destinations.

Log subscriptions and exports, event targets, bucket and topic notifications, subscriptions, delivery
streams, replication and sync tasks, OCI service connectors, Events rules and notification subscriptions
push user data out of the resource that holds it. Their destination inputs are generated from the SDKs
(``data/data_destinations.txt``, ``policies/tools/generate_data_destinations.py``: ~440 inputs of ~280
types: destination blocks, references named for what receives data such as ``firehoseArn`` or
``cloudwatchLogGroupArn``, log and output locations such as ``logUri`` and ``outputLocation``, maps of
destination settings), and each destination is read by what it is:

* an **ARN** names its account: a parent-company account is data leaving the estate; an estate
  (``estate.awsAccountIds``) or trusted account is fine; any other account is not the estate's. An S3 ARN
  names no account: judged as a bucket.
* an **OCID** names no tenancy (except a tenancy OCID, judged like an account): the destination is the
  estate's only when it is created in this stack (a property dependency) or listed in
  ``estate.destinations``.
* a **bucket name** is the estate's when a bucket of that name is in the stack, when it is listed in
  ``estate.destinations``, or when the block names its owner account (``expectedBucketOwner``,
  ``bucketOwner``, ``accountId``...) and that account is the estate's.
* an **account ID** (ECR replication ``registryId``, S3 replication ``account``, AMI distribution
  ``targetAccountIds``...) must be an estate or trusted account.
* an **endpoint** (an https URL, an e-mail address, a phone number) is the estate's only when its domain
  is listed in ``estate.destinations``; an AWS service endpoint that names its account (an SQS queue URL,
  an ECR registry host) is judged by that account, an S3 endpoint URL or ``s3://`` URI as a bucket.

Destinations named inside JSON documents given as strings (a redrive policy's ``deadLetterTargetArn``, an
event target's ``input``, a state machine's ``Destination``: a key or its enclosing key says data is sent
there, ``data_references.document_destinations``) are judged the same way, on any resource type. A JSON
document input the SDK types as one (``data/json_document_inputs.txt``, role ``data``) whose text looks like
JSON but does not parse hides where data goes: it fails closed. IAM policy documents are
``no-cross-tenancy-grants``' to judge, once.

A destination produced by a resource of this stack (unknown at preview, with a property dependency) is
the estate's own: the stack's providers are pinned to the estate (``estate-deploy-targets``). One that is
unknown and comes from nowhere in the stack cannot be verified (fail closed).

**Endpoints a resource connects to** (``data/connection_endpoints.txt``, ``policies/tools/generate_connection_endpoints.py``:
~470 inputs: replication channels, database, GoldenGate, Data Integration and migration connections, DNS
forwarders, API gateway backends and integrations, function and container settings, webhook targets, bucket URIs
and Object Storage namespaces; ``analysis/connection_endpoints.py``) are read by what each value names: a host or
address in a parent range is the parent's; a private address or a private network's host name
(``*.oraclevcn.com``, ``*.internal``) is inside the estate's networks, whose paths the network policies prove; a
public address or host name is the estate's only when it (or its domain) is listed in ``estate.destinations``; an
Object Storage URI's bucket and namespace must be a bucket of this stack (or both listed); a namespace must be one
of this stack's buckets' (or listed). Unknown at preview: the estate's when it comes from a resource of this stack,
otherwise it cannot be verified. The judging lives in ``analysis/destinations.py``.

Besides the generated inputs, any property of any resource that names a data-bearing resource (a store,
a stream, a queue, a topic, a function, a log group: ``analysis/data_references.py``; by ARN, by service
endpoint URL, or inside a JSON document) in a parent company account, or names a parent tenancy, is a link to
the parent and is refused wherever it appears.
Keys are ``us-keys-for-data``'s to judge; regions are ``us-region-replication``'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from residency_policies.analysis import data_references as refs
from residency_policies.analysis import destinations as dest
from residency_policies.analysis.data_bearing_types import DATA_BEARING_TYPES
from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, StackView, resource_policy
from residency_policies.provider_regions import PROVIDER_TYPE_PREFIX
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, walk


def _unreadable_documents(resource: ResourceView) -> Iterator[Finding]:
    """A JSON document input (SDK-typed, role ``data``) whose string looks like JSON but does not parse."""
    for path, role in refs.JSON_DOCUMENT_INPUTS.get(resource.type, {}).items():
        if role != "data":
            continue
        for where, value in walk(resource.props, path):
            if refs.looks_like_json(value) and refs.json_document(value) is None:
                yield Finding(f"{where} is not valid JSON, so the destinations it names cannot be verified; give "
                              "it as a JSON document (json.dumps / pulumi.Output.json_dumps)", path=where)


def _parent_links(resource: ResourceView, rules: Rules, judged: set[str]) -> Iterator[Finding]:
    """Any property naming a data-bearing resource of a parent account, or a parent tenancy (not a placement)."""
    spec = DATA_BEARING_TYPES.get(resource.type)
    skip = dest.DESTINATION_SHAPES.get(resource.type, frozenset()) | frozenset(
        dest.shape(p) for p in (spec.key_paths if spec else ()))
    for ref in refs.references(resource.props):
        if dest.shape(ref.path) in skip or ref.path in judged or ref.path == "compartmentId":  # compartments: estate-deploy-targets
            continue
        if ref.cloud == "aws" and ref.account in rules.parent_aws_account_ids and ref.kind in (refs.STORE, refs.DESTINATION):
            yield Finding(f"{ref.path} = {ref.value!r} names a {ref.what} of the parent company's account {ref.account}: "
                          "the estate must not be wired to the parent's data stores and streams")
        elif ref.cloud == "oci" and ref.what == "tenancy OCID" and ref.value.lower() in rules.parent_oci_tenancy_ids:
            yield Finding(f"{ref.path} = {ref.value!r} names the parent company's tenancy: the estate must not be wired "
                          "to the parent's tenancy")


def in_scope(type_token: str) -> bool:
    """Every resource but providers (any input may name where data is sent)."""
    return not type_token.startswith(PROVIDER_TYPE_PREFIX)


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    if not in_scope(resource.type):
        return
    judged: set[str] = set()
    for where, destination, value in dest.values(resource):
        judged.add(where)
        if not isinstance(value, str) or is_unknown(value):
            continue
        verdict = dest.verdict(value, destination, rules)
        if not verdict.ok and not verdict.needs_stack:
            yield Finding(f"{where}: {verdict.message}", path=where)
    yield from _unreadable_documents(resource)
    yield from _parent_links(resource, rules, judged)


def _top(where: str) -> str:
    return re.split(r"[.\[#]", where, maxsplit=1)[0]


def check_stack(resources: StackView, rules: Rules) -> Iterator[Finding]:
    """Destinations only the stack can clear: unknown values, OCIDs, bucket names and namespaces (in the stack or
    not)."""
    in_stack_holds = dest.stack_destinations(resources)
    # A destination produced by a resource of this stack is the estate's (its providers are pinned); a value
    # derived only from IAM principals or another stack's outputs is not a destination of this stack.
    candidates = {r.urn for r in resources if not r.type.startswith(dest.NOT_DESTINATION_SOURCES)}
    in_stack = {r.urn for r in resources if not r.type.startswith(dest.OTHER_STACKS)}
    for r in resources:
        if r.type.startswith(PROVIDER_TYPE_PREFIX) or not isinstance(r.props, dict):
            continue
        for where, destination, value in dest.values(r):
            from_stack = any(u in candidates for u in (r.property_dependencies or {}).get(_top(where), ()))
            if is_unknown(value):
                if not from_stack:
                    what = "may name an endpoint the resource connects to" if destination.connection else \
                        "names where the data is sent"
                    yield Finding(f"{where} {what}", urn=r.urn, path=where, unverifiable=True)
                continue
            if not isinstance(value, str):
                continue
            verdict = dest.verdict(value, destination, rules)
            if verdict.ok or not verdict.needs_stack or from_stack:
                continue
            if dest.clears_in_stack(value, destination, in_stack_holds, r.props, where, rules):
                continue
            yield Finding(f"{where}: {verdict.message}", urn=r.urn, path=where)
        yield from _unknown_documents(r, in_stack)


def _unknown_documents(r: ResourceView, in_stack: set[str]) -> Iterator[Finding]:
    """A JSON document input (role ``data``) unknown at preview: built from resources of this stack (any of
    them: a Batch job's properties name its IAM role) it is the estate's own (and ``Analyze`` reads it, known,
    before the resource is created); from elsewhere (another stack's outputs) what it names cannot be
    verified."""
    for path, role in refs.JSON_DOCUMENT_INPUTS.get(r.type, {}).items():
        if role != "data":
            continue
        for where, value in walk(r.props, path):
            if is_unknown(value) and not any(u in in_stack for u in (r.property_dependencies or {}).get(_top(where), ())):
                yield Finding(f"{where} is a document that names where data is sent", urn=r.urn, path=where,
                              unverifiable=True)


POLICY = resource_policy(
    name="no-untrusted-data-destinations",
    description=(
        "Managed services (log exports and subscriptions, event targets, notifications, subscriptions, delivery "
        "streams, replication and sync tasks, connectors) send data only to destinations of the estate or of a "
        "trusted party, never to the parent company's; every endpoint a resource connects to (replication "
        "channels, database connections, DNS forwarders, API backends, function settings, bucket URIs) is the "
        "estate's or a trusted party's."
    ),
    severity="critical",
    remediation=(
        "Point the destination at a resource of this stack, or of an estate account / tenancy (estate.awsAccountIds, "
        "estate.ociTenancyIds) or a trusted party; list estate-owned destinations managed elsewhere (OCIDs, S3 "
        "bucket names, Object Storage namespaces, endpoint domains and public addresses) in the rules' "
        "estate.destinations (stack config `residency:estate`); connect to hosts and addresses of the estate's own "
        "networks; never send data to a parent "
        "company account, tenancy, bucket or endpoint. Give JSON document inputs (redrive policies, definitions, "
        "container definitions, target inputs) as valid JSON (json.dumps) so their destinations can be read."
    ),
    tags=["data-flow", "isolation", "residency"],
    framework=RESIDENCY.control("ISO-2"),
    check=check,
    applies_to=in_scope,
    stack_check=check_stack,
)
