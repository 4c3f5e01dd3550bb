"""data-tier-placement: a data store sits only in data-tier subnets of the stack (issue 21 item 3).

The issue's user-profiles database in the app subnet passed every rule; these programs put databases, caches,
file systems, search and Kafka clusters in data, app and untagged subnets, in subnet groups, in subnets of other
stacks and in the default VPC.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from residency_policies.analysis.store_durability import STORE_PROFILES
from residency_policies.rules.data_tier_placement import default_network_message, placement_message
from tests.policies.conftest import COMPARTMENT, KEY_IAD, flagged, judged, messages, urn

POLICY = "data-tier-placement"
US_KEY = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AD = "Uocm:US-ASHBURN-AD-1"
ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
MYSQL = "oci:Mysql/mysqlDbSystem:MysqlDbSystem"
PSQL = "oci:Psql/dbSystem:DbSystem"
MOUNT = "oci:FileStorage/mountTarget:MountTarget"
REDIS = "oci:Redis/redisCluster:RedisCluster"
OPENSEARCH = "oci:Opensearch/cluster:Cluster"
RDS = "aws:rds/instance:Instance"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
MSK = "aws:msk/cluster:Cluster"
DOMAIN = "aws:opensearch/domain:Domain"
EFS_MOUNT = "aws:efs/mountTarget:MountTarget"
PROTECT = pulumi.ResourceOptions(protect=True)


def _oci_network():
    vcn = oci.core.Vcn("vcn", compartment_id=COMPARTMENT, cidr_blocks=["10.0.0.0/16"])

    def subnet(name, cidr, tier):
        return oci.core.Subnet(name, compartment_id=COMPARTMENT, vcn_id=vcn.id, cidr_block=cidr,
                               prohibit_public_ip_on_vnic=True,
                               freeform_tags={"residency-tier": tier} if tier else None)

    return subnet("data", "10.0.1.0/24", "data"), subnet("app", "10.0.2.0/24", "app"), subnet("plain", "10.0.3.0/24", None)


def _adb(name, subnet, **kw):
    return oci.database.AutonomousDatabase(name, compartment_id=COMPARTMENT, db_name=name.replace("-", ""),
                                           kms_key_id=KEY_IAD, subnet_id=subnet, opts=PROTECT, **kw)


def _mysql(name, subnet):
    return oci.mysql.MysqlDbSystem(name, compartment_id=COMPARTMENT, availability_domain=AD, shape_name="MySQL.2",
                                   subnet_id=subnet, opts=PROTECT)


def _psql(name, subnet):
    return oci.psql.DbSystem(
        name, compartment_id=COMPARTMENT, db_version="16", display_name=name, shape="PostgreSQL.VM.Standard.E4.Flex",
        network_details=oci.psql.DbSystemNetworkDetailsArgs(subnet_id=subnet),
        storage_details=oci.psql.DbSystemStorageDetailsArgs(is_regionally_durable=True, system_type="OCI_OPTIMIZED_STORAGE"))


def _oci_program():
    data, app, plain = _oci_network()
    _adb("in-data", data.id)
    _adb("in-plain", plain.id)  # untagged subnets are data tiers
    _adb("public-endpoint", None)  # no subnet: a public endpoint, private-data-stores' finding
    _mysql("in-app", app.id)  # the user-profiles database
    _psql("psql-in-app", app.id)
    oci.filestorage.MountTarget("mount-in-app", compartment_id=COMPARTMENT, availability_domain=AD, subnet_id=app.id)
    oci.filestorage.MountTarget("mount-in-data", compartment_id=COMPARTMENT, availability_domain=AD, subnet_id=data.id)
    oci.redis.RedisCluster("cache-in-app", compartment_id=COMPARTMENT, display_name="c", node_count=1,
                           node_memory_in_gbs=2, software_version="V7_0_5", subnet_id=app.id)
    # A subnet of another stack: its tier cannot be read.
    oci.opensearch.Cluster("search-elsewhere", compartment_id=COMPARTMENT, data_node_count=1,
                           data_node_host_memory_gb=8, data_node_host_ocpu_count=1, data_node_host_type="FLEX",
                           data_node_storage_gb=50, display_name="s", master_node_count=1,
                           master_node_host_memory_gb=8, master_node_host_ocpu_count=1, master_node_host_type="FLEX",
                           opendashboard_node_count=1, opendashboard_node_host_memory_gb=8,
                           opendashboard_node_host_ocpu_count=1, software_version="2.11.0",
                           subnet_compartment_id=COMPARTMENT, subnet_id="ocid1.subnet.oc1.iad.aaaaaaaaotherstack",
                           vcn_compartment_id=COMPARTMENT, vcn_id="ocid1.vcn.oc1.iad.aaaaaaaaotherstack")


OCI_FLAGGED = {urn(MYSQL, "in-app"), urn(PSQL, "psql-in-app"), urn(MOUNT, "mount-in-app"), urn(REDIS, "cache-in-app"),
               urn(OPENSEARCH, "search-elsewhere")}


def test_oci_stores_outside_data_tiers_are_flagged(preview):
    result = preview(_oci_program)
    assert flagged(result, POLICY, level="mandatory") == OCI_FLAGGED
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {
        urn("oci:Database/autonomousDatabase:AutonomousDatabase", "in-data"),
        urn("oci:Database/autonomousDatabase:AutonomousDatabase", "in-plain"),
        urn("oci:Database/autonomousDatabase:AutonomousDatabase", "public-endpoint"),
        urn("oci:FileStorage/mountTarget:MountTarget", "mount-in-data"),
    }
    assert len(messages(result, POLICY)) == len(OCI_FLAGGED)
    by_name = {v.urn.split("::")[-1]: v.message for v in result.violations_of(POLICY)}
    assert ("this database sits in subnet 'app' (residency-tier=app, by `subnetId`), not a data tier: "
            "network-reachability proves only data-tier subnets unreachable") in by_name["in-app"]
    assert "by `networkDetails.subnetId`" in by_name["psql-in-app"]
    assert "this file system mount target sits in subnet 'app'" in by_name["mount-in-app"]
    assert ("this search cluster sits in ocid1.subnet.oc1.iad.aaaaaaaaotherstack (`subnetId`), which this stack does "
            "not create (its tier cannot be read)") in by_name["search-elsewhere"]


def _aws_network():
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.1.0.0/16")

    def subnet(name, cidr, tier):
        return aws.ec2.Subnet(name, vpc_id=vpc.id, cidr_block=cidr, tags={"residency-tier": tier} if tier else None)

    return subnet("db-a", "10.1.1.0/24", "data"), subnet("db-b", "10.1.2.0/24", None), subnet("web", "10.1.3.0/24", "app")


def _rds(name, **kw):
    return aws.rds.Instance(name, instance_class="db.t3.micro", engine="postgres", allocated_storage=20,
                            storage_encrypted=True, kms_key_id=US_KEY, **kw)


def _aws_program():
    db_a, db_b, web = _aws_network()
    data_group = aws.rds.SubnetGroup("data-group", subnet_ids=[db_a.id, db_b.id])
    mixed_group = aws.rds.SubnetGroup("mixed-group", subnet_ids=[db_a.id, web.id])
    _rds("rds-in-data", db_subnet_group_name=data_group.name)
    _rds("rds-in-mixed", db_subnet_group_name=mixed_group.name)
    _rds("rds-default-vpc")
    # A same-region read replica takes its source's subnet group.
    _rds("rds-replica", replicate_source_db="source-db")
    _rds("rds-group-by-literal-name", db_subnet_group_name="legacy-group")
    cache_group = aws.elasticache.SubnetGroup("cache-group", subnet_ids=[web.id])
    aws.elasticache.ReplicationGroup("cache-in-web", description="c", node_type="cache.t3.micro",
                                     subnet_group_name=cache_group.name)
    aws.msk.Cluster("kafka-in-web", cluster_name="k", kafka_version="3.6.0", number_of_broker_nodes=2,
                    broker_node_group_info=aws.msk.ClusterBrokerNodeGroupInfoArgs(
                        client_subnets=[web.id, db_a.id], instance_type="kafka.t3.small", security_groups=["sg-1"]))
    aws.efs.MountTarget("efs-in-data", file_system_id="fs-123", subnet_id=db_a.id)
    aws.opensearch.Domain("search-literal", vpc_options=aws.opensearch.DomainVpcOptionsArgs(subnet_ids=["subnet-0abc"]))
    # Stores no subnet places: nothing to judge.
    aws.dynamodb.Table("table", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], hash_key="id")
    aws.sqs.Queue("queue")


AWS_FLAGGED = {urn(RDS, "rds-in-mixed"), urn(RDS, "rds-default-vpc"), urn(RDS, "rds-group-by-literal-name"),
               urn(CACHE, "cache-in-web"), urn(MSK, "kafka-in-web"), urn(DOMAIN, "search-literal")}


def test_aws_stores_outside_data_tiers_or_in_the_default_vpc_are_flagged(preview):
    result = preview(_aws_program)
    assert flagged(result, POLICY, level="mandatory") == AWS_FLAGGED
    assert len(messages(result, POLICY)) == len(AWS_FLAGGED)
    by_name = {v.urn.split("::")[-1]: v.message for v in result.violations_of(POLICY)}
    assert "subnet 'web' (residency-tier=app, by `dbSubnetGroupName` (subnet group 'mixed-group'))" in by_name["rds-in-mixed"]
    assert "'db-a'" not in by_name["rds-in-mixed"]
    assert by_name["rds-default-vpc"].split("\n")[1].startswith(
        "this database sets no `dbSubnetGroupName`, so AWS places it in the account's default VPC")
    assert "subnet group 'legacy-group' (`dbSubnetGroupName`), which this stack does not create" in \
        by_name["rds-group-by-literal-name"]
    assert "by `brokerNodeGroupInfo.clientSubnets[]`" in by_name["kafka-in-web"]


def test_a_store_classified_as_holding_no_user_data_is_advisory(preview):
    def program():
        _, app, _ = _oci_network()
        oci.redis.RedisCluster("sessions", compartment_id=COMPARTMENT, display_name="c", node_count=1,
                               node_memory_in_gbs=2, software_version="V7_0_5", subnet_id=app.id,
                               freeform_tags={"residency-data": "ephemeral"})

    assert flagged(preview(program), POLICY, level="advisory") == {urn(REDIS, "sessions")}


def test_a_subnet_unknown_at_preview_cannot_be_verified(preview):
    def program():
        elsewhere = pulumi.StackReference("org/network/prod")
        _mysql("mysql", elsewhere.get_output("dataSubnetId"))
        _rds("rds", db_subnet_group_name=elsewhere.get_output("dbSubnetGroup"))

    result = preview(program)
    assert flagged(result, POLICY, level="mandatory") == {urn(MYSQL, "mysql"), urn(RDS, "rds")}
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))


def test_placement_messages_read_correctly():
    mysql = STORE_PROFILES[MYSQL]
    one = placement_message(mysql, ["'app' (residency-tier=app, by `subnetId`)"], [])
    assert one.startswith("this database sits in subnet 'app' (residency-tier=app, by `subnetId`), not a data tier: ")
    both = placement_message(mysql, ["'a' (x)", "'b' (y)"], ["ocid1.subnet.oc1..x (`subnetId`)"])
    assert both.startswith("this database sits in subnets 'a' (x), 'b' (y), not a data tier and in "
                           "ocid1.subnet.oc1..x (`subnetId`), which this stack does not create (its tier cannot be read): ")
    assert one.endswith("Place it only in data-tier subnets of this stack (tagged residency-tier=data, or untagged)")
    assert default_network_message(STORE_PROFILES[CACHE]).startswith(
        "this cache sets no `subnetGroupName`, so AWS places it in the account's default VPC")
