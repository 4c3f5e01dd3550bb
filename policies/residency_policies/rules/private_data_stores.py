"""private-data-stores: no data store is public by its own settings.

Every data store type whose inputs carry a public-exposure setting is judged, not only buckets. The
candidate (type, input) pairs are found in the installed SDKs (``policies/tools/generate_public_exposure_inputs.py``
-> ``data/public_exposure_inputs.txt``, with a drift test); each is either judged (``analysis/exposure_flags.py``: ``EXPOSURES``) or
listed in ``NOT_DATA_STORE_EXPOSURE`` with the reason it is not a data store's exposure.

* Databases and warehouses reachable from the internet by their own flag: RDS instances, Aurora cluster
  instances and Multi-AZ DB clusters, RDS shard groups, Neptune instances and graphs, Redshift clusters and
  serverless workgroups, DMS replication instances and instance profiles, Lightsail databases, Amazon MQ
  brokers, MSK public access, Timestream for InfluxDB, Mainframe Modernization environments.
* Search: OpenSearch / Elasticsearch domains without ``vpcOptions`` (a public endpoint) or with anonymous
  access; OpenSearch Serverless network policies with ``AllowFromPublic``.
* Registries: OCI container repositories with ``isPublic``; every ECR Public repository.
* OCI databases: an Autonomous Database with a public endpoint and no access-control list, or one whose list
  (``whitelistedIps``, ``standbyWhitelistedIps``) admits the internet (a ``/0``, or public ranges a ``/8`` or
  wider; parent-company ranges there are ``no-parent-company-ingress``'s); a DIF stack's public ADBs,
  GoldenGate deployments with ``isPublic``, DB systems in a subnet that allows public IPs. A private endpoint
  in a subnet created in the same stack (unknown at preview) is private; one from another stack's outputs
  cannot be verified.
* OCI Streaming: a stream pool without ``privateEndpointSettings.subnetId`` (public endpoint), and a stream
  created without a stream pool (it lands in the compartment's public default pool).
* Buckets and objects: OCI ``accessType`` other than ``NoPublicAccess`` and every ``Preauthrequest``; an AWS
  bucket's public-access block must not turn any of its four settings off (AWS turns all four on for every
  new bucket, so a bucket without one is private); no bucket or object ACL grants AllUsers /
  AuthenticatedUsers (an object ACL counts unless its bucket blocks public ACLs).

* Public data APIs (``analysis/public_data_apis.py``, joined over the stack): an AppSync API with API-key
  authentication in front of a store data source (DynamoDB, a relational database, OpenSearch), an API Gateway
  method with no authorization calling a data service directly.
* Identity stores (``analysis/identity_stores.py``): a Cognito identity pool that hands anonymous callers AWS
  credentials.

Resource policies open to ``*`` on any store are grants and are judged (once) by ``no-cross-tenancy-grants``.
What a resource states itself is judged per resource (``Analyze``); the joins (bucket public-access blocks,
a DB system's subnet) over the stack. The judging lives in ``analysis/``: ``exposure_flags`` (the generated
candidates and the flags), ``public_endpoints`` (endpoints public unless made private), ``bucket_exposure``
(buckets, objects, ACLs and public-access blocks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from residency_policies.compliance import RESIDENCY
from residency_policies.analysis import bucket_exposure as buckets
from residency_policies.analysis import identity_stores, public_data_apis
from residency_policies.analysis import public_endpoints as endpoints
from residency_policies.analysis.exposure_flags import EXPOSURES, RDS_CLUSTER, flag_findings, rds_cluster
from residency_policies.framework import Finding, ResourceView, StackView, resource_policy
from residency_policies.rules_file import Rules

_OWN_FLAG_CHECKS: dict[str, Callable[[ResourceView], Iterator[Finding]]] = {
    buckets.OCI_BUCKET: buckets.oci_bucket,
    buckets.OCI_PAR: buckets.oci_par,
    **{t: (lambda v: buckets.public_acl(v, "acl", "grants[].uri")) for t in buckets.AWS_BUCKETS},
    **{t: (lambda v: buckets.public_acl(v, "acl", "accessControlPolicy.grants[].grantee.uri")) for t in buckets.BUCKET_ACLS},
    **{t: endpoints.search_domain for t in endpoints.SEARCH_DOMAINS},
    endpoints.SERVERLESS_SECURITY_POLICY: endpoints.serverless_network_policy,
    endpoints.ECR_PUBLIC: endpoints.ecr_public,
    endpoints.OCI_ADB: endpoints.oci_autonomous_database,
    endpoints.OCI_STREAM_POOL: endpoints.oci_stream_pool,
    endpoints.OCI_STREAM: endpoints.oci_stream,
    RDS_CLUSTER: rds_cluster,
    identity_stores.IDENTITY_POOL: identity_stores.exposure_findings,
}


def check(view: ResourceView, rules: Rules) -> Iterator[Finding]:
    """What a data store states itself: its exposure flags, canned ACLs and grants."""
    if not isinstance(view.props, dict):
        return
    special = _OWN_FLAG_CHECKS.get(view.type)
    if special is not None:
        yield from special(view)
    elif view.type in EXPOSURES:
        for exposure in EXPOSURES[view.type]:
            yield from flag_findings(view, exposure)


def check_stack(resources: StackView, rules: Rules) -> Iterator[Finding]:
    """The joins: AWS buckets and their public-access blocks, objects' ACLs, DB systems' subnets, and private
    endpoints named by another resource (an ADB's or a stream pool's subnet)."""
    views = [r for r in resources if isinstance(r.props, dict)]
    by_urn = {r.urn: r for r in views}
    blocks = [r for r in views if r.type == buckets.BUCKET_PAB]
    account_blocks = [r for r in views if r.type == buckets.ACCOUNT_PAB]
    aws_buckets = [r for r in views if r.type in buckets.AWS_BUCKETS]
    for view in views:
        if view.type in buckets.AWS_BUCKETS:
            yield from buckets.aws_bucket(view, blocks, account_blocks)
        elif view.type in buckets.AWS_OBJECTS:
            bucket = next((b for b in aws_buckets if buckets.targets(view, b)), None)
            if not buckets.acls_blocked(bucket, blocks, account_blocks):
                yield from buckets.public_object_acl(view)
        elif view.type == endpoints.OCI_DB_SYSTEM:
            yield from endpoints.oci_db_system(view, by_urn)
        elif view.type == endpoints.OCI_ADB:
            yield from endpoints.oci_autonomous_database_stack(view, by_urn)
        elif view.type == endpoints.OCI_STREAM_POOL:
            yield from endpoints.oci_stream_pool_stack(view, by_urn)
    yield from public_data_apis.findings(views)


POLICY = resource_policy(
    name="private-data-stores",
    description="No data store is public by its own settings, or through an API or identity pool that admits "
                "anyone: buckets, objects, databases, warehouses, search domains, brokers and registries on OCI and AWS.",
    severity="critical",
    remediation=(
        "Keep every data store private: OCI bucket accessType NoPublicAccess and no Preauthrequest; AWS buckets "
        "keep all four public-access block settings on (AWS's default; never turn one off) and no public ACLs; publiclyAccessible=False "
        "on RDS, Aurora, Neptune, Redshift, DMS, MQ and Timestream; OpenSearch / Elasticsearch domains in a VPC "
        "(vpcOptions) without anonymous access; no public OCI container repository, GoldenGate deployment or ECR "
        "Public repository; Autonomous Databases with a private endpoint (subnetId) or an access-control list of "
        "estate ranges (never 0.0.0.0/0 or another internet-wide range); stream pools with privateEndpointSettings "
        "and streams in them (streamPoolId); DB systems in subnets with prohibitPublicIpOnVnic=true; APIs in front of "
        "data stores authenticate their callers (AppSync: AWS_IAM / Cognito / OIDC, not API_KEY; API Gateway: not NONE); "
        "Cognito identity pools without unauthenticated identities. Share data through IAM policies instead."
    ),
    tags=["data", "storage", "public-access", "residency"],
    framework=RESIDENCY.control("DATA-1"),
    check=check,
    stack_check=check_stack,
    # The joins report on buckets, objects, DB systems, ADBs and stream pools, and on data APIs.
    stack_judges=sorted(buckets.AWS_BUCKETS | buckets.AWS_OBJECTS | public_data_apis.TYPES
                        | {endpoints.OCI_DB_SYSTEM, endpoints.OCI_ADB, endpoints.OCI_STREAM_POOL}),
    resource_types=sorted(set(_OWN_FLAG_CHECKS) | set(EXPOSURES)),
)
