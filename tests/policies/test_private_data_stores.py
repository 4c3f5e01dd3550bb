"""private-data-stores through the analyzer protocol: raw OCI/AWS programs, exact flagged URNs."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from residency_rules_programs import Judged, aws_provider, flagged, judged, oci_provider, urn_of
from generator_checks import SDK_SCHEMA_GROUP, check_generated

POLICY = "private-data-stores"
COMP = "ocid1.compartment.oc1..aaaaaaaacompartment"


def _block(name, bucket, ao, **off):
    settings = dict(block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
                    restrict_public_buckets=True)
    settings.update(off)
    return aws.s3.BucketPublicAccessBlock(name, bucket=bucket, **settings, opts=ao)


def _stores(o, ao, public: bool):
    """One of every data store type with a public-exposure setting, private (public=False) or public."""
    pa = dict(publicly_accessible=public)
    aws.rds.Instance("rds", instance_class="db.t3.micro", engine="postgres", **pa, opts=ao)
    aws.rds.ClusterInstance("aurora-instance", cluster_identifier="c", engine="aurora-postgresql",
                            instance_class="db.r6g.large", **pa, opts=ao)
    aws.rds.ShardGroup("shards", db_cluster_identifier="c", db_shard_group_identifier="s", max_acu=16, **pa, opts=ao)
    aws.rds.Cluster("multi-az", engine="postgres", db_cluster_instance_class="db.m5d.large",
                    db_subnet_group_name=None if public else "private-db", opts=ao)
    aws.neptune.ClusterInstance("neptune", cluster_identifier="c", instance_class="db.r5.large", **pa, opts=ao)
    aws.redshift.Cluster("redshift", cluster_identifier="w", node_type="ra3.xlplus", **pa, opts=ao)
    aws.redshiftserverless.Workgroup("workgroup", namespace_name="n", workgroup_name="w", **pa, opts=ao)
    aws.lightsail.Database("lightsail", blueprint_id="postgres_16", bundle_id="micro_2_0", master_database_name="d",
                           master_password="not-a-secret-x", master_username="u", relational_database_name="r",
                           **pa, opts=ao)
    aws.mq.Broker("broker", engine_type="RabbitMQ", engine_version="3.13", host_instance_type="mq.m5.large", **pa,
                  users=[aws.mq.BrokerUserArgs(username="u", password="not-a-secret-x")], opts=ao)
    aws.timestreaminfluxdb.DbInstance("influx", allocated_storage=20, bucket="b", db_instance_type="db.influx.medium",
                                      organization="o", password="not-a-secret-x", username="u",
                                      vpc_security_group_ids=["sg-1"], vpc_subnet_ids=["subnet-1"], **pa, opts=ao)
    aws.m2.Environment("mainframe", engine_type="bluage", instance_type="M2.m5.large", name="m", **pa, opts=ao)
    # DMS is public unless told otherwise.
    aws.dms.ReplicationInstance("dms", replication_instance_class="dms.t3.micro", replication_instance_id="r",
                                **({} if public else pa), opts=ao)
    aws.neptunegraph.Graph("graph", provisioned_memory=16, public_connectivity=public, opts=ao)
    aws.msk.Cluster("kafka", kafka_version="3.6.0", number_of_broker_nodes=3,
                    broker_node_group_info=aws.msk.ClusterBrokerNodeGroupInfoArgs(
                        client_subnets=["subnet-1"], instance_type="kafka.m5.large", security_groups=["sg-1"],
                        connectivity_info=aws.msk.ClusterBrokerNodeGroupInfoConnectivityInfoArgs(
                            public_access=aws.msk.ClusterBrokerNodeGroupInfoConnectivityInfoPublicAccessArgs(
                                type="SERVICE_PROVIDED_EIPS" if public else "DISABLED"))), opts=ao)
    vpc = None if public else aws.opensearch.DomainVpcOptionsArgs(subnet_ids=["subnet-1"], security_group_ids=["sg-1"])
    aws.opensearch.Domain("search", vpc_options=vpc, opts=ao)
    aws.elasticsearch.Domain("legacy-search", vpc_options=None if public else aws.elasticsearch.DomainVpcOptionsArgs(
        subnet_ids=["subnet-1"], security_group_ids=["sg-1"]), opts=ao)
    aws.opensearch.ServerlessSecurityPolicy("collection-network", type="network", policy=json.dumps([{
        "Rules": [{"ResourceType": "collection", "Resource": ["collection/logs"]}], "AllowFromPublic": public,
        **({} if public else {"SourceVPCEs": ["vpce-1"]})}]), opts=ao)
    oci.artifacts.ContainerRepository("ocir", compartment_id=COMP, display_name="images", is_public=public, opts=o)
    oci.goldengate.Deployment("goldengate", compartment_id=COMP, display_name="gg", subnet_id="ocid1.subnet.oc1.phx.x",
                              license_model="BRING_YOUR_OWN_LICENSE", is_public=public, opts=o)
    oci.database.AutonomousDatabase("adb", compartment_id=COMP, db_name="adb1", admin_password="Not-a-secret-1",
                                    subnet_id=None if public else "ocid1.subnet.oc1.phx.aaaa", opts=o)


def compliant():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.objectstorage.Bucket("oci-default", compartment_id=COMP, namespace="ns", name="a", opts=o)
    oci.objectstorage.Bucket("oci-private", compartment_id=COMP, namespace="ns", name="b",
                             access_type="NoPublicAccess", opts=o)
    b = aws.s3.Bucket("blocked-by-dependency", opts=ao)
    _block("blocked-by-dependency-pab", b.id, ao)
    named = aws.s3.BucketV2("blocked-by-name", bucket="named-bucket", opts=ao)
    _block("blocked-by-name-pab", "named-bucket", ao)
    aws.s3.BucketAcl("private-acl", bucket=named.id, acl="private", opts=ao)
    # AWS turns on all four public-access block settings for every new bucket: no block resource is private.
    aws.s3.Bucket("aws-default-block", opts=ao)
    # A public object ACL in a bucket whose public-access block ignores ACLs is not public.
    aws.s3.BucketObjectv2("object-in-blocked-bucket", bucket=b.id, key="k", content="x", acl="public-read", opts=ao)
    _stores(o, ao, public=False)
    # An Autonomous Database with a public endpoint but an access-control list is judged by its ranges
    # (no-parent-company-ingress), not as public.
    oci.database.AutonomousDatabase("adb-acl", compartment_id=COMP, db_name="adb2", admin_password="Not-a-secret-1",
                                    whitelisted_ips=["198.51.100.0/24"], opts=o)
    vcn = oci.core.Vcn("vcn", compartment_id=COMP, cidr_block="10.0.0.0/16", opts=o)
    private = oci.core.Subnet("db-private", compartment_id=COMP, vcn_id=vcn.id, cidr_block="10.0.1.0/24",
                              prohibit_public_ip_on_vnic=True, opts=o)
    _db_system("db-system-private", private.id, o)


def _db_system(name, subnet_id, o):
    oci.database.DbSystem(name, availability_domain="Uocm:PHX-AD-1", compartment_id=COMP, hostname="db",
                          shape="VM.Standard2.2", subnet_id=subnet_id, ssh_public_keys=["ssh-rsa AAAA"],
                          db_home=oci.database.DbSystemDbHomeArgs(database=oci.database.DbSystemDbHomeDatabaseArgs(
                              admin_password="Not-a-secret-1")), opts=o)


def violating():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    oci.objectstorage.Bucket("oci-public", compartment_id=COMP, namespace="ns", name="p", access_type="ObjectRead",
                             opts=o)
    oci.objectstorage.Preauthrequest("par", namespace="ns", bucket="a", name="share", access_type="AnyObjectRead",
                                     bucket_listing_action="ListObjects", time_expires="2030-01-01T00:00:00Z", opts=o)
    half = aws.s3.Bucket("half-block", opts=ao)
    _block("half-block-pab", half.id, ao, restrict_public_buckets=False)
    public = aws.s3.BucketV2("inline-public-acl", acl="public-read", opts=ao)
    _block("inline-public-acl-pab", public.id, ao)
    aws.s3.BucketAclV2("acl-all-users", bucket="x", access_control_policy=aws.s3.BucketAclV2AccessControlPolicyArgs(
        owner=aws.s3.BucketAclV2AccessControlPolicyOwnerArgs(id="owner"),
        grants=[aws.s3.BucketAclV2AccessControlPolicyGrantArgs(
            permission="READ", grantee=aws.s3.BucketAclV2AccessControlPolicyGrantGranteeArgs(
                type="Group", uri="http://acs.amazonaws.com/groups/global/AllUsers"))]), opts=ao)
    aws.s3.BucketObjectv2("public-object", bucket="bucket-of-another-stack", key="k", content="x", acl="public-read",
                          opts=ao)
    _stores(o, ao, public=True)
    aws.ecrpublic.Repository("ecr-public", repository_name="images", opts=ao)
    aws.opensearch.Domain("search-anonymous", vpc_options=aws.opensearch.DomainVpcOptionsArgs(subnet_ids=["subnet-1"]),
                          advanced_security_options=aws.opensearch.DomainAdvancedSecurityOptionsArgs(
                              enabled=True, anonymous_auth_enabled=True), opts=ao)
    vcn = oci.core.Vcn("vcn", compartment_id=COMP, cidr_block="10.0.0.0/16", opts=o)
    public_subnet = oci.core.Subnet("db-public", compartment_id=COMP, vcn_id=vcn.id, cidr_block="10.0.1.0/24", opts=o)
    _db_system("db-system-public", public_subnet.id, o)


PUBLIC_STORES = [
    ("aws:rds/instance:Instance", "rds"), ("aws:rds/clusterInstance:ClusterInstance", "aurora-instance"),
    ("aws:rds/shardGroup:ShardGroup", "shards"), ("aws:rds/cluster:Cluster", "multi-az"),
    ("aws:neptune/clusterInstance:ClusterInstance", "neptune"), ("aws:redshift/cluster:Cluster", "redshift"),
    ("aws:redshiftserverless/workgroup:Workgroup", "workgroup"), ("aws:lightsail/database:Database", "lightsail"),
    ("aws:mq/broker:Broker", "broker"), ("aws:timestreaminfluxdb/dbInstance:DbInstance", "influx"),
    ("aws:m2/environment:Environment", "mainframe"), ("aws:dms/replicationInstance:ReplicationInstance", "dms"),
    ("aws:neptunegraph/graph:Graph", "graph"), ("aws:msk/cluster:Cluster", "kafka"),
    ("aws:opensearch/domain:Domain", "search"), ("aws:elasticsearch/domain:Domain", "legacy-search"),
    ("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", "collection-network"),
    ("oci:Artifacts/containerRepository:ContainerRepository", "ocir"),
    ("oci:GoldenGate/deployment:Deployment", "goldengate"),
    ("oci:Database/autonomousDatabase:AutonomousDatabase", "adb"),
]


def unknown_at_preview():
    o = pulumi.ResourceOptions(provider=oci_provider())
    ao = pulumi.ResourceOptions(provider=aws_provider())
    ns = oci.objectstorage.Bucket("first", compartment_id=COMP, namespace="ns", name="f", opts=o)
    oci.objectstorage.Bucket("access-unknown", compartment_id=COMP, namespace="ns", name="u",
                             access_type=ns.id.apply(lambda _: "NoPublicAccess"), opts=o)
    b = aws.s3.Bucket("block-unknown", opts=ao)
    aws.s3.BucketPublicAccessBlock("block-unknown-pab", bucket=b.id, block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=b.id.apply(lambda _: True), opts=ao)
    aws.rds.Instance("rds-flag-unknown", instance_class="db.t3.micro", publicly_accessible=b.id.apply(lambda _: False),
                     opts=ao)
    oci.artifacts.ContainerRepository("ocir-flag-unknown", compartment_id=COMP, display_name="images",
                                      is_public=ns.id.apply(lambda _: False), opts=o)
    _db_system("db-system-external-subnet", "ocid1.subnet.oc1.phx.aaaaaaaaexternal", o)


def test_compliant_program_is_not_flagged(pack):
    assert flagged(compliant, pack, POLICY) == set()


def test_every_public_data_store_is_flagged(pack):
    assert flagged(violating, pack, POLICY) == {urn_of(t, n) for t, n in [
        ("oci:ObjectStorage/bucket:Bucket", "oci-public"),
        ("oci:ObjectStorage/preauthrequest:Preauthrequest", "par"),
        ("aws:s3/bucket:Bucket", "half-block"),
        ("aws:s3/bucketV2:BucketV2", "inline-public-acl"),
        ("aws:s3/bucketAclV2:BucketAclV2", "acl-all-users"),
        ("aws:s3/bucketObjectv2:BucketObjectv2", "public-object"),
        ("aws:ecrpublic/repository:Repository", "ecr-public"),
        ("aws:opensearch/domain:Domain", "search-anonymous"),
        ("oci:Database/dbSystem:DbSystem", "db-system-public"),
        *PUBLIC_STORES,
    ]}


def test_public_bucket_policy_is_reported_once_as_a_grant(pack):
    def program():
        ao = pulumi.ResourceOptions(provider=aws_provider())
        b = aws.s3.Bucket("b", opts=ao)
        _block("b-pab", b.id, ao)
        aws.s3.BucketPolicy("public-policy", bucket=b.id, policy=json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"}]}), opts=ao)

    assert flagged(program, pack, POLICY) == set()
    assert flagged(program, pack, "no-cross-tenancy-grants") == {urn_of("aws:s3/bucketPolicy:BucketPolicy",
                                                                        "public-policy")}


def test_unknown_public_access_settings_fail_closed(pack):
    urns, messages = flagged(unknown_at_preview, pack, POLICY, with_messages=True)
    assert urns == {urn_of("oci:ObjectStorage/bucket:Bucket", "access-unknown"),
                    urn_of("aws:s3/bucket:Bucket", "block-unknown"),
                    urn_of("aws:rds/instance:Instance", "rds-flag-unknown"),
                    urn_of("oci:Artifacts/containerRepository:ContainerRepository", "ocir-flag-unknown"),
                    urn_of("oci:Database/dbSystem:DbSystem", "db-system-external-subnet")}
    assert all("cannot be verified at preview" in m for m in messages)


@SDK_SCHEMA_GROUP
def test_public_exposure_input_list_matches_installed_sdks():
    code, stderr = check_generated("generate_public_exposure_inputs")
    assert code == 0, stderr


def test_every_sdk_exposure_input_is_judged_or_excluded_with_a_reason():
    from residency_policies.analysis import exposure_flags as rule

    lines = (rule.DATA_DIR / "public_exposure_inputs.txt").read_text().splitlines()
    candidates = {tuple(line.split("\t")) for line in lines if line and not line.startswith("#")}
    judged = {(token, e.path) for token, exposures in rule.EXPOSURES.items() for e in exposures} | rule.JUDGED_BY_CHECKS

    def is_judged(token, path):
        return any(t == token and (p == path or p.startswith(path + ".")) for t, p in judged)

    excluded = set(rule.NOT_DATA_STORE_EXPOSURE)
    assert {c for c in candidates if not is_judged(*c) and c not in excluded} == set()
    assert {c for c in candidates if is_judged(*c) and c in excluded} == set()
    assert excluded <= candidates, "excluded inputs the SDK no longer has"
    assert all(len(reason) > 20 for reason in rule.NOT_DATA_STORE_EXPOSURE.values())


# --- Access-control lists, stream pools, private endpoints from the stack (follow-up audit) ------------------

ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
POOL = "oci:Streaming/streamPool:StreamPool"
STREAM = "oci:Streaming/stream:Stream"


def _adb(name, o, **kw):
    return oci.database.AutonomousDatabase(name, compartment_id=COMP, db_name=name.replace("-", "")[:14],
                                           admin_password="Not-a-secret-1", opts=o, **kw)


def _pool(name, o, subnet_id=None):
    settings = None if subnet_id is None else oci.streaming.StreamPoolPrivateEndpointSettingsArgs(subnet_id=subnet_id)
    return oci.streaming.StreamPool(name, compartment_id=COMP, name=name, private_endpoint_settings=settings, opts=o)


def acl_and_endpoint_compliant():
    o = pulumi.ResourceOptions(provider=oci_provider())
    vcn = oci.core.Vcn("vcn", compartment_id=COMP, cidr_block="10.0.0.0/16", opts=o)
    sub = oci.core.Subnet("db", compartment_id=COMP, vcn_id=vcn.id, cidr_block="10.0.1.0/24",
                          prohibit_public_ip_on_vnic=True, opts=o)
    # A private endpoint in a subnet of this stack (unknown at preview) is as private as a literal subnet.
    _adb("adb-private-in-stack", o, subnet_id=sub.id)
    _adb("adb-private-literal", o, subnet_id="ocid1.subnet.oc1.phx.aaaaaaaadb")
    # A public endpoint behind an access-control list of estate ranges and a VCN.
    _adb("adb-acl-estate", o, whitelisted_ips=["198.51.100.0/24", "ocid1.vcn.oc1.phx.aaaaaaaavcn;10.0.0.0/16"],
         standby_whitelisted_ips=["198.51.100.0/24"])
    pool = _pool("pool-private-in-stack", o, sub.id)
    _pool("pool-private-literal", o, "ocid1.subnet.oc1.phx.aaaaaaaastreams")
    oci.streaming.Stream("stream-in-pool", name="s", partitions=1, stream_pool_id=pool.id, opts=o)


def acl_and_endpoint_violating():
    o = pulumi.ResourceOptions(provider=oci_provider())
    _adb("adb-acl-open", o, whitelisted_ips=["0.0.0.0/0"])
    _adb("adb-acl-internet-wide", o, whitelisted_ips=["198.51.100.0/24", "64.0.0.0/2"])
    _adb("adb-standby-acl-open", o, whitelisted_ips=["198.51.100.0/24"], standby_whitelisted_ips=["::/0"])
    _pool("pool-public", o)
    oci.streaming.Stream("stream-default-pool", name="s", partitions=1, compartment_id=COMP, opts=o)


def acl_and_endpoint_unknown():
    o = pulumi.ResourceOptions(provider=oci_provider())
    other = pulumi.StackReference("org/network/prod")
    _adb("adb-subnet-other-stack", o, subnet_id=other.get_output("dbSubnetId"))
    _adb("adb-acl-other-stack", o, whitelisted_ips=["198.51.100.0/24", other.get_output("officeRange")])
    _pool("pool-subnet-other-stack", o, other.get_output("streamSubnetId"))


def test_estate_access_lists_and_private_endpoints_from_the_stack_pass(pack):
    assert flagged(acl_and_endpoint_compliant, pack, POLICY) == set()


def test_internet_wide_access_lists_and_public_stream_pools_are_flagged(pack):
    urns, texts = flagged(acl_and_endpoint_violating, pack, POLICY, with_messages=True)
    assert urns == {urn_of(ADB, "adb-acl-open"), urn_of(ADB, "adb-acl-internet-wide"),
                    urn_of(ADB, "adb-standby-acl-open"), urn_of(POOL, "pool-public"),
                    urn_of(STREAM, "stream-default-pool")}
    assert any("whitelistedIps[1] is '64.0.0.0/2', which admits the internet" in t for t in texts)
    assert any("standbyWhitelistedIps[0] is '::/0'" in t for t in texts)
    assert len(texts) == 5  # one finding per mistake


def test_private_endpoints_and_lists_from_another_stack_fail_closed(pack):
    urns, texts = flagged(acl_and_endpoint_unknown, pack, POLICY, with_messages=True)
    assert urns == {urn_of(ADB, "adb-subnet-other-stack"), urn_of(ADB, "adb-acl-other-stack"),
                    urn_of(POOL, "pool-subnet-other-stack")}
    assert all("cannot be verified at preview" in t for t in texts)


def test_compliant_program_flags_and_passes_exact_sets(pack):
    """Checkov-style: the resources private-data-stores judged and passed, beside those it flagged."""
    assert judged(compliant, pack, POLICY) == Judged(
        flagged=set(),
        passed={
            urn_of("aws:dms/replicationInstance:ReplicationInstance", "dms"),
            urn_of("aws:elasticsearch/domain:Domain", "legacy-search"),
            urn_of("aws:lightsail/database:Database", "lightsail"),
            urn_of("aws:m2/environment:Environment", "mainframe"),
            urn_of("aws:mq/broker:Broker", "broker"),
            urn_of("aws:msk/cluster:Cluster", "kafka"),
            urn_of("aws:neptune/clusterInstance:ClusterInstance", "neptune"),
            urn_of("aws:neptunegraph/graph:Graph", "graph"),
            urn_of("aws:opensearch/domain:Domain", "search"),
            urn_of("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", "collection-network"),
            urn_of("aws:rds/cluster:Cluster", "multi-az"),
            urn_of("aws:rds/clusterInstance:ClusterInstance", "aurora-instance"),
            urn_of("aws:rds/instance:Instance", "rds"),
            urn_of("aws:rds/shardGroup:ShardGroup", "shards"),
            urn_of("aws:redshift/cluster:Cluster", "redshift"),
            urn_of("aws:redshiftserverless/workgroup:Workgroup", "workgroup"),
            urn_of("aws:s3/bucket:Bucket", "aws-default-block"),
            urn_of("aws:s3/bucket:Bucket", "blocked-by-dependency"),
            urn_of("aws:s3/bucketAcl:BucketAcl", "private-acl"),
            urn_of("aws:s3/bucketObjectv2:BucketObjectv2", "object-in-blocked-bucket"),
            urn_of("aws:s3/bucketV2:BucketV2", "blocked-by-name"),
            urn_of("aws:timestreaminfluxdb/dbInstance:DbInstance", "influx"),
            urn_of("oci:Artifacts/containerRepository:ContainerRepository", "ocir"),
            urn_of("oci:Database/autonomousDatabase:AutonomousDatabase", "adb"),
            urn_of("oci:Database/autonomousDatabase:AutonomousDatabase", "adb-acl"),
            urn_of("oci:Database/dbSystem:DbSystem", "db-system-private"),
            urn_of("oci:GoldenGate/deployment:Deployment", "goldengate"),
            urn_of("oci:ObjectStorage/bucket:Bucket", "oci-default"),
            urn_of("oci:ObjectStorage/bucket:Bucket", "oci-private"),
        },
    )


def test_violating_program_flags_and_passes_exact_sets(pack):
    """Checkov-style: beside every resource flagged, those the policy judged and passed."""
    assert judged(violating, pack, POLICY) == Judged(
        flagged={
            urn_of("aws:dms/replicationInstance:ReplicationInstance", "dms"),
            urn_of("aws:ecrpublic/repository:Repository", "ecr-public"),
            urn_of("aws:elasticsearch/domain:Domain", "legacy-search"),
            urn_of("aws:lightsail/database:Database", "lightsail"),
            urn_of("aws:m2/environment:Environment", "mainframe"),
            urn_of("aws:mq/broker:Broker", "broker"),
            urn_of("aws:msk/cluster:Cluster", "kafka"),
            urn_of("aws:neptune/clusterInstance:ClusterInstance", "neptune"),
            urn_of("aws:neptunegraph/graph:Graph", "graph"),
            urn_of("aws:opensearch/domain:Domain", "search"),
            urn_of("aws:opensearch/domain:Domain", "search-anonymous"),
            urn_of("aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy", "collection-network"),
            urn_of("aws:rds/cluster:Cluster", "multi-az"),
            urn_of("aws:rds/clusterInstance:ClusterInstance", "aurora-instance"),
            urn_of("aws:rds/instance:Instance", "rds"),
            urn_of("aws:rds/shardGroup:ShardGroup", "shards"),
            urn_of("aws:redshift/cluster:Cluster", "redshift"),
            urn_of("aws:redshiftserverless/workgroup:Workgroup", "workgroup"),
            urn_of("aws:s3/bucket:Bucket", "half-block"),
            urn_of("aws:s3/bucketAclV2:BucketAclV2", "acl-all-users"),
            urn_of("aws:s3/bucketObjectv2:BucketObjectv2", "public-object"),
            urn_of("aws:s3/bucketV2:BucketV2", "inline-public-acl"),
            urn_of("aws:timestreaminfluxdb/dbInstance:DbInstance", "influx"),
            urn_of("oci:Artifacts/containerRepository:ContainerRepository", "ocir"),
            urn_of("oci:Database/autonomousDatabase:AutonomousDatabase", "adb"),
            urn_of("oci:Database/dbSystem:DbSystem", "db-system-public"),
            urn_of("oci:GoldenGate/deployment:Deployment", "goldengate"),
            urn_of("oci:ObjectStorage/bucket:Bucket", "oci-public"),
            urn_of("oci:ObjectStorage/preauthrequest:Preauthrequest", "par"),
        },
        passed=set(),
    )
