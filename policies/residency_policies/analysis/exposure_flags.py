"""Data stores made public by a flag of their own: which (type, input) pairs expose a store, and how each is read.

The candidate (type, input) pairs are found in the installed SDKs (``policies/tools/generate_public_exposure_inputs.py``
-> ``data/public_exposure_inputs.txt``, with a drift test); each is either judged (``EXPOSURES``, or by one of the
checks ``JUDGED_BY_CHECKS`` names) or listed in ``NOT_DATA_STORE_EXPOSURE`` with the reason it is not a data
store's exposure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency_policies.findings import Finding
from residency_policies.values import is_unknown, walk
from residency_policies.views import ResourceView

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
OCI_ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
OCI_STREAM_POOL = "oci:Streaming/streamPool:StreamPool"
RDS_CLUSTER = "aws:rds/cluster:Cluster"


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


def flag_findings(view: ResourceView, exposure: Exposure) -> Iterator[Finding]:
    found = list(walk(view.props, exposure.path))
    if not found and exposure.unset_is_public:
        yield Finding(f"{exposure.path} is unset: {exposure.what}; {exposure.fix}", view.urn, path=exposure.path)
    for path, value in found:
        if is_unknown(value):
            yield Finding(f"{path} decides whether the data store is public", view.urn, unverifiable=True, path=path)
        elif exposure.public(value):
            yield Finding(f"{path} is {value!r}: {exposure.what}; {exposure.fix}", view.urn, path=path)


def rds_cluster(view: ResourceView) -> Iterator[Finding]:
    value = view.props.get("publiclyAccessible")
    if value is None:
        # Multi-AZ DB clusters (dbClusterInstanceClass set) default to public without a DB subnet group.
        group = view.props.get("dbSubnetGroupName")
        if view.props.get("dbClusterInstanceClass") and not is_unknown(group) and group in (None, "", "default"):
            yield Finding("publiclyAccessible is unset and the Multi-AZ DB cluster has no DB subnet group, so AWS makes "
                          "it publicly accessible; set publiclyAccessible=False and a dbSubnetGroupName",
                          view.urn, path="publiclyAccessible")
        return
    yield from flag_findings(view, _PUBLICLY_ACCESSIBLE)

