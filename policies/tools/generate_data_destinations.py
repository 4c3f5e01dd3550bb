"""Regenerate ``residency_policies/data/data_destinations.txt``: inputs through which managed services send data.

Resources whose job is to push data somewhere else — log subscriptions and exports, event rules' targets,
bucket and topic notifications, subscriptions, delivery streams, replication and sync tasks, service
connectors — name the destination in an input. Derived from the installed SDKs (``sdk_schema``):

* **by name**: a leaf input that identifies a resource (an ARN, an OCID, a bucket, an account, an
  endpoint) and whose own name or enclosing block names a destination (``destinationArn``,
  ``targetBucket``, ``deliveryStreamArn``, ``s3Destination.bucketArn``, ``onFailure.destination``,
  ``deadLetterConfig.arn``, ``accessLogs.bucket``, ``logDestination``, ``target.streamId``, ...);
* **by what it names**, wherever it appears: a reference named for what receives data (``firehoseArn``,
  ``cloudwatchLogGroupArn``, ``snsTopicArn``, ``streamArn``, ``bucketArn``: ``_RECEIVER_REF``) and a place
  logs are written (``logUri``, ``logLocation``, ``logBucket``: ``_LOG_SINK``), unless the description says it
  is what the resource is about (the bucket that contains a namespace, the stream a consumer is registered
  with: ``_SUBJECT_DOC``), it sits in a block that reads data in, or it is the subject of a ``...Policy`` type;
  ``...Location`` / ``...Destinations`` / ``...DestinationConfigs`` inputs in a destination context
  (``resultConfiguration.outputLocation``, ``logDestinationConfigs``);
* **maps of destination settings** (``logDestination{}``: ``bucketName``, ``logGroup``, ``deliveryStream``),
  hint ``map``: each value is read by its key (a ``bucket...`` key names a bucket);
* **by type** (``DELIVERY_TYPES``, curated and checked against the SDK): every identifying leaf of a type
  whose whole job is delivery (Firehose, bucket notifications, EventBridge targets, SNS and ONS
  subscriptions, OCI Events rules and service connectors, ...), except its source blocks.

Destinations named inside JSON documents given as strings (a redrive policy's ``deadLetterTargetArn``) are
found by the pack itself at run time (``data_references.document_destinations``), with the same
``DESTINATION_WORD``.

Inputs that read *from* a source (``source*``), name a role, a key (``us-keys-for-data`` judges keys), a
type, format, prefix, region or port are not destinations. Each row carries a hint for the value it
expects: ``ref`` (ARN, OCID, URL or ``s3://`` URI), ``bucket`` (name, ARN or URI), ``account`` (AWS account ID),
``endpoint`` (URL, e-mail address or phone number), ``map`` (values read by their keys). The policy reads each value
by what it is at run time, so a hint only decides how a plain string is read.

    .venv/bin/python policies/tools/generate_data_destinations.py [--check]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import generated_file  # noqa: E402
import sdk_schema  # noqa: E402
from residency_policies.analysis.data_references import DESTINATION_WORD  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "residency_policies" / "data" / "data_destinations.txt"

# Network and placement words that reuse "destination"/"target" for something that is no data outflow.
_NOT_DATA_CONTEXT = re.compile(
    r"(?i)(targetgroup|routetable|route|securityrule|securitylist|healthcheck|cidr|trafficmirror|targetorigin|"
    r"aliastarget|dnstarget|tagscopeterm|targetresource|computetarget|targetenvironment|targetasset|"
    r"targetdetector|targetresponder|recipe|header|watermark|customrule|homedirectory|transformer|"
    r"targetdataprovider|targetkafka|policyattachment|accountassignment|configurationpolicy|contact|"
    r"drgnat|originaldestination|translateddestination|natrule|insightspath|accessscope|probe|"
    r"networkinsights|pathanalys|destinationendpoint|taskrequest|backend|lifecyclepolicy|exclusions|"
    r"trafficshift|restorefromobjectstore|notificationsetting|emailtemplate|ospgateway|capacityreservation|"
    r"placementconstraint|entityspecifics|fsureadiness|digitaltwin|envelope|computehostgroup|alarmsuppression|"
    r"usageplan|announcement|apmsynthetics|networkperformancemetric|meteringpolicy|targettable|targetdatabase|"
    r"buildstatusconfig|deploymenttargets|scpactiondefinition|lightsail|remediationconfiguration|"
    r"targetgroupattachment|destinationrefid|lifecyclehook|hooktarget|mediapackage|multiplex|"
    r"redshiftcatalog|networkflowmonitor|dependson|migration|walletlocation|loggingcontext|tags)"
)
_REF_LEAF = re.compile(
    r"(?:Arn|Arns|arn|Id|Ids|Ocid|Uri|Url|url|uri|Destination|destination|Target|target|Endpoint|endpoint|"
    r"Location|location|Destinations|DestinationConfigs)$")
# A reference named for what receives data: a firehose, stream, log group, topic, queue, bucket or event bus ARN
# (``firehoseArn``, ``cloudwatchLogGroupArn``, ``snsTopicArn``), wherever it appears.
_RECEIVER_REF = re.compile(r"(?i)(firehose|deliverystream|stream|loggroup|logs|topic|queue|bucket|eventbus)(arn|arns)$")
# Where logs are written (``logUri``, ``logLocation``, ``s3LogsLocation``, ``logBucket``): logs carry user data.
_LOG_SINK = re.compile(r"(?i)logs?(uri|url|location|bucket|bucketname|destination|path)$")
# Those two name what a resource *is about* rather than where it sends data when the description says so (the
# bucket that contains a namespace, the stream a consumer is registered with, a data source, application
# code), when they sit in a block that reads data in, or as the top-level subject of a ``...Policy`` type.
_SUBJECT_DOC = re.compile(
    r"(?i)(that (contains|owns) (this|the)|registered with|transformer for|containing the application code|"
    r"contains the data source|contains the logs|input topic|is associated with|only available when)")
_NOT_RECEIVER_CONTEXT = re.compile(r"(?i)(datasource|referencedata|codecontent|plugin|routingprofile)")
_BUCKET_LEAF = re.compile(r"(?i)bucket(name|arn)?$")
_ACCOUNT_LEAF = re.compile(
    r"^(account|accountId|accountIds|targetAccountIds|registryId|bucketOwner|bucketAccountId|s3BucketOwner|expectedBucketOwner)$"
)
_ENDPOINT_LEAF = re.compile(r"(?i)(endpoint|url|emailaddress|email|phonenumber)$")
_NOT_A_DESTINATION = re.compile(
    r"(?i)(source|role|kms|key|cmk|type|format|prefix|suffix|region|port|protocol|version|alias|certificate|"
    r"password|secret|token|header|compartment|subnet|vpc|vcn|nsg|securitygroup|messagegroup|referenceid|"
    r"taskdefinition|clientid|detectorrule|datasource|recordset|hostedzone|channelid|multiplexid|contactid|"
    r"indexid|datasetid|subscriptionid|externalid|originid|dataproviderarn|workspaceid|rootdocid|outputid|"
    r"loggingoptionid|messageid|deduplication|jobid|^endpointid$|^destinationid$|^delete|^is[A-Z]|^enable|"
    r"notificationemailids|eniid|transitgateway|catalogid|tablearn|applicationid|organizationarn|mounttarget)"
)
# Types whose whole job is delivering data: every identifying leaf outside their source blocks.
DELIVERY_TYPES = (
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
    "aws:cloudwatch/logDestination:LogDestination",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    "aws:pipes/pipe:Pipe",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    "aws:dynamodb/kinesisStreamingDestination:KinesisStreamingDestination",
    "aws:datasync/task:Task",
    "aws:iot/topicRule:TopicRule",
    "aws:ses/receiptRule:ReceiptRule",
    "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
    "aws:ec2/flowLog:FlowLog",
    "aws:cloudtrail/trail:Trail",
    "aws:cfg/deliveryChannel:DeliveryChannel",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2",
    "aws:s3/inventory:Inventory",
    "aws:rds/exportTask:ExportTask",
    "aws:dynamodb/tableExport:TableExport",
    "aws:redshift/logging:Logging",
    "aws:dms/s3Endpoint:S3Endpoint",
    "aws:ecr/replicationConfiguration:ReplicationConfiguration",
    "oci:Sch/connector:Connector",
    "oci:Ons/subscription:Subscription",
    "oci:Events/rule:Rule",
    "oci:Monitoring/alarm:Alarm",
    "oci:ObjectStorage/replicationPolicy:ReplicationPolicy",
    "oci:FileStorage/replication:Replication",
)
# Inputs of delivery types that name where the data comes from (a subscription's topic), not where it goes.
DELIVERY_SOURCES = {"oci:Ons/subscription:Subscription": ("topicId",)}
# Source blocks of delivery types (data comes in through them, it does not leave).
_SOURCE_BLOCK = re.compile(r"(?i)(^|\.)(source\w*|kinesisSourceConfiguration|mskSourceConfiguration|databaseSourceConfiguration)(\.|\[|$)")


def hint(wire: str) -> str | None:
    if _ACCOUNT_LEAF.match(wire):
        return "account"
    if _BUCKET_LEAF.search(wire):
        return "bucket"
    if _ENDPOINT_LEAF.search(wire):
        return "endpoint"
    if _REF_LEAF.search(wire):
        return "ref"
    return None


def _is_destination(token: str, path: str, wire: str, doc: str, delivery: bool) -> str | None:
    if _NOT_A_DESTINATION.search(wire) and not _ACCOUNT_LEAF.match(wire):
        return None
    kind = hint(wire)
    if kind is None:
        return None
    if _NOT_DATA_CONTEXT.search(path):
        return None
    if (_RECEIVER_REF.search(wire) or _LOG_SINK.search(wire)) and not _SOURCE_BLOCK.search(path):
        if _NOT_RECEIVER_CONTEXT.search(f"{token} {path}") or _SUBJECT_DOC.search(doc) or (
                "." not in path and token.rpartition(":")[2].endswith("Policy")):
            return None
        return kind
    if delivery:
        # A delivery type's own top-level ``bucket`` is the bucket it reads (notifications, logging, inventory).
        if path == "bucket":
            return None
        return None if _SOURCE_BLOCK.search(path) else kind
    segments = [s for s in re.split(r"\.|\[\]|\{\}", path) if s]
    context = segments[-2:] if len(segments) > 1 else segments
    return kind if any(DESTINATION_WORD.search(s) for s in context) else None


def rows() -> list[str]:
    tokens = {t for p in sdk_schema.packages() for t in p.resources}
    missing = [t for t in DELIVERY_TYPES if t not in tokens]
    if missing:
        raise SystemExit("DELIVERY_TYPES names types the installed SDKs do not define: " + ", ".join(missing))
    out = []
    for package in sdk_schema.packages():
        for resource in package.resources.values():
            if ":" not in resource.token:
                continue
            delivery = resource.token in DELIVERY_TYPES
            for path, item in package.paths(resource):
                if item.shape == "map" and not item.nested and item.scalar in ("str", None) \
                        and DESTINATION_WORD.search(item.wire) and not _NOT_A_DESTINATION.search(item.wire) \
                        and not _NOT_DATA_CONTEXT.search(path):
                    out.append(f"{resource.token}\t{path}\tmap")  # settings by key: ``bucketName``, ``logGroup``
                    continue
                if item.nested or item.shape == "map" or item.scalar not in ("str", None):
                    continue
                if path in DELIVERY_SOURCES.get(resource.token, ()):
                    continue
                kind = _is_destination(resource.token, path, item.wire, item.doc, delivery)
                if kind is not None:
                    out.append(f"{resource.token}\t{path}\t{kind}")
    return sorted(set(out))


def render() -> str:
    header = ["# Generated by policies/tools/generate_data_destinations.py; do not edit.",
              *sdk_schema.versions_header(), "# token\tdestination input path\thint (ref|bucket|account|endpoint|map)"]
    return "\n".join(header + rows()) + "\n"


def main(argv: list[str] | None = None) -> int:
    return generated_file.run(argv, description=__doc__.splitlines()[0], out=OUT, script=__file__, render=render,
                              noun="inputs")


if __name__ == "__main__":
    sys.exit(main())
