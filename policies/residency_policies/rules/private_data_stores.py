"""private-data-stores: no data store is public by its own settings.

Every data store type whose inputs carry a public-exposure setting is judged, not only buckets. The
candidate (type, input) pairs are found in the installed SDKs (``policies/tools/generate_public_exposure_inputs.py``
-> ``data/public_exposure_inputs.txt``, with a drift test); each is either judged below (``EXPOSURES``) or
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

Resource policies open to ``*`` on any store are grants and are judged (once) by ``no-cross-tenancy-grants``.
What a resource states itself is judged per resource (``Analyze``); the joins (bucket public-access blocks,
a DB system's subnet) over the stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency_policies.compliance import RESIDENCY
from residency_policies.framework import Finding, ResourceView, resource_policy
from residency_policies.ip_ranges import Network, address_forms, parse_cidr
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, maybe_json, walk

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
OCI_BUCKET = "oci:ObjectStorage/bucket:Bucket"
OCI_PAR = "oci:ObjectStorage/preauthrequest:Preauthrequest"
AWS_BUCKETS = frozenset({"aws:s3/bucket:Bucket"})
AWS_OBJECTS = frozenset({"aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2",
                         "aws:s3/objectCopy:ObjectCopy"})
BUCKET_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
BUCKET_ACLS = frozenset({"aws:s3/bucketAcl:BucketAcl"})
OCI_SUBNET = "oci:Core/subnet:Subnet"
OCI_DB_SYSTEM = "oci:Database/dbSystem:DbSystem"
PAB_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GROUP_URIS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                     "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


@dataclass(frozen=True)
class Exposure:
    """One public-exposure input: which value makes the store public, and what an unset input means."""

    path: str
    public: Callable[[Any], bool]
    what: str  # "the instance is reachable from the internet"
    fix: str
    unset_is_public: bool = False


def _true(value: Any) -> bool:
    return value is True


_PUBLICLY_ACCESSIBLE = Exposure("publiclyAccessible", _true, "it gets a public endpoint reachable from the internet",
                                "set publiclyAccessible=False (reach it through the VPC, a bastion or a VPN)")

# type token -> its exposure inputs (wire paths). The keys are the judged half of
# data/public_exposure_inputs.txt; NOT_DATA_STORE_EXPOSURE is the other half.
EXPOSURES: dict[str, tuple[Exposure, ...]] = {
    **{t: (_PUBLICLY_ACCESSIBLE,) for t in (
        "aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance", "aws:rds/shardGroup:ShardGroup",
        "aws:neptune/clusterInstance:ClusterInstance", "aws:redshift/cluster:Cluster",
        "aws:redshiftserverless/workgroup:Workgroup", "aws:lightsail/database:Database", "aws:mq/broker:Broker",
        "aws:timestreaminfluxdb/dbCluster:DbCluster", "aws:timestreaminfluxdb/dbInstance:DbInstance",
        "aws:m2/environment:Environment",
    )},
    # DMS defaults to a public IP address when the flag is unset.
    **{t: (Exposure("publiclyAccessible", _true, "it gets a public IP address (the default when unset)",
                    "set publiclyAccessible=False", unset_is_public=True),) for t in (
        "aws:dms/replicationInstance:ReplicationInstance", "aws:dms/instanceProfile:InstanceProfile")},
    "aws:neptunegraph/graph:Graph": (Exposure("publicConnectivity", _true, "it is reachable over the internet",
                                              "set publicConnectivity=False"),),
    "aws:msk/cluster:Cluster": (Exposure(
        "brokerNodeGroupInfo.connectivityInfo.publicAccess.type",
        lambda v: isinstance(v, str) and v.upper() != "DISABLED", "its brokers get public IP addresses",
        "set brokerNodeGroupInfo.connectivityInfo.publicAccess.type to DISABLED"),),
    **{t: (Exposure("advancedSecurityOptions.anonymousAuthEnabled", _true, "anonymous users can query it",
                    "set advancedSecurityOptions.anonymousAuthEnabled=False"),) for t in (
        "aws:opensearch/domain:Domain",)},
    "oci:Artifacts/containerRepository:ContainerRepository": (Exposure(
        "isPublic", _true, "anyone can pull its images without authenticating", "set isPublic=False"),),
    "oci:GoldenGate/deployment:Deployment": (Exposure(
        "isPublic", _true, "its console and replication endpoint are reachable from the internet",
        "set isPublic=False and give it a private subnet (subnetId)"),),
    "oci:oci/difStack:DifStack": (Exposure(
        "adbs[].isPublic", _true, "that Autonomous Database gets a public endpoint",
        "set adbs[].isPublic=False and give it a subnetId"),),
}
SEARCH_DOMAINS = frozenset({"aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"})
SERVERLESS_SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
ECR_PUBLIC = "aws:ecrpublic/repository:Repository"
OCI_ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
OCI_STREAM_POOL = "oci:Streaming/streamPool:StreamPool"
OCI_STREAM = "oci:Streaming/stream:Stream"
RDS_CLUSTER = "aws:rds/cluster:Cluster"

# The generated candidates (data/public_exposure_inputs.txt) each checks judge, besides EXPOSURES' own paths.
JUDGED_BY_CHECKS: frozenset[tuple[str, str]] = frozenset({
    ("aws:rds/cluster:Cluster", "publiclyAccessible"),
    (OCI_ADB, "whitelistedIps[]"), (OCI_ADB, "standbyWhitelistedIps[]"),
    (OCI_STREAM_POOL, "privateEndpointSettings"),
    ("aws:opensearch/domain:Domain", "vpcOptions"),
    ("aws:elasticsearch/domain:Domain", "vpcOptions"),
})
_COMPUTE = "compute or a task, not a data store: its reachability is network-reachability's (the subnet's paths)"
_APP = "an authenticated application endpoint, not a data store"
# Candidates the SDK scan finds that are not a data store's own exposure, and why.
NOT_DATA_STORE_EXPOSURE: dict[tuple[str, str], str] = {
    **{(t, path): _COMPUTE for t, path in (
        ("aws:cloudwatch/eventTarget:EventTarget", "ecsTarget.networkConfiguration.assignPublicIp"),
        ("aws:ec2/instance:Instance", "associatePublicIpAddress"),
        ("aws:ec2/launchConfiguration:LaunchConfiguration", "associatePublicIpAddress"),
        ("aws:ec2/launchTemplate:LaunchTemplate", "networkInterfaces[].associatePublicIpAddress"),
        ("aws:ec2/spotFleetRequest:SpotFleetRequest", "launchSpecifications[].associatePublicIpAddress"),
        ("aws:ec2/spotInstanceRequest:SpotInstanceRequest", "associatePublicIpAddress"),
        ("aws:ecs/service:Service", "networkConfiguration.assignPublicIp"),
        ("aws:ecs/taskSet:TaskSet", "networkConfiguration.assignPublicIp"),
        ("aws:pipes/pipe:Pipe", "targetParameters.ecsTaskParameters.networkConfiguration.awsVpcConfiguration.assignPublicIp"),
        ("aws:scheduler/schedule:Schedule", "target.ecsParameters.networkConfiguration.assignPublicIp"),
        ("aws:sagemaker/notebookInstance:NotebookInstance", "directInternetAccess"),
        ("oci:CloudMigrations/targetAsset:TargetAsset", "recommendedSpecs[].createVnicDetails[].assignPublicIp"),
        ("oci:CloudMigrations/targetAsset:TargetAsset", "testSpecs[].createVnicDetails[].assignPublicIp"),
        ("oci:CloudMigrations/targetAsset:TargetAsset", "userSpec.createVnicDetails.assignPublicIp"),
        ("oci:ContainerEngine/containerInstance:ContainerInstance", "vnics[].isPublicIpAssigned"),
        ("oci:ContainerEngine/nodePool:NodePool", "secondaryVnics[].createVnicDetails.assignPublicIp"),
        ("oci:Core/instance:Instance", "createVnicDetails.assignPublicIp"),
        ("oci:Core/instanceConfiguration:InstanceConfiguration",
         "instanceDetails.launchDetails.createVnicDetails.assignPublicIp"),
        ("oci:Core/instanceConfiguration:InstanceConfiguration",
         "instanceDetails.options[].launchDetails.createVnicDetails.assignPublicIp"),
        ("oci:Core/instanceConfiguration:InstanceConfiguration",
         "instanceDetails.options[].secondaryVnics[].createVnicDetails.assignPublicIp"),
        ("oci:Core/instanceConfiguration:InstanceConfiguration",
         "instanceDetails.secondaryVnics[].createVnicDetails.assignPublicIp"),
        ("oci:Core/vnicAttachment:VnicAttachment", "createVnicDetails.assignPublicIp"),
    )},
    **{(t, path): _APP for t, path in (
        ("aws:apprunner/service:Service", "networkConfiguration.ingressConfiguration.isPubliclyAccessible"),
        ("aws:eks/cluster:Cluster", "vpcConfig.endpointPublicAccess"),
        ("aws:eks/cluster:Cluster", "vpcConfig.publicAccessCidrs[]"),
        ("aws:mwaa/environment:Environment", "webserverAccessMode"),
        ("oci:ContainerEngine/cluster:Cluster", "endpointConfig.isPublicIpEnabled"),
        ("oci:Analytics/analyticsInstance:AnalyticsInstance", "networkEndpointDetails.networkEndpointType"),
        ("oci:Integration/integrationInstance:IntegrationInstance", "networkEndpointDetails.networkEndpointType"),
        ("oci:VisualBuilder/vbInstance:VbInstance", "networkEndpointDetails.networkEndpointType"),
        ("oci:Analytics/analyticsInstance:AnalyticsInstance", "networkEndpointDetails.whitelistedIps[]"),
        ("oci:Analytics/analyticsInstance:AnalyticsInstance",
         "networkEndpointDetails.whitelistedVcns[].whitelistedIps[]"),
        *(("oci:Integration/integrationInstance:IntegrationInstance", f"networkEndpointDetails.{where}")
           for where in ("allowlistedHttpIps[]", "allowlistedHttpVcns[].allowlistedIps[]",
                         "designTime.allowlistedHttpIps[]", "designTime.allowlistedHttpVcns[].allowlistedIps[]",
                         "runtime.allowlistedHttpIps[]", "runtime.allowlistedHttpVcns[].allowlistedIps[]")),
        ("oci:VisualBuilder/vbInstance:VbInstance", "networkEndpointDetails.allowlistedHttpIps[]"),
        ("oci:VisualBuilder/vbInstance:VbInstance", "networkEndpointDetails.allowlistedHttpVcns[].allowlistedIpCidrs[]"),
    )},
    **{("aws:odb/autonomousDatabase:AutonomousDatabase", path): (
        "an Oracle Database@AWS database lives in an ODB network and has private endpoints only; the list narrows "
        "who reaches them privately") for path in ("allowlistedIps[]", "standbyAllowlistedIps[]")},
    ("aws:opensearchingest/pipeline:Pipeline", "vpcOptions"):
        "an ingestion pipeline (a data flow, no-untrusted-data-destinations'), not a store; SigV4-signed requests only",
    ("aws:opensearchingest/pipelineEndpoint:PipelineEndpoint", "vpcOptions"): "a VPC endpoint into a pipeline",
    ("aws:opensearch/vpcEndpoint:VpcEndpoint", "vpcOptions"): "a VPC endpoint: makes a domain reachable privately",
    ("aws:elasticsearch/vpcEndpoint:VpcEndpoint", "vpcOptions"): "a VPC endpoint: makes a domain reachable privately",
    ("aws:ec2/subnet:Subnet", "mapPublicIpOnLaunch"): "a subnet: network-reachability proves its paths",
    ("aws:ec2/defaultSubnet:DefaultSubnet", "mapPublicIpOnLaunch"): "a subnet: network-reachability proves its paths",
    ("aws:imagebuilder/lifecyclePolicy:LifecyclePolicy", "policyDetails[].exclusionRules.amis.isPublic"):
        "a filter on which AMIs a lifecycle rule skips, not an exposure",
    ("oci:Core/cpe:Cpe", "isPrivate"): "a customer-premises VPN endpoint, not a data store",
    ("oci:LoadBalancer/loadBalancer:LoadBalancer", "isPrivate"): "a load balancer: network-reachability's",
    ("oci:NetworkLoadBalancer/networkLoadBalancer:NetworkLoadBalancer", "isPrivate"):
        "a load balancer: network-reachability's",
}


def _flag_findings(view: ResourceView, exposure: Exposure) -> Iterator[Finding]:
    found = list(walk(view.props, exposure.path))
    if not found and exposure.unset_is_public:
        yield Finding(f"{exposure.path} is unset: {exposure.what}; {exposure.fix}", view.urn, path=exposure.path)
    for path, value in found:
        if is_unknown(value):
            yield Finding(f"{path} decides whether the data store is public", view.urn, unverifiable=True, path=path)
        elif exposure.public(value):
            yield Finding(f"{path} is {value!r}: {exposure.what}; {exposure.fix}", view.urn, path=path)


def _rds_cluster(view: ResourceView) -> Iterator[Finding]:
    value = view.props.get("publiclyAccessible")
    if value is None:
        # Multi-AZ DB clusters (dbClusterInstanceClass set) default to public without a DB subnet group.
        group = view.props.get("dbSubnetGroupName")
        if view.props.get("dbClusterInstanceClass") and not is_unknown(group) and group in (None, "", "default"):
            yield Finding("publiclyAccessible is unset and the Multi-AZ DB cluster has no DB subnet group, so AWS makes "
                          "it publicly accessible; set publiclyAccessible=False and a dbSubnetGroupName",
                          view.urn, path="publiclyAccessible")
        return
    yield from _flag_findings(view, _PUBLICLY_ACCESSIBLE)


def _search_domain(view: ResourceView) -> Iterator[Finding]:
    options = view.props.get("vpcOptions")
    subnets = options.get("subnetIds") if isinstance(options, dict) else None
    if is_unknown(options) or is_unknown(subnets):
        yield Finding("vpcOptions decides whether the domain has a public endpoint", view.urn, unverifiable=True,
                      path="vpcOptions")
    elif not subnets:
        yield Finding("the domain has no vpcOptions, so its endpoint is public (reachable from the internet, guarded "
                      "only by its access policy); give it vpcOptions.subnetIds and securityGroupIds", view.urn,
                      path="vpcOptions")
    for exposure in EXPOSURES.get(view.type, ()):
        yield from _flag_findings(view, exposure)


def _serverless_network_policy(view: ResourceView) -> Iterator[Finding]:
    kind = view.props.get("type")
    if isinstance(kind, str) and kind.lower() != "network":
        return
    policy = maybe_json(view.props.get("policy"))
    if is_unknown(kind) or is_unknown(policy):
        yield Finding("the network policy decides whether the collections are public", view.urn, unverifiable=True,
                      path="policy")
        return
    for i, rule in enumerate(policy if isinstance(policy, list) else [policy]):
        if isinstance(rule, dict) and rule.get("AllowFromPublic") is True:
            yield Finding(f"policy[{i}].AllowFromPublic is true: the collections it names are reachable from the "
                          "internet; set AllowFromPublic to false and name SourceVPCEs", view.urn,
                          path=f"policy[{i}].AllowFromPublic")


def _ecr_public(view: ResourceView) -> Iterator[Finding]:
    yield Finding("an ECR Public repository can be pulled by anyone; use a private aws.ecr.Repository", view.urn)


# An access-control entry that admits the internet: a default route (``0.0.0.0/0``, ``::/0``) or any range of
# public addresses at least 1/256 of its address space (a /8 or wider): no one party's range is that wide.
INTERNET_WIDE_PREFIX = 8


def internet_wide(entry: Any) -> Network | None:
    """The range an access-control entry admits when it is the internet; None otherwise (VCN-scoped
    ``<vcn ocid>;<cidr>`` entries reach the database through a private VCN, not the internet)."""
    if not isinstance(entry, str) or ";" in entry or entry.strip().lower().startswith("ocid1."):
        return None
    network = parse_cidr(entry.strip())
    if network is None:
        return None
    forms = address_forms(network)
    if any(f.prefixlen == 0 for f in forms):
        return network
    return network if network.prefixlen <= INTERNET_WIDE_PREFIX and not network.is_private else None


def _acl_findings(view: ResourceView, keys: tuple[str, ...], what: str, fix: str) -> Iterator[Finding]:
    """Entries of an access-control list in front of a public endpoint that admit the internet."""
    for key in keys:
        for path, entry in walk(view.props, f"{key}[]"):
            if is_unknown(entry):
                yield Finding(f"{path} decides who can reach {what} over the internet", view.urn,
                              unverifiable=True, path=path)
            elif (wide := internet_wide(entry)) is not None:
                yield Finding(f"{path} is {entry!r}, which admits the internet ({wide}): {what} is public; {fix}",
                              view.urn, path=path)


_ADB_PRIVATE = ("subnetId", "privateEndpointIp", "autonomousContainerDatabaseId")
_ADB_FIX = ("give it a private endpoint (subnetId) or list only the estate's ranges and VCNs in whitelistedIps "
            "(parent-company ranges there are no-parent-company-ingress's)")


def _oci_autonomous_database(view: ResourceView) -> Iterator[Finding]:
    """An ADB without a private endpoint has a public one: no access-control list, or one that admits the
    internet, makes it public. A private endpoint named by another resource of the stack (unknown at preview)
    is judged over the stack."""
    p = view.props
    private = [p.get(k) for k in _ADB_PRIVATE]
    if p.get("isDedicated") is True or any(v for v in private if not is_unknown(v)):
        return
    if any(is_unknown(v) for v in private):
        return  # a private endpoint from another resource: the stack phase follows it
    acl = p.get("whitelistedIps")
    if is_unknown(acl):
        yield Finding("whitelistedIps decides who can reach the database's public endpoint", view.urn,
                      unverifiable=True, path="whitelistedIps")
    elif not acl:
        yield Finding("the Autonomous Database has a public endpoint (no subnetId) and no access-control list "
                      "(whitelistedIps): anyone on the internet can connect; give it a subnetId (private endpoint) "
                      "or an access-control list of estate ranges", view.urn, path="whitelistedIps")
    else:
        yield from _acl_findings(view, ("whitelistedIps", "standbyWhitelistedIps"),
                                 "the database's public endpoint", _ADB_FIX)


def _stack_origin(view: ResourceView, key: str, by_urn: dict[str, ResourceView]) -> bool:
    """Whether the unknown ``key`` comes from a resource created in this stack (not another stack's output)."""
    return any(u in by_urn and not by_urn[u].type.startswith(_NOT_STACK_RESOURCES)
               for u in (view.property_dependencies or {}).get(key, ()))


_NOT_STACK_RESOURCES = ("pulumi:pulumi:StackReference", "pulumi:providers:")


def _oci_autonomous_database_stack(view: ResourceView, by_urn: dict[str, ResourceView]) -> Iterator[Finding]:
    p = view.props
    private = {k: p.get(k) for k in _ADB_PRIVATE}
    if p.get("isDedicated") is True or any(v and not is_unknown(v) for v in private.values()):
        return
    unknown = [k for k, v in private.items() if is_unknown(v)]
    if not unknown or any(_stack_origin(view, k, by_urn) for k in unknown):
        return  # no private endpoint (judged per resource), or one created in this stack
    yield Finding(f"{unknown[0]} decides whether the database has a private endpoint, and it comes from no resource "
                  "of this stack", view.urn, unverifiable=True, path=unknown[0])


def _oci_stream_pool(view: ResourceView) -> Iterator[Finding]:
    """A stream pool without private endpoint settings (a subnet) has a public endpoint."""
    settings = view.props.get("privateEndpointSettings")
    subnet = settings.get("subnetId") if isinstance(settings, dict) else None
    if is_unknown(settings):
        yield Finding("privateEndpointSettings decides whether the stream pool has a public endpoint", view.urn,
                      unverifiable=True, path="privateEndpointSettings")
    elif not is_unknown(subnet) and not subnet:
        yield Finding("the stream pool has no privateEndpointSettings.subnetId, so its streams are served on a public "
                      "endpoint reachable from the internet; set privateEndpointSettings with a private subnetId",
                      view.urn, path="privateEndpointSettings")


def _oci_stream_pool_stack(view: ResourceView, by_urn: dict[str, ResourceView]) -> Iterator[Finding]:
    settings = view.props.get("privateEndpointSettings")
    subnet = settings.get("subnetId") if isinstance(settings, dict) else None
    if is_unknown(subnet) and not _stack_origin(view, "privateEndpointSettings", by_urn):
        yield Finding("privateEndpointSettings.subnetId decides whether the stream pool has a public endpoint, and it "
                      "comes from no resource of this stack", view.urn, unverifiable=True,
                      path="privateEndpointSettings.subnetId")


def _oci_stream(view: ResourceView) -> Iterator[Finding]:
    """A stream created without a stream pool lands in the compartment's default pool, which is public."""
    pool = view.props.get("streamPoolId")
    if pool is None or pool == "":
        yield Finding("the stream has no streamPoolId, so OCI puts it in the compartment's default stream pool, whose "
                      "endpoint is public; create an oci.streaming.StreamPool with privateEndpointSettings and set "
                      "streamPoolId", view.urn, path="streamPoolId")


def _public_object_acl(view: ResourceView) -> Iterator[Finding]:
    acl = view.props.get("acl")
    if is_unknown(acl):
        yield Finding("the canned ACL decides whether the object is public", view.urn, unverifiable=True, path="acl")
    elif isinstance(acl, str) and acl in PUBLIC_CANNED_ACLS:
        yield Finding(f"acl is {acl!r}: the object is readable by anyone (unless its bucket's public-access block "
                      "ignores ACLs); remove the ACL", view.urn, path="acl")


def _oci_bucket(view: ResourceView) -> Iterator[Finding]:
    access = view.props.get("accessType")
    if access is None or access == "NoPublicAccess":
        return
    if is_unknown(access):
        yield Finding("the bucket's accessType decides whether it is public", view.urn, unverifiable=True,
                      path="accessType")
    else:
        yield Finding(f"accessType is {access!r}: the bucket is readable from the internet; set NoPublicAccess",
                      view.urn, path="accessType")


def _oci_par(view: ResourceView) -> Iterator[Finding]:
    access = view.props.get("accessType")
    scope = " for every object in the bucket" if isinstance(access, str) and access.startswith("AnyObject") else ""
    yield Finding(f"a pre-authenticated request{scope} ({access!r}) on bucket {view.props.get('bucket')!r} is a "
                  "bearer URL anyone holding it can use, bypassing IAM; remove it", view.urn, path="accessType")


def _public_acl(view: ResourceView, acl_path: str, grants_path: str) -> Iterator[Finding]:
    for path, acl in walk(view.props, acl_path):
        if is_unknown(acl):
            yield Finding("the canned ACL decides whether the bucket is public", view.urn, unverifiable=True, path=path)
        elif isinstance(acl, str) and acl in PUBLIC_CANNED_ACLS:
            yield Finding(f"{path} is {acl!r}: the bucket is public", view.urn, path=path)
    for path, uri in walk(view.props, grants_path):
        if is_unknown(uri):
            yield Finding("a grantee URI decides whether the bucket is public", view.urn, unverifiable=True, path=path)
        elif isinstance(uri, str) and uri in PUBLIC_GROUP_URIS:
            yield Finding(f"{path} grants {uri.rsplit('/', 1)[-1]}: the bucket is public", view.urn, path=path)


def _targets(view: ResourceView, bucket: ResourceView) -> bool:
    """Whether a bucket-level resource (PAB, ACL, policy) applies to ``bucket``."""
    if bucket.urn in (view.property_dependencies or {}).get("bucket", ()):
        return True
    name = view.props.get("bucket")
    own = bucket.props.get("bucket")
    return isinstance(name, str) and not is_unknown(name) and isinstance(own, str) and name == own


def _block_state(pab: ResourceView) -> tuple[list[str], list[str]]:
    off = [s for s in PAB_SETTINGS if pab.props.get(s) is not True and not is_unknown(pab.props.get(s))]
    unknown = [s for s in PAB_SETTINGS if is_unknown(pab.props.get(s))]
    return off, unknown


def _aws_bucket(bucket: ResourceView, blocks: list[ResourceView], account_blocks: list[ResourceView]) -> Iterator[Finding]:
    """A bucket's own public-access block must keep all four settings on.

    Since April 2023 AWS creates every bucket with all four bucket-level settings on (and ACLs disabled), so a
    bucket is public only if a ``BucketPublicAccessBlock`` turns a setting off; no block in the stack is
    AWS's default. An account-level block with all four on covers the bucket whatever its own block says.
    """
    if any(not _block_state(a)[0] and not _block_state(a)[1] for a in account_blocks):
        return
    mine = [b for b in blocks if _targets(b, bucket)]
    for pab in mine:
        off, unknown = _block_state(pab)
        if off:
            yield Finding(f"its public-access block {pab.name} leaves {', '.join(off)} off; all four must be true",
                          bucket.urn, path=f"{pab.name}.{off[0]}")
        elif unknown:
            yield Finding(f"public-access block {pab.name} settings decide whether the bucket can be public",
                          bucket.urn, unverifiable=True, path=f"{pab.name}.{unknown[0]}")


def _oci_db_system(view: ResourceView, by_urn: dict[str, ResourceView]) -> Iterator[Finding]:
    """A DB system's nodes get public IP addresses in a subnet that allows them."""
    deps = [by_urn[u] for u in (view.property_dependencies or {}).get("subnetId", ()) if u in by_urn]
    subnets = [d for d in deps if d.type == OCI_SUBNET]
    if not subnets:
        yield Finding("the DB system's subnet is not created in this stack, so whether its nodes get public IP "
                      "addresses cannot be checked; create the subnet in the stack with prohibitPublicIpOnVnic=true",
                      view.urn, unverifiable=True, path="subnetId")
        return
    for subnet in subnets:
        flags = [subnet.props.get("prohibitPublicIpOnVnic"), subnet.props.get("prohibitInternetIngress")]
        if True in flags:
            continue
        if any(is_unknown(f) for f in flags):
            yield Finding(f"subnet {subnet.name}'s prohibitPublicIpOnVnic decides whether the DB system gets public "
                          "IP addresses", view.urn, unverifiable=True, path="subnetId")
        else:
            yield Finding(f"the DB system is in subnet {subnet.name}, which allows public IP addresses "
                          "(prohibitPublicIpOnVnic is not true), so its nodes can be reached from the internet; place "
                          "it in a private subnet (prohibitPublicIpOnVnic=true)", view.urn, path="subnetId")


_OWN_FLAG_CHECKS: dict[str, Callable[[ResourceView], Iterator[Finding]]] = {
    OCI_BUCKET: _oci_bucket,
    OCI_PAR: _oci_par,
    **{t: (lambda v: _public_acl(v, "acl", "grants[].uri")) for t in AWS_BUCKETS},
    **{t: (lambda v: _public_acl(v, "acl", "accessControlPolicy.grants[].grantee.uri")) for t in BUCKET_ACLS},
    **{t: _search_domain for t in SEARCH_DOMAINS},
    SERVERLESS_SECURITY_POLICY: _serverless_network_policy,
    ECR_PUBLIC: _ecr_public,
    OCI_ADB: _oci_autonomous_database,
    OCI_STREAM_POOL: _oci_stream_pool,
    OCI_STREAM: _oci_stream,
    RDS_CLUSTER: _rds_cluster,
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
            yield from _flag_findings(view, exposure)


def _acls_blocked(bucket: ResourceView | None, blocks: list[ResourceView], account_blocks: list[ResourceView]) -> bool:
    """Whether public ACLs are refused / ignored for objects of ``bucket`` (a bucket of this stack keeps AWS's
    default block unless its own block turns ACL blocking off)."""
    def acl_blocking(pab: ResourceView) -> bool:
        return pab.props.get("blockPublicAcls") is True or pab.props.get("ignorePublicAcls") is True
    if any(acl_blocking(a) for a in account_blocks):
        return True
    if bucket is None:
        return False
    return all(acl_blocking(b) for b in blocks if _targets(b, bucket))


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    """The joins: AWS buckets and their public-access blocks, objects' ACLs, DB systems' subnets, and private
    endpoints named by another resource (an ADB's or a stream pool's subnet)."""
    views = [r for r in resources if isinstance(r.props, dict)]
    by_urn = {r.urn: r for r in views}
    blocks = [r for r in views if r.type == BUCKET_PAB]
    account_blocks = [r for r in views if r.type == ACCOUNT_PAB]
    buckets = [r for r in views if r.type in AWS_BUCKETS]
    for view in views:
        if view.type in AWS_BUCKETS:
            yield from _aws_bucket(view, blocks, account_blocks)
        elif view.type in AWS_OBJECTS:
            bucket = next((b for b in buckets if _targets(view, b)), None)
            if not _acls_blocked(bucket, blocks, account_blocks):
                yield from _public_object_acl(view)
        elif view.type == OCI_DB_SYSTEM:
            yield from _oci_db_system(view, by_urn)
        elif view.type == OCI_ADB:
            yield from _oci_autonomous_database_stack(view, by_urn)
        elif view.type == OCI_STREAM_POOL:
            yield from _oci_stream_pool_stack(view, by_urn)


POLICY = resource_policy(
    name="private-data-stores",
    description="No data store is public by its own settings: buckets, objects, databases, warehouses, search "
                "domains, brokers and registries on OCI and AWS.",
    severity="critical",
    remediation=(
        "Keep every data store private: OCI bucket accessType NoPublicAccess and no Preauthrequest; AWS buckets "
        "keep all four public-access block settings on (AWS's default; never turn one off) and no public ACLs; publiclyAccessible=False "
        "on RDS, Aurora, Neptune, Redshift, DMS, MQ and Timestream; OpenSearch / Elasticsearch domains in a VPC "
        "(vpcOptions) without anonymous access; no public OCI container repository, GoldenGate deployment or ECR "
        "Public repository; Autonomous Databases with a private endpoint (subnetId) or an access-control list of "
        "estate ranges (never 0.0.0.0/0 or another internet-wide range); stream pools with privateEndpointSettings "
        "and streams in them (streamPoolId); DB systems in subnets with prohibitPublicIpOnVnic=true. Share data through "
        "IAM policies instead."
    ),
    tags=["data", "storage", "public-access", "residency"],
    framework=RESIDENCY.control("DATA-1"),
    check=check,
    stack_check=check_stack,
    resource_types=sorted(set(_OWN_FLAG_CHECKS) | set(EXPOSURES)),
)
