"""Regions hidden in identifiers (issue 13 item 2): OCIDs, ARNs, AD and AZ names in any property.

``us-region-replication`` walks every property of every resource (no per-type table) and reads each
identifier's region; a data-bearing reference (a key, a store, a destination, a subnet or availability
domain that places what the resource creates) must name an allowed region. Identifiers of things that
hold no data (images, IAM roles, layers, certificates) and free text (tags, descriptions) are not judged.
One finding per resource and foreign region, naming every path.
"""

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from tests.policies.conftest import COMPARTMENT, CONFIG, KEY_IAD, flagged, judged, urn

POLICY = "us-region-replication"
DGA = "oci:Database/dataGuardAssociation:DataGuardAssociation"
PROTECT = pulumi.ResourceOptions(protect=True)
SIN_SUBNET = "ocid1.subnet.oc1.ap-singapore-1.aaaaaaaastandbysubnet"
PHX_SUBNET = "ocid1.subnet.oc1.phx.aaaaaaaastandbysubnet"
DB_ID = "ocid1.database.oc1.iad.aaaaaaaaprimarydb"


def _standby(name, subnet_id, availability_domain, **extra):
    return oci.database.DataGuardAssociation(
        name, database_id=DB_ID, creation_type="NewDbSystem", database_admin_password="Secret#123456",
        protection_mode="MAXIMUM_PERFORMANCE", transport_type="ASYNC", delete_standby_db_home_on_delete="true",
        subnet_id=subnet_id, availability_domain=availability_domain, shape="VM.Standard2.1", hostname="standby", **extra)


def test_compliant_identifiers_in_allowed_regions_and_identifiers_that_hold_no_data(preview):
    def program():
        _standby("standby-phx", PHX_SUBNET, "Uocm:PHX-AD-1")
        oci.core.Volume("vol-long-ad", compartment_id=COMPARTMENT, availability_domain="xxxx:US-ASHBURN-1-AD-1",
                        kms_key_id=KEY_IAD, opts=PROTECT)
        aws.ebs.Volume("ebs", availability_zone="us-east-2a", size=8, opts=PROTECT,
                       kms_key_id="arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        aws.cloudwatch.LogSubscriptionFilter("to-firehose", log_group="app", filter_pattern="",
                                             destination_arn="arn:aws:firehose:us-west-2:111111111111:deliverystream/logs",
                                             role_arn="arn:aws:iam::111111111111:role/cwl")
        # Foreign-region identifiers of things that hold no data, and free text naming a foreign store.
        oci.core.Instance("vm", availability_domain="Uocm:US-ASHBURN-AD-1", compartment_id=COMPARTMENT, shape="VM.Standard.E4.Flex",
                          source_details={"source_type": "image", "source_id": "ocid1.image.oc1.eu-frankfurt-1.aaaaaaaaimage",
                                          "kms_key_id": KEY_IAD},
                          freeform_tags={"copied-from": "ocid1.bucket.oc1.eu-frankfurt-1.aaaaaaaasourcebucket"})
        aws.lambda_.Function("fn", role="arn:aws:iam::111111111111:role/fn", runtime="python3.12", handler="h.main",
                             code=pulumi.AssetArchive({}), layers=["arn:aws:lambda:eu-west-1:464622532012:layer:Datadog-Python312:1"],
                             description="reads arn:aws:sqs:eu-west-1:111111111111:elsewhere")

    assert flagged(preview(program), POLICY) == set()


def test_foreign_regions_hidden_in_identifiers_are_flagged_once_per_resource(preview):
    def program():
        # The case: a Data Guard standby whose subnet and AD are in Singapore (one mistake, one report).
        _standby("standby-sin", SIN_SUBNET, "Uocm:SIN-AD-1")
        # Keys named outside key inputs, stores, destinations, placements; Args classes and dict literals.
        oci.database.AutonomousDatabase("adb-vault-fra", compartment_id=COMPARTMENT, db_name="adb", kms_key_id=KEY_IAD,
                                        vault_id="ocid1.vault.oc1.fra.aaaaaaaavault", opts=PROTECT)
        oci.core.VolumeAttachment("attach-fra", attachment_type="paravirtualized", instance_id="ocid1.instance.oc1.iad.aaaa",
                                  volume_id="ocid1.volume.oc1.eu-frankfurt-1.aaaaaaaavolume")
        oci.core.Instance("vm-fra-boot", availability_domain="Uocm:US-ASHBURN-AD-1", compartment_id=COMPARTMENT,
                          shape="VM.Standard.E4.Flex",
                          source_details=oci.core.InstanceSourceDetailsArgs(
                              source_type="bootVolume", source_id="ocid1.bootvolume.oc1.fra.aaaaaaaaboot", kms_key_id=KEY_IAD))
        oci.core.Volume("vol-fra-ad", compartment_id=COMPARTMENT, availability_domain="xxxx:EU-FRANKFURT-1-AD-1",
                        kms_key_id=KEY_IAD, opts=PROTECT)
        oci.core.Volume("vol-bad-segment", compartment_id=COMPARTMENT, availability_domain="Uocm:US-ASHBURN-AD-1",
                        kms_key_id=KEY_IAD, source_details={"type": "volume", "id": "ocid1.volume.oc1.zzz.aaaaaaaasource"},
                        opts=PROTECT)
        aws.cloudwatch.LogSubscriptionFilter("to-eu", log_group="app", filter_pattern="",
                                             destination_arn="arn:aws:firehose:eu-west-1:111111111111:deliverystream/logs",
                                             role_arn="arn:aws:iam::111111111111:role/cwl")
        aws.sns.TopicSubscription("to-eu-queue", topic="arn:aws:sns:us-east-2:111111111111:events", protocol="sqs",
                                  endpoint="arn:aws:sqs:eu-central-1:111111111111:events")
        aws.ebs.Volume("ebs-eu-az", availability_zone="eu-west-1a", size=8, opts=PROTECT,
                       kms_key_id="arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        aws.ec2.Instance("vm-eu-zone-id", ami="ami-0123456789abcdef0", instance_type="t3.micro",
                         placement_group_id=None, availability_zone="euw1-az2",
                         root_block_device={"kms_key_id": "arn:aws:kms:us-east-2:111111111111:key/k"})

    result = preview(program)
    assert flagged(result, POLICY) == {
        urn(DGA, "standby-sin"),
        urn("oci:Database/autonomousDatabase:AutonomousDatabase", "adb-vault-fra"),
        urn("oci:Core/volumeAttachment:VolumeAttachment", "attach-fra"),
        urn("oci:Core/instance:Instance", "vm-fra-boot"),
        urn("oci:Core/volume:Volume", "vol-fra-ad"),
        urn("oci:Core/volume:Volume", "vol-bad-segment"),
        urn("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "to-eu"),
        urn("aws:sns/topicSubscription:TopicSubscription", "to-eu-queue"),
        urn("aws:ebs/volume:Volume", "ebs-eu-az"),
        urn("aws:ec2/instance:Instance", "vm-eu-zone-id"),
    }
    standby = [v.message for v in result.violations_of(POLICY) if v.urn == urn(DGA, "standby-sin")]
    assert len(standby) == 1 and "subnetId" in standby[0] and "availabilityDomain" in standby[0] and "ap-singapore-1" in standby[0]


def test_a_key_arn_in_ireland_is_reported_once_by_the_keys_policy(preview):
    def program():
        bucket = aws.s3.Bucket("data", opts=PROTECT)
        aws.s3.BucketServerSideEncryptionConfiguration("data-sse", bucket=bucket.id, rules=[
            {"apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms",
                "kms_master_key_id": "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}])

    result = preview(program)
    sse = urn("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "data-sse")
    assert flagged(result, "us-keys-for-data") == {sse}
    assert flagged(result, POLICY) == set()


def test_unknown_identifiers_judged_through_the_stack_and_config(preview):
    def program():
        cfg = pulumi.Config()
        # From stack config: known at preview, judged like a literal.
        _standby("standby-cfg", cfg.require("standbySubnet"), "Uocm:PHX-AD-1")
        # Created in this stack by a Singapore provider: the subnet's own region decides (stack phase).
        sin = oci.Provider("sin", region="ap-singapore-1")
        subnet = oci.core.Subnet("sin-subnet", compartment_id=COMPARTMENT, vcn_id="ocid1.vcn.oc1.ap-singapore-1.aaaa",
                                 cidr_block="10.9.0.0/24", opts=pulumi.ResourceOptions(provider=sin))
        _standby("standby-in-stack", subnet.id, "Uocm:SIN-AD-1")
        # The AD comes from another resource: the standby's region cannot be verified at preview.
        _standby("standby-unknown-ad", PHX_SUBNET, subnet.availability_domain)
        # A destination created in this stack in an allowed region: compliant although unknown.
        stream = aws.kinesis.FirehoseDeliveryStream("logs", destination="extended_s3",
                                                    extended_s3_configuration={"role_arn": "arn:aws:iam::111111111111:role/f",
                                                                               "bucket_arn": "arn:aws:s3:::logs"})
        aws.cloudwatch.LogSubscriptionFilter("to-stack-firehose", log_group="app", filter_pattern="",
                                             destination_arn=stream.arn, role_arn="arn:aws:iam::111111111111:role/cwl")

    result = preview(program, config={**CONFIG, "test:standbySubnet": SIN_SUBNET})
    assert flagged(result, POLICY, level="mandatory") == {
        urn(DGA, "standby-cfg"), urn(DGA, "standby-in-stack"), urn(DGA, "standby-unknown-ad"),
    }
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {
        urn("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "to-stack-firehose"),
        urn("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "logs"),
        urn("oci:Core/subnet:Subnet", "sin-subnet"),
    }
    unknown = [v.message for v in result.violations_of(POLICY) if v.urn == urn(DGA, "standby-unknown-ad")]
    assert unknown and all("cannot be verified at preview" in m for m in unknown)
    # The foreign subnet itself is the region rule's finding, not this one's (on its provider: one report
    # for everything the Singapore provider creates).
    assert urn("pulumi:providers:oci", "sin") in flagged(result, "us-region-providers")


def test_identifier_readers_zone_names_ashburn_ads_and_kinds():
    import sys

    from tests.policies.conftest import PACK_DIR

    sys.path.insert(0, str(PACK_DIR))
    try:
        from residency_policies.analysis import data_references as refs
        from residency_policies.aws_identifiers import parse_arn
        from residency_policies.oci_identifiers import availability_domain_region
    finally:
        sys.path.remove(str(PACK_DIR))
    assert [refs.aws_zone_region(z) for z in ("eu-west-1a", "us-east-1-bos-1a", "use1-az4", "usgw1-az1", "apne1-az2", "x")] == [
        "eu-west-1", "us-east-1", "us-east-1", "us-gov-west-1", "ap-northeast-1", None]
    assert availability_domain_region("kIdk:US-ASHBURN-AD-1").region == "us-ashburn-1"
    kinds = {a: refs.arn_kind(parse_arn(a)) for a in (
        "arn:aws:lambda:eu-west-1:1:layer:x:1", "arn:aws:lambda:eu-west-1:1:function:x", "arn:aws:iam::1:role/x",
        "arn:aws:logs:eu-west-1:1:log-group:x:*", "arn:aws:ec2:eu-west-1:1:image/ami-1", "arn:aws:kms:eu-west-1:1:key/x")}
    assert kinds == {
        "arn:aws:lambda:eu-west-1:1:layer:x:1": refs.OTHER, "arn:aws:lambda:eu-west-1:1:function:x": refs.DESTINATION,
        "arn:aws:iam::1:role/x": refs.OTHER, "arn:aws:logs:eu-west-1:1:log-group:x:*": refs.DESTINATION,
        "arn:aws:ec2:eu-west-1:1:image/ami-1": refs.OTHER, "arn:aws:kms:eu-west-1:1:key/x": refs.KEY}


# --- Regions inside JSON documents and service endpoints (issue 13 items 1-2, follow-up) -------------------

ESTATE = "222222222222"
SECRET_EU = f"arn:aws:secretsmanager:eu-west-1:{ESTATE}:secret:db-AbCdEf"
SECRET_US = f"arn:aws:secretsmanager:us-east-2:{ESTATE}:secret:db-AbCdEf"
ROLE = f"arn:aws:iam::{ESTATE}:role/app"


def _containers(region, secret):
    import json

    return json.dumps([{
        "name": "app", "image": "public.ecr.aws/docker/library/busybox:latest", "essential": True,
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "app", "awslogs-region": region, "awslogs-stream-prefix": "app"}},
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": secret}]}])


def _send_to_queue(queue_url):
    import json

    return json.dumps({"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
        "Parameters": {"QueueUrl": queue_url, "MessageBody.$": "$"}}}})


def _redrive(dlq_arn):
    import json

    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})


def test_documents_and_endpoints_in_allowed_regions_and_what_holds_no_data_pass(preview):
    import json

    def program():
        aws.ecs.TaskDefinition("task-us", family="app", container_definitions=_containers("us-east-2", SECRET_US))
        aws.sfn.StateMachine("sfn-us", role_arn=ROLE,
                             definition=_send_to_queue(f"https://sqs.us-east-2.amazonaws.com/{ESTATE}/jobs"))
        aws.sqs.Queue("queue-us-dlq", redrive_policy=_redrive(f"arn:aws:sqs:us-east-2:{ESTATE}:dlq"))
        aws.sns.TopicSubscription("https-to-us-queue", topic=f"arn:aws:sns:us-east-2:{ESTATE}:t", protocol="https",
                                  endpoint=f"https://sqs.us-east-2.amazonaws.com/{ESTATE}/q")
        # A dashboard showing Irish metrics moves no data; a service principal is who sends, not where to.
        aws.cloudwatch.Dashboard("dash", dashboard_name="d", dashboard_body=json.dumps({"widgets": [{
            "type": "metric", "properties": {"region": "eu-west-1", "metrics": [["AWS/SQS", "NumberOfMessagesSent"]]}}]}))
        aws.lambda_.Permission("logs-invoke", action="lambda:InvokeFunction", function="fn",
                               principal="logs.eu-west-1.amazonaws.com")
        # IAM documents are no-cross-tenancy-grants' (not walked here); a global S3 endpoint names no region.
        aws.iam.Policy("reads-eu", policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": f"arn:aws:sqs:eu-west-1:{ESTATE}:q"}]}))
        aws.cloudwatch.EventTarget("to-global-s3-endpoint", rule="r", arn=f"arn:aws:sqs:us-east-2:{ESTATE}:q",
                                   input=json.dumps({"report": "https://reports.s3.amazonaws.com/daily"}))
        # Images are code pulled from a registry, not a place user data goes.
        oci.functions.Function("fn-fra-image", application_id="ocid1.fnapp.oc1.iad.aaaaaaaaapp", display_name="f",
                               memory_in_mbs="256", image="fra.ocir.io/ns/repo:1")
        aws.ecs.TaskDefinition("task-eu-image", family="img", container_definitions=_containers("us-east-2", SECRET_US).replace(
            "public.ecr.aws/docker/library/busybox:latest", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"))

    assert flagged(preview(program), POLICY) == set()


def test_foreign_regions_inside_documents_and_endpoints_are_flagged_once_per_resource(preview):
    import json

    def program():
        # The audit's cases: awslogs-region and a secret in Ireland, a state machine, a DLQ and a redrive
        # policy in Ireland, an event target input naming an Irish queue, an https subscription to an Irish
        # queue URL.
        aws.ecs.TaskDefinition("task-eu", family="app", container_definitions=_containers("eu-west-1", SECRET_EU))
        aws.sfn.StateMachine("sfn-to-eu-queue", role_arn=ROLE,
                             definition=_send_to_queue(f"https://sqs.eu-west-1.amazonaws.com/{ESTATE}/jobs"))
        aws.sqs.Queue("queue-eu-dlq", redrive_policy=_redrive(f"arn:aws:sqs:eu-west-1:{ESTATE}:dlq"))
        aws.sqs.RedrivePolicy("redrive-eu", queue_url=f"https://sqs.us-east-2.amazonaws.com/{ESTATE}/q",
                              redrive_policy=_redrive(f"arn:aws:sqs:eu-west-1:{ESTATE}:dlq"))
        aws.cloudwatch.EventTarget("target-input-eu", rule="r", arn=f"arn:aws:lambda:us-east-2:{ESTATE}:function:f",
                                   input=json.dumps({"forwardTo": f"arn:aws:sqs:eu-west-1:{ESTATE}:q"}))
        aws.sns.TopicSubscription("https-to-eu-queue", topic=f"arn:aws:sns:us-east-2:{ESTATE}:t", protocol="https",
                                  endpoint=f"https://sqs.eu-west-1.amazonaws.com/{ESTATE}/q")
        # Host names of stores: a DMS endpoint on an Irish RDS host, notifications into a Frankfurt bucket
        # through an object-storage URL, a function configured to write to a Frankfurt stream.
        aws.dms.Endpoint("dms-eu-host", endpoint_id="e", endpoint_type="target", engine_name="postgres",
                         server_name="orders.abc123.eu-west-1.rds.amazonaws.com", port=5432, database_name="d",
                         username="u", password="not-a-secret-x")
        oci.ons.Subscription("ons-to-fra-bucket", compartment_id=COMPARTMENT, topic_id="ocid1.onstopic.oc1.iad.aaaa",
                             protocol="HTTPS",
                             endpoint="https://objectstorage.eu-frankfurt-1.oraclecloud.com/p/x/n/ns/b/b/o/")
        oci.functions.Function("fn-to-fra-stream", application_id="ocid1.fnapp.oc1.iad.aaaaaaaaapp", display_name="f",
                               memory_in_mbs="256", image="iad.ocir.io/ns/repo:1",
                               config={"STREAM_ENDPOINT": "https://cell-1.streaming.eu-frankfurt-1.oci.oraclecloud.com"})

    result = preview(program)
    assert flagged(result, POLICY) == {
        urn("aws:ecs/taskDefinition:TaskDefinition", "task-eu"),
        urn("aws:sfn/stateMachine:StateMachine", "sfn-to-eu-queue"),
        urn("aws:sqs/queue:Queue", "queue-eu-dlq"),
        urn("aws:sqs/redrivePolicy:RedrivePolicy", "redrive-eu"),
        urn("aws:cloudwatch/eventTarget:EventTarget", "target-input-eu"),
        urn("aws:sns/topicSubscription:TopicSubscription", "https-to-eu-queue"),
        urn("aws:dms/endpoint:Endpoint", "dms-eu-host"),
        urn("oci:Ons/subscription:Subscription", "ons-to-fra-bucket"),
        urn("oci:Functions/function:Function", "fn-to-fra-stream"),
    }
    task = [v.message for v in result.violations_of(POLICY) if v.urn == urn("aws:ecs/taskDefinition:TaskDefinition", "task-eu")]
    # One finding for the region, naming both paths inside the document.
    assert len(task) == 1
    assert "containerDefinitions#[0].logConfiguration.options.awslogs-region" in task[0]
    assert "containerDefinitions#[0].secrets[0].valueFrom" in task[0]


def test_documents_unknown_at_preview_are_read_when_known(preview):
    """A document built from outputs of this stack is unknown at preview (the walk cannot read it; Analyze reads
    it at ``pulumi up``, before the resource is created); config values are known and judged at preview."""
    def program():
        cfg = pulumi.Config()
        group = aws.cloudwatch.LogGroup("app-logs", retention_in_days=365)
        aws.ecs.TaskDefinition("task-unknown", family="app", container_definitions=group.name.apply(
            lambda name: _containers("us-east-2", SECRET_US).replace('"app", "awslogs-region"', f'"{name}", "awslogs-region"')))
        aws.ecs.TaskDefinition("task-config-eu", family="app",
                               container_definitions=_containers(cfg.require("logRegion"), SECRET_US))

    result = preview(program, config={**CONFIG, "test:logRegion": "eu-west-1"})
    assert flagged(result, POLICY) == {urn("aws:ecs/taskDefinition:TaskDefinition", "task-config-eu")}


def test_endpoint_readers_name_service_region_account_and_bucket():
    import sys

    from tests.policies.conftest import PACK_DIR

    sys.path.insert(0, str(PACK_DIR))
    try:
        from residency_policies.analysis import data_references as refs
        from residency_policies.aws_identifiers import parse_aws_endpoint
        from residency_policies.oci_identifiers import parse_oci_endpoint
    finally:
        sys.path.remove(str(PACK_DIR))
    aws_cases = {
        "https://sqs.eu-west-1.amazonaws.com/222222222222/q": ("sqs", "eu-west-1", "222222222222", None),
        "my-bucket.s3.eu-west-1.amazonaws.com": ("s3", "eu-west-1", None, "my-bucket"),
        "https://s3.eu-west-1.amazonaws.com/my-bucket/key": ("s3", "eu-west-1", None, "my-bucket"),
        "my-bucket.s3-eu-west-1.amazonaws.com": ("s3", "eu-west-1", None, "my-bucket"),
        "my-bucket.s3.amazonaws.com": ("s3", None, None, "my-bucket"),
        "jdbc:postgresql://db.abc123.eu-west-1.rds.amazonaws.com:5432/d": ("rds", "eu-west-1", None, None),
        "https://search-d-x.eu-west-1.es.amazonaws.com": ("es", "eu-west-1", None, None),
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:1": ("ecr", "eu-west-1", "123456789012", None),
        "vpce-0a1b-c2d3.sqs.eu-west-1.vpce.amazonaws.com": ("sqs", "eu-west-1", None, None),
        "https://abc.lambda-url.eu-west-1.on.aws/": ("lambda", "eu-west-1", None, None),
        "c1.abc.cache.eu-west-1.cache.amazonaws.com": ("elasticache", "eu-west-1", None, None),
    }
    for text, want in aws_cases.items():
        e = parse_aws_endpoint(text)
        assert (e.service, e.region, e.account, e.bucket) == want, text
    assert parse_aws_endpoint(f"arn:aws:sqs:eu-west-1:{ESTATE}:q") is None
    assert parse_aws_endpoint("https://collector.example.net/x") is None
    oci_cases = {
        "https://objectstorage.eu-frankfurt-1.oraclecloud.com/n/ns/b/x/o/y": ("objectstorage", "eu-frankfurt-1"),
        "ns.objectstorage.eu-frankfurt-1.oci.customer-oci.com": ("objectstorage", "eu-frankfurt-1"),
        "fra.ocir.io/ns/repo:1": ("ocir", "eu-frankfurt-1"),
        "us-ashburn-1.ocir.io": ("ocir", "us-ashburn-1"),
        "cell-1.streaming.eu-frankfurt-1.oci.oraclecloud.com": ("streaming", "eu-frankfurt-1"),
        "abcd-management.kms.eu-frankfurt-1.oraclecloud.com": ("kms", "eu-frankfurt-1"),
        "x.adb.eu-frankfurt-1.oraclecloudapps.com": ("adb", "eu-frankfurt-1"),
    }
    for text, want in oci_cases.items():
        e = parse_oci_endpoint(text)
        assert (e.service, e.region.region) == want, text
    assert parse_oci_endpoint("zzz.ocir.io").region.unrecognised == "zzz"  # fail closed
    kinds = {text: refs.endpoint_reference("p", text).kind for text in (
        "https://sqs.eu-west-1.amazonaws.com/1/q", "https://logs.eu-west-1.amazonaws.com", "https://sts.eu-west-1.amazonaws.com",
        "objectstorage.eu-frankfurt-1.oraclecloud.com", "abcd-management.kms.eu-frankfurt-1.oraclecloud.com")}
    assert kinds == {"https://sqs.eu-west-1.amazonaws.com/1/q": refs.DESTINATION,
                     "https://logs.eu-west-1.amazonaws.com": refs.DESTINATION,
                     "https://sts.eu-west-1.amazonaws.com": refs.OTHER,
                     "objectstorage.eu-frankfurt-1.oraclecloud.com": refs.STORE,
                     "abcd-management.kms.eu-frankfurt-1.oraclecloud.com": refs.KEY}
