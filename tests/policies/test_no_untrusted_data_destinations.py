"""no-untrusted-data-destinations (issue 13 item 5): data pushed out by managed services stays in the estate.

Estate account ``222222222222``, trusted account ``111111111111``, parent account ``999999999999`` (the
shipped rules file). The destination inputs come from the generated ``data/data_destinations.txt``; the
programs below use log subscriptions, event targets, bucket notifications, SNS and ONS subscriptions,
delivery streams, S3 and ECR replication, CloudTrail, OCI service connectors and Events rules, with
destinations created in the stack, named by literal ARN/OCID, by bucket name and by endpoint.
"""


import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from tests.policies.conftest import COMPARTMENT, PACK_DIR, flagged, judged, messages, start_pack, urn
from generator_checks import SDK_SCHEMA_GROUP, check_generated

POLICY = "no-untrusted-data-destinations"
ESTATE, TRUSTED, PARENT, OTHER = "222222222222", "111111111111", "999999999999", "333333333333"
PARENT_TENANCY = "ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"
ROLE = f"arn:aws:iam::{ESTATE}:role/delivery"
SUB = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"


@SDK_SCHEMA_GROUP
def test_generated_destination_list_is_current_and_covers_the_issue():
    code, stderr = check_generated("generate_data_destinations")
    assert code == 0, stderr
    rows = {tuple(line.split("\t")[:2]) for line in (PACK_DIR / "residency_policies" / "data" / "data_destinations.txt")
            .read_text().splitlines() if not line.startswith("#")}
    for row in (
        (SUB, "destinationArn"), ("aws:cloudwatch/eventTarget:EventTarget", "arn"),
        ("aws:s3/bucketNotification:BucketNotification", "queues[].queueArn"),
        ("aws:sns/topicSubscription:TopicSubscription", "endpoint"),
        ("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "extendedS3Configuration.bucketArn"),
        ("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "rules[].destination.account"),
        ("aws:datasync/task:Task", "destinationLocationArn"),
        ("oci:Sch/connector:Connector", "target.streamId"), ("oci:Ons/subscription:Subscription", "endpoint"),
        ("oci:Events/rule:Rule", "actions.actions[].topicId"),
    ):
        assert row in rows, row
    # Sources are not destinations.
    assert ("aws:s3/bucketNotification:BucketNotification", "bucket") not in rows
    assert not any(path.startswith("source") for token, path in rows if token == "oci:Sch/connector:Connector")


def _firehose(name, bucket_arn):
    return aws.kinesis.FirehoseDeliveryStream(name, destination="extended_s3", extended_s3_configuration=
                                              aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(role_arn=ROLE, bucket_arn=bucket_arn))


def test_compliant_destinations_in_the_stack_the_estate_and_a_trusted_party(preview):
    def program():
        logs = aws.s3.Bucket("logs", bucket="us-estate-logs")
        stream = _firehose("to-bucket-by-name", "arn:aws:s3:::us-estate-logs")  # a bucket of this stack, by name
        aws.cloudwatch.LogSubscriptionFilter("to-stack-firehose", log_group="app", filter_pattern="",
                                             destination_arn=stream.arn, role_arn=ROLE)
        aws.cloudwatch.EventTarget("to-estate-queue", rule="r", arn=f"arn:aws:sqs:us-east-2:{ESTATE}:events")
        aws.cloudwatch.EventTarget("to-trusted-bus", rule="r", arn=f"arn:aws:events:us-east-2:{TRUSTED}:event-bus/oversight")
        fn = aws.lambda_.Function("fn", role=ROLE, runtime="python3.12", handler="h.main", code=pulumi.AssetArchive({}))
        aws.s3.BucketNotification("notify", bucket=logs.id,
                                  lambda_functions=[{"lambda_function_arn": fn.arn, "events": ["s3:ObjectCreated:*"]}],
                                  topics=[aws.s3.BucketNotificationTopicArgs(topic_arn=f"arn:aws:sns:us-east-2:{ESTATE}:t",
                                                                             events=["s3:ObjectCreated:*"])])
        aws.sns.TopicSubscription("to-estate-queue-sub", topic=f"arn:aws:sns:us-east-2:{ESTATE}:t", protocol="sqs",
                                  endpoint=f"arn:aws:sqs:us-east-2:{ESTATE}:q")
        aws.s3.BucketReplicationConfig("replicate", role=ROLE, bucket=logs.id, rules=[{
            "id": "all", "status": "Enabled",
            "destination": {"bucket": "arn:aws:s3:::us-estate-logs", "account": ESTATE}}])
        aws.ecr.ReplicationConfiguration("ecr", replication_configuration={"rules": [{"destinations": [
            {"region": "us-west-2", "registry_id": ESTATE}]}]})
        aws.cloudtrail.Trail("trail", s3_bucket_name=logs.bucket)
        oci_stream = oci.streaming.Stream("stream", name="s", partitions=1, compartment_id=COMPARTMENT)
        oci.sch.Connector("connector", compartment_id=COMPARTMENT, display_name="c",
                          source={"kind": "logging", "log_sources": [{"compartment_id": COMPARTMENT}]},
                          target={"kind": "streaming", "stream_id": oci_stream.id})
        topic = oci.ons.NotificationTopic("topic", compartment_id=COMPARTMENT, name="t")
        oci.events.Rule("rule", compartment_id=COMPARTMENT, display_name="r", is_enabled=True, condition="{}",
                        actions={"actions": [{"action_type": "ONS", "is_enabled": True, "topic_id": topic.id}]})

    assert flagged(preview(program), POLICY) == set()


def test_destinations_outside_the_estate_are_flagged(preview):
    def program():
        aws.cloudwatch.LogSubscriptionFilter("to-parent-firehose", log_group="app", filter_pattern="", role_arn=ROLE,
                                             destination_arn=f"arn:aws:firehose:us-east-2:{PARENT}:deliverystream/collect")
        aws.cloudwatch.EventTarget("to-parent-bus", rule="r", arn=f"arn:aws:events:us-east-2:{PARENT}:event-bus/default")
        aws.s3.BucketNotification("notify-other", bucket="us-data", queues=[
            {"queue_arn": f"arn:aws:sqs:us-east-2:{OTHER}:q", "events": ["s3:ObjectCreated:*"]}])
        aws.sns.TopicSubscription("https-out", topic=f"arn:aws:sns:us-east-2:{ESTATE}:t", protocol="https",
                                  endpoint="https://collector.example.net/ingest")
        aws.sns.TopicSubscription("email-out", topic=f"arn:aws:sns:us-east-2:{ESTATE}:t", protocol="email",
                                  endpoint="ops@example.net")
        aws.s3.BucketReplicationConfig("replicate-to-parent", role=ROLE, bucket="us-data", rules=[
            aws.s3.BucketReplicationConfigRuleArgs(id="all", status="Enabled", destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                bucket="arn:aws:s3:::parent-copy", account=PARENT))])
        aws.ecr.ReplicationConfiguration("ecr-to-parent", replication_configuration={"rules": [{"destinations": [
            {"region": "us-east-2", "registry_id": PARENT}]}]})
        aws.cloudtrail.Trail("trail-elsewhere", s3_bucket_name="central-logs-somewhere")
        _firehose("firehose-elsewhere", "arn:aws:s3:::someone-elses-bucket")
        oci.sch.Connector("connector-literal", compartment_id=COMPARTMENT, display_name="c",
                          source={"kind": "logging", "log_sources": [{"compartment_id": COMPARTMENT}]},
                          target={"kind": "streaming", "stream_id": "ocid1.stream.oc1.iad.aaaaaaaaelsewhere"})
        oci.sch.Connector("connector-parent-monitoring", compartment_id=COMPARTMENT, display_name="m",
                          source={"kind": "logging", "log_sources": [{"compartment_id": COMPARTMENT}]},
                          target={"kind": "monitoring", "compartment_id": PARENT_TENANCY, "metric_namespace": "x", "metric": "y"})
        oci.ons.Subscription("ons-email", compartment_id=COMPARTMENT, topic_id="ocid1.onstopic.oc1.iad.aaaa",  # its source
                             protocol="EMAIL", endpoint="someone@example.org")
        oci.events.Rule("rule-literal-topic", compartment_id=COMPARTMENT, display_name="r", is_enabled=True, condition="{}",
                        actions=oci.events.RuleActionsArgs(actions=[oci.events.RuleActionsActionArgs(
                            action_type="ONS", is_enabled=True, topic_id="ocid1.onstopic.oc1.iad.aaaaaaaaelsewhere")]))
        # Not a listed destination input, but wired to the parent's stream all the same.
        aws.lambda_.EventSourceMapping("reads-parent-stream", function_name="fn", starting_position="LATEST",
                                       event_source_arn=f"arn:aws:kinesis:us-east-2:{PARENT}:stream/user-events")

    result = preview(program)
    assert flagged(result, POLICY) == {
        urn(SUB, "to-parent-firehose"), urn("aws:cloudwatch/eventTarget:EventTarget", "to-parent-bus"),
        urn("aws:s3/bucketNotification:BucketNotification", "notify-other"),
        urn("aws:sns/topicSubscription:TopicSubscription", "https-out"),
        urn("aws:sns/topicSubscription:TopicSubscription", "email-out"),
        urn("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "replicate-to-parent"),
        urn("aws:ecr/replicationConfiguration:ReplicationConfiguration", "ecr-to-parent"),
        urn("aws:cloudtrail/trail:Trail", "trail-elsewhere"),
        urn("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "firehose-elsewhere"),
        urn("oci:Sch/connector:Connector", "connector-literal"),
        urn("oci:Sch/connector:Connector", "connector-parent-monitoring"),
        urn("oci:Ons/subscription:Subscription", "ons-email"),
        urn("oci:Events/rule:Rule", "rule-literal-topic"),
        urn("aws:lambda/eventSourceMapping:EventSourceMapping", "reads-parent-stream"),
    }
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {urn("pulumi:pulumi:Stack", "test-test")}
    text = "\n".join(messages(result, POLICY))
    assert "parent company's account 999999999999" in text and "`destinations` of `residency:estate`" in text


def test_declared_estate_destinations_are_accepted():
    pack = start_pack(policy_config={POLICY: {"estate": {
        "awsAccountIds": [ESTATE], "destinations": ["central-logs-somewhere", "example.net",
                                                   "ocid1.stream.oc1.iad.aaaaaaaaelsewhere"]}}})
    try:
        from residency_kit.engine.api import preview_function
        from tests.policies.conftest import CONFIG

        def program():
            aws.cloudtrail.Trail("trail-declared", s3_bucket_name="central-logs-somewhere")
            aws.sns.TopicSubscription("email-declared", topic=f"arn:aws:sns:us-east-2:{ESTATE}:t", protocol="email",
                                      endpoint="ops@alerts.example.net")
            oci.sch.Connector("connector-declared", compartment_id=COMPARTMENT, display_name="c",
                              source={"kind": "logging", "log_sources": [{"compartment_id": COMPARTMENT}]},
                              target={"kind": "streaming", "stream_id": "ocid1.stream.oc1.iad.aaaaaaaaelsewhere"})
            aws.sns.TopicSubscription("email-undeclared", topic=f"arn:aws:sns:us-east-2:{ESTATE}:t", protocol="email",
                                      endpoint="ops@example.com")

        result = preview_function(program, pack=pack, project="test", stack="test", config=CONFIG)
        assert flagged(result, POLICY) == {urn("aws:sns/topicSubscription:TopicSubscription", "email-undeclared")}
    finally:
        pack.close()


def test_unknown_destinations_from_the_stack_pass_and_from_elsewhere_fail_closed(preview):
    def program():
        queue = aws.sqs.Queue("dlq")
        aws.lambda_.FunctionEventInvokeConfig("invoke", function_name="fn", destination_config={
            "on_failure": {"destination": queue.arn}})  # created here: the estate's own
        # From another stack's outputs: not verifiable at preview.
        other = pulumi.StackReference("org/logging/prod")
        aws.cloudwatch.LogSubscriptionFilter("from-other-stack", log_group="app", filter_pattern="", role_arn=ROLE,
                                             destination_arn=other.get_output("firehoseArn"))
        # Derived from an IAM role only: no destination of this stack produced it.
        role = aws.iam.Role("r", assume_role_policy="{}")
        aws.cloudwatch.EventTarget("from-role", rule="r", arn=role.arn.apply(lambda a: a.replace(":iam:", ":sqs:")))

    result = preview(program)
    assert flagged(result, POLICY, level="mandatory") == {urn(SUB, "from-other-stack"),
                                                         urn("aws:cloudwatch/eventTarget:EventTarget", "from-role")}
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))


def test_one_mistake_one_finding_and_an_owner_account_names_the_bucket(preview):
    def program():
        # The parent's account named as owner: one finding (the account), not a second for the bucket.
        aws.s3.BucketReplicationConfig("to-parent", role=ROLE, bucket="us-data", rules=[{
            "id": "all", "status": "Enabled", "destination": {"bucket": "arn:aws:s3:::parent-copy", "account": PARENT}}])
        # An estate owner account names a bucket outside the stack as the estate's.
        aws.s3.BucketReplicationConfig("to-estate-bucket", role=ROLE, bucket="us-data", rules=[{
            "id": "all", "status": "Enabled", "destination": {"bucket": "arn:aws:s3:::estate-dr-copy", "account": ESTATE}}])

    result = preview(program)
    to_parent = urn("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "to-parent")
    assert flagged(result, POLICY) == {to_parent}
    assert [m.split("\n")[-1] for m in messages(result, POLICY)] == [
        "rules[0].destination.account: the destination account '999999999999' is the parent company's account: "
        "user data would leave the estate"]


# --- Destinations inside JSON documents, endpoints, and the broadened generated list (follow-up audit) -------

def test_generated_list_has_receivers_locations_and_maps_the_audit_found():
    rows = {tuple(line.split("\t")) for line in (PACK_DIR / "residency_policies" / "data" / "data_destinations.txt")
            .read_text().splitlines() if not line.startswith("#")}
    for row in (
        ("aws:cloudwatch/metricStream:MetricStream", "firehoseArn", "ref"),
        ("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "logDestinationConfigs[]", "ref"),
        ("aws:route53/queryLog:QueryLog", "cloudwatchLogGroupArn", "ref"),
        ("aws:athena/workgroup:Workgroup", "configuration.resultConfiguration.outputLocation", "ref"),
        ("aws:emr/cluster:Cluster", "logUri", "ref"),
        ("aws:networkfirewall/loggingConfiguration:LoggingConfiguration",
         "loggingConfiguration.logDestinationConfigs[].logDestination{}", "map"),
        ("aws:datasync/s3Location:S3Location", "s3BucketArn", "bucket"),
    ):
        assert row in rows, row
    # What a resource is about, or reads from, is not where it sends data.
    for token, path in (("aws:s3tables/namespace:Namespace", "tableBucketArn"),
                        ("aws:kinesis/streamConsumer:StreamConsumer", "streamArn"),
                        ("aws:cloudwatch/logTransformer:LogTransformer", "logGroupArn"),
                        ("aws:lambda/eventSourceMapping:EventSourceMapping", "eventSourceArn")):
        assert not any(r[:2] == (token, path) for r in rows), (token, path)


@SDK_SCHEMA_GROUP
def test_generated_json_document_list_is_current_and_types_the_audited_documents():
    code, stderr = check_generated("generate_json_document_inputs")
    assert code == 0, stderr
    rows = {tuple(line.split("\t")) for line in (PACK_DIR / "residency_policies" / "data" / "json_document_inputs.txt")
            .read_text().splitlines() if not line.startswith("#")}
    for row in (("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions", "data"),
                ("aws:sfn/stateMachine:StateMachine", "definition", "data"),
                ("aws:sqs/queue:Queue", "redrivePolicy", "data"),
                ("aws:sqs/redrivePolicy:RedrivePolicy", "redrivePolicy", "data"),
                ("aws:cloudwatch/eventTarget:EventTarget", "input", "data"),
                ("aws:sqs/queuePolicy:QueuePolicy", "policy", "grant"),
                ("aws:iam/role:Role", "assumeRolePolicy", "grant"),
                ("aws:cloudwatch/eventRule:EventRule", "eventPattern", "inert")):
        assert row in rows, row


def _redrive(dlq_arn):
    import json

    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})


def _nfw_logs(name, destination):
    return aws.networkfirewall.LoggingConfiguration(
        name, firewall_arn=f"arn:aws:network-firewall:us-east-2:{ESTATE}:firewall/fw",
        logging_configuration={"log_destination_configs": [
            {"log_destination": destination, "log_destination_type": "S3" if "bucketName" in destination else "CloudWatchLogs",
             "log_type": "FLOW"}]})


def test_compliant_documents_receivers_and_locations(preview):
    import json

    def program():
        logs = aws.s3.Bucket("logs", bucket="us-estate-logs")
        dlq = aws.sqs.Queue("dlq")
        aws.sqs.Queue("dlq-in-estate", redrive_policy=_redrive(f"arn:aws:sqs:us-east-2:{ESTATE}:dlq"))
        aws.sqs.Queue("dlq-in-stack", redrive_policy=dlq.arn.apply(_redrive))  # unknown at preview, from the stack
        aws.cloudwatch.EventTarget("input-names-estate-stream", rule="r", arn=f"arn:aws:sqs:us-east-2:{ESTATE}:q",
                                   input=json.dumps({"destination": {"arn": f"arn:aws:kinesis:us-east-2:{ESTATE}:stream/s"},
                                                     "note": "hourly"}))
        stream = _firehose("metrics-firehose", "arn:aws:s3:::us-estate-logs")
        aws.cloudwatch.MetricStream("metrics-to-stack", firehose_arn=stream.arn, role_arn=ROLE, output_format="json")
        aws.wafv2.WebAclLoggingConfiguration("waf-logs-estate", resource_arn=f"arn:aws:wafv2:us-east-2:{ESTATE}:regional/webacl/w/1",
                                             log_destination_configs=[f"arn:aws:firehose:us-east-2:{ESTATE}:deliverystream/aws-waf-logs-w"])
        group = aws.cloudwatch.LogGroup("dns-logs", retention_in_days=365)
        aws.route53.QueryLog("dns-logs-stack", zone_id="Z123", cloudwatch_log_group_arn=group.arn)
        aws.athena.Workgroup("athena-results-stack", configuration={"result_configuration": {
            "output_location": "s3://us-estate-logs/athena/"}})
        aws.emr.Cluster("emr-logs-stack", release_label="emr-7.0.0", service_role=ROLE, log_uri="s3://us-estate-logs/emr/")
        _nfw_logs("nfw-logs-stack", {"bucketName": "us-estate-logs", "prefix": "nfw"})
        _nfw_logs("nfw-logs-group", {"logGroup": "/nfw/flow"})  # a log group name: the firewall's own account
        aws.datasync.S3Location("datasync-stack-bucket", s3_bucket_arn=logs.arn, subdirectory="/in",
                                s3_config={"bucket_access_role_arn": ROLE})
        aws.sns.TopicSubscription("https-estate-queue-url", topic=f"arn:aws:sns:us-east-2:{ESTATE}:t", protocol="https",
                                  endpoint=f"https://sqs.us-east-2.amazonaws.com/{ESTATE}/q")
        # An input template is JSON only once its <placeholders> are filled in: not an unreadable document.
        aws.cloudwatch.EventTarget("input-template", rule="r", arn=f"arn:aws:sqs:us-east-2:{ESTATE}:q", input_transformer={
            "input_paths": {"instance": "$.detail.instance"}, "input_template": '{"instance": <instance>}'})

    assert flagged(preview(program), POLICY) == set()


def test_destinations_in_documents_receivers_and_locations_outside_the_estate_are_flagged(preview):
    import json

    def program():
        aws.sqs.Queue("dlq-in-parent", redrive_policy=_redrive(f"arn:aws:sqs:us-east-2:{PARENT}:dlq"))
        aws.sqs.RedrivePolicy("redrive-other-account", queue_url=f"https://sqs.us-east-2.amazonaws.com/{ESTATE}/q",
                              redrive_policy=_redrive(f"arn:aws:sqs:us-east-2:{OTHER}:dlq"))
        aws.cloudwatch.EventTarget("input-forwards-to-parent", rule="r", arn=f"arn:aws:sqs:us-east-2:{ESTATE}:q",
                                   input=json.dumps({"destination": {"arn": f"arn:aws:firehose:us-east-2:{PARENT}:deliverystream/x"}}))
        aws.sfn.StateMachine("sfn-to-parent-queue", role_arn=ROLE, definition=json.dumps({"StartAt": "S", "States": {"S": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
            "Parameters": {"QueueUrl": f"https://sqs.us-east-2.amazonaws.com/{PARENT}/q", "MessageBody.$": "$"}}}}))
        aws.sns.TopicSubscription("https-other-queue-url", topic=f"arn:aws:sns:us-east-2:{ESTATE}:t", protocol="https",
                                  endpoint=f"https://sqs.us-east-2.amazonaws.com/{OTHER}/q")
        aws.cloudwatch.MetricStream("metrics-to-other-account", role_arn=ROLE, output_format="json",
                                    firehose_arn=f"arn:aws:firehose:us-east-2:{OTHER}:deliverystream/metrics")
        aws.wafv2.WebAclLoggingConfiguration("waf-logs-to-parent", resource_arn=f"arn:aws:wafv2:us-east-2:{ESTATE}:regional/webacl/w/1",
                                             log_destination_configs=[f"arn:aws:firehose:us-east-2:{PARENT}:deliverystream/aws-waf-logs-w"])
        aws.route53.QueryLog("dns-logs-to-parent", zone_id="Z123",
                             cloudwatch_log_group_arn=f"arn:aws:logs:us-east-1:{PARENT}:log-group:/aws/route53/z")
        aws.athena.Workgroup("athena-results-elsewhere", configuration={"result_configuration": {
            "output_location": "s3://other-bucket/results/"}})
        aws.emr.Cluster("emr-logs-elsewhere", release_label="emr-7.0.0", service_role=ROLE, log_uri="s3://someone-elses-logs/emr/")
        _nfw_logs("nfw-logs-elsewhere", {"bucketName": "other-bucket", "prefix": "nfw"})
        aws.datasync.S3Location("datasync-parent-bucket", s3_bucket_arn="arn:aws:s3:::parent-copy", subdirectory="/out",
                                s3_config={"bucket_access_role_arn": ROLE})
        # Looks like JSON, does not parse: where the dead letters go cannot be read.
        aws.sqs.Queue("dlq-unparseable", redrive_policy='{deadLetterTargetArn: "arn:aws:sqs:us-east-2:222222222222:dlq"}')

    result = preview(program)
    q, rp = "aws:sqs/queue:Queue", "aws:sqs/redrivePolicy:RedrivePolicy"
    assert flagged(result, POLICY) == {
        urn(q, "dlq-in-parent"), urn(rp, "redrive-other-account"),
        urn("aws:cloudwatch/eventTarget:EventTarget", "input-forwards-to-parent"),
        urn("aws:sfn/stateMachine:StateMachine", "sfn-to-parent-queue"),
        urn("aws:sns/topicSubscription:TopicSubscription", "https-other-queue-url"),
        urn("aws:cloudwatch/metricStream:MetricStream", "metrics-to-other-account"),
        urn("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "waf-logs-to-parent"),
        urn("aws:route53/queryLog:QueryLog", "dns-logs-to-parent"),
        urn("aws:athena/workgroup:Workgroup", "athena-results-elsewhere"),
        urn("aws:emr/cluster:Cluster", "emr-logs-elsewhere"),
        urn("aws:networkfirewall/loggingConfiguration:LoggingConfiguration", "nfw-logs-elsewhere"),
        urn("aws:datasync/s3Location:S3Location", "datasync-parent-bucket"),
        urn(q, "dlq-unparseable"),
    }
    by_urn = {}
    for v in result.violations_of(POLICY):
        by_urn.setdefault(v.urn, []).append(v.message.split("\n")[-1])
    # One mistake, one finding: the DLQ in the parent account is reported once (by its document key).
    assert by_urn[urn(q, "dlq-in-parent")] == [
        f"redrivePolicy#deadLetterTargetArn: the destination 'arn:aws:sqs:us-east-2:{PARENT}:dlq' is in the parent "
        "company's account 999999999999: user data would leave the estate"]
    assert len(by_urn[urn("aws:sfn/stateMachine:StateMachine", "sfn-to-parent-queue")]) == 1
    assert "is not valid JSON" in by_urn[urn(q, "dlq-unparseable")][0]
    assert "'s3://other-bucket/results/'" in by_urn[urn("aws:athena/workgroup:Workgroup", "athena-results-elsewhere")][0]


def test_documents_and_receivers_unknown_at_preview(preview):
    import json

    def program():
        other = pulumi.StackReference("org/shared/prod")
        dlq = aws.sqs.Queue("dlq")
        aws.sqs.Queue("redrive-from-stack", redrive_policy=dlq.arn.apply(_redrive))
        aws.sqs.Queue("redrive-from-other-stack", redrive_policy=other.get_output("redrivePolicy"))
        # A job document built from this stack's IAM role: the estate's own document, read when known.
        role = aws.iam.Role("job-role", assume_role_policy="{}")
        aws.batch.JobDefinition("job-from-stack-role", type="container", container_properties=role.arn.apply(
            lambda arn: json.dumps({"image": "busybox", "jobRoleArn": arn, "resourceRequirements": []})))
        aws.cloudwatch.MetricStream("metrics-from-other-stack", role_arn=ROLE, output_format="json",
                                    firehose_arn=other.get_output("firehoseArn"))

    result = preview(program)
    assert flagged(result, POLICY, level="mandatory") == {
        urn("aws:sqs/queue:Queue", "redrive-from-other-stack"),
        urn("aws:cloudwatch/metricStream:MetricStream", "metrics-from-other-stack")}
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))
