"""Endpoints a resource connects to (issue 22 item 2), judged by ``no-untrusted-data-destinations``.

Replication channels, GoldenGate and migration connections, DNS forwarding (OCI resolver rules, Route 53 resolver
rules), API gateway backends, function settings and Object Storage URIs, with the generated input list
(``data/connection_endpoints.txt``). Parent range ``203.0.113.0/24`` (the shipped rules file); ``8.8.8.8`` and
``db.example.net`` stand for a public endpoint nobody listed in ``estate.destinations``.
"""

from __future__ import annotations


import pulumi
import pulumi_aws as aws
import pulumi_oci as oci
import pytest

from tests import illustrative_rules
from residency_policies.analysis import connection_endpoints as ce
from residency_policies.analysis import destinations as dest
from residency_policies.framework import rules_for
from tests.policies.conftest import COMPARTMENT, flagged, judged, messages, urn
from generator_checks import SDK_SCHEMA_GROUP, check_generated

POLICY = "no-untrusted-data-destinations"
SAFETY_NET = "no-parent-company-identifiers"
RULES = rules_for(dict(illustrative_rules.RULES))[0]
CHANNEL = "oci:Mysql/channel:Channel"
GG = "oci:GoldenGate/connection:Connection"
RESOLVER = "oci:Dns/resolver:Resolver"
APP = "oci:DataFlow/application:Application"
FUNCTION = "aws:lambda/function:Function"


def analyzed(result) -> set[str]:
    return {r.urn for r in result.resources if not r.type.startswith("pulumi:")}


@SDK_SCHEMA_GROUP
def test_generated_endpoint_list_is_current_and_covers_the_issue():
    code, stderr = check_generated("generate_connection_endpoints")
    assert code == 0, stderr
    rows = {(token, e.path, e.hint) for token, endpoints in ce.ENDPOINTS.items() for e in endpoints}
    for row in (
        (CHANNEL, "source.hostname", "host"), (GG, "host", "host"), (GG, "connectionString", "url"),
        ("oci:DatabaseMigration/connection:Connection", "host", "host"), (RESOLVER, "rules[].destinationAddresses[]", "address"),
        ("aws:route53/resolverRule:ResolverRule", "targetIps[].ip", "address"), (APP, "logsBucketUri", "url"),
        ("oci:ApiGateway/deployment:Deployment", "specification.routes[].backend.url", "url"),
        ("aws:apigatewayv2/integration:Integration", "integrationUri", "url"), (FUNCTION, "environment.variables{}", "settings"),
        ("oci:ContainerEngine/containerInstance:ContainerInstance", "containers[].environmentVariables{}", "settings"),
        ("oci:DatabaseMigration/migration:Migration", "dataTransferMediumDetails.objectStorageBucket.namespace", "namespace"),
    ):
        assert row in rows, row
    # What a resource is, or where it lives, is no endpoint it connects to.
    for token, path in (("oci:Database/dbSystem:DbSystem", "hostname"), ("oci:ObjectStorage/bucket:Bucket", "namespace"),
                        ("aws:s3/bucketPolicy:BucketPolicy", "bucket"), ("oci:Monitoring/alarm:Alarm", "namespace"),
                        ("aws:lambda/function:Function", "imageUri")):
        assert not any(t == token and p == path for t, p, _ in rows), (token, path)


@pytest.mark.parametrize(("value", "hint", "named"), [
    ("mysql://app:secret@[2001:db8::7]:3306/db", "url", [(ce.Kind.ADDRESS, "2001:db8::7")]),
    ("jdbc:oracle:thin:@//db.internal:1521/svc", "url", [(ce.Kind.HOST, "db.internal")]),
    ("(DESCRIPTION=(ADDRESS_LIST=(ADDRESS=(HOST=a.example.net)(PORT=1))(ADDRESS=(HOST=10.0.0.2)(PORT=1))))", "url",
     [(ce.Kind.HOST, "a.example.net"), (ce.Kind.ADDRESS, "10.0.0.2")]),
    ("kafka1.example.net:9092,10.1.0.4:9092", "host", [(ce.Kind.HOST, "kafka1.example.net"), (ce.Kind.ADDRESS, "10.1.0.4")]),
    ("oci://logs@tenantns/app/", "url", [(ce.Kind.BUCKET, "logs")]),
    ("https://objectstorage.us-ashburn-1.oraclecloud.com/n/tenantns/b/logs/o/x", "url", [(ce.Kind.BUCKET, "logs")]),
    ("s3://us-data/in/", "url", [(ce.Kind.BUCKET, "us-data")]),
    ("arn:aws:sqs:us-east-2:222222222222:q", "address", [(ce.Kind.REFERENCE, "arn:aws:sqs:us-east-2:222222222222:q")]),
    ("tenantns", "namespace", [(ce.Kind.NAMESPACE, "tenantns")]),
    ("a plain sentence", "host", []),
])
def test_what_an_endpoint_value_names(value, hint, named):
    assert [(n.kind, n.value) for n in ce.names(value, hint)] == named


@pytest.mark.parametrize(("value", "ok", "words"), [
    ("mysql://app:secret@203.0.113.7:3306/db", False, "'203.0.113.7' is in the parent company's range 203.0.113.0/24"),
    ("10.20.0.5:3306", True, ""),
    ("db.prod.internal:1521", True, ""),
    ("8.8.8.8", False, "'8.8.8.8' is a public address that is not listed in `estate.destinations` in the policy config"),
    ("https://db.example.net/api", False, "'db.example.net' is outside any cloud account and its domain is not listed"),
])
def test_endpoint_verdicts_and_their_words(value, ok, words):
    verdict = dest.connection_verdict(value, "url", RULES)
    assert verdict.ok is ok
    assert words in verdict.message
    assert "secret" not in verdict.message


def test_endpoints_of_the_estate_are_compliant(preview):
    def program():
        bucket = oci.objectstorage.Bucket("logs", compartment_id=COMPARTMENT, name="flow-logs", namespace="estatens")
        db = oci.mysql.MysqlDbSystem("db", compartment_id=COMPARTMENT, availability_domain="Uocm:US-ASHBURN-AD-1",
                                     shape_name="MySQL.2", subnet_id="ocid1.subnet.oc1.iad.aaaa")
        oci.mysql.Channel("inbound", source={"hostname": "10.20.10.5", "password": "x", "source_type": "MYSQL",
                                             "ssl_mode": "REQUIRED", "username": "repl"},
                          target={"db_system_id": db.id, "target_type": "DBSYSTEM"})
        oci.goldengate.Connection("gg", compartment_id=COMPARTMENT, connection_type="KAFKA", display_name="gg",
                                  technology_type="APACHE_KAFKA",
                                  bootstrap_servers=[{"host": "kafka-0.data.usvcn.oraclevcn.com", "port": 9092}])
        oci.dataflow.Application("app", compartment_id=COMPARTMENT, display_name="a", driver_shape="VM.Standard2.1",
                                 executor_shape="VM.Standard2.1", language="PYTHON", num_executors=1, spark_version="3.2.1",
                                 logs_bucket_uri=pulumi.Output.concat("oci://", bucket.name, "@estatens/"))
        oci.dataflow.Application("app-literal", compartment_id=COMPARTMENT, display_name="b", driver_shape="VM.Standard2.1",
                                 executor_shape="VM.Standard2.1", language="PYTHON", num_executors=1, spark_version="3.2.1",
                                 logs_bucket_uri="oci://flow-logs@estatens/")
        aws.lambda_.Function("fn", role="arn:aws:iam::222222222222:role/fn", runtime="python3.12", handler="h.main",
                             code=pulumi.AssetArchive({}), environment={"variables": {
                                 "DB_URL": "postgres://app@10.20.10.9:5432/app", "MODE": "fast", "RETRIES": "3"}})

    result = preview(program)
    assert flagged(result, POLICY) == set()
    assert len(analyzed(result)) == 7


def test_endpoints_outside_the_estate_are_flagged(preview):
    def program():
        oci.mysql.Channel("from-parent", source={"hostname": "203.0.113.10", "password": "x", "source_type": "MYSQL",
                                                 "ssl_mode": "REQUIRED", "username": "repl"},
                          target={"db_system_id": "ocid1.mysqldbsystem.oc1.iad.aaaa", "target_type": "DBSYSTEM"})
        oci.goldengate.Connection("gg-to-parent", compartment_id=COMPARTMENT, connection_type="GOLDENGATE",
                                  display_name="gg", technology_type="GOLDENGATE", host="203.0.113.11:443")
        oci.dns.Resolver("forwards-to-parent", resolver_id="ocid1.dnsresolver.oc1.iad.aaaa", rules=[{
            "action": "FORWARD", "destination_addresses": ["203.0.113.53"], "source_endpoint_name": "fwd"}])
        aws.route53.ResolverRule("forwards-out", domain_name="corp.example", rule_type="FORWARD",
                                 target_ips=[{"ip": "8.8.8.8"}])
        oci.dataflow.Application("logs-elsewhere", compartment_id=COMPARTMENT, display_name="a", driver_shape="VM.Standard2.1",
                                 executor_shape="VM.Standard2.1", language="PYTHON", num_executors=1, spark_version="3.2.1",
                                 logs_bucket_uri="oci://flow-logs@othertenantns/")
        aws.lambda_.Function("fn-to-parent", role="arn:aws:iam::222222222222:role/fn", runtime="python3.12", handler="h.main",
                             code=pulumi.AssetArchive({}), environment={"variables": {
                                 "DB_URL": "postgres://app:secret@203.0.113.12:5432/app", "MODE": "fast"}})
        oci.apigateway.Deployment("backend-out", compartment_id=COMPARTMENT, gateway_id="ocid1.apigateway.oc1.iad.aaaa",
                                  path_prefix="/v1", specification={"routes": [{"path": "/users", "backend": {
                                      "type": "HTTP_BACKEND", "url": "https://api.example.net/users"}}]})

    result = preview(program)
    assert flagged(result, POLICY) == {
        urn(CHANNEL, "from-parent"), urn(GG, "gg-to-parent"), urn(RESOLVER, "forwards-to-parent"),
        urn("aws:route53/resolverRule:ResolverRule", "forwards-out"), urn(APP, "logs-elsewhere"),
        urn(FUNCTION, "fn-to-parent"), urn("oci:ApiGateway/deployment:Deployment", "backend-out"),
    }
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {urn("pulumi:pulumi:Stack", "test-test")}
    assert analyzed(result) == flagged(result, POLICY)
    # Parent addresses are this policy's finding, once: the safety net leaves them.
    assert flagged(result, SAFETY_NET) == set()
    text = messages(result, POLICY)
    assert any("source.hostname: the endpoint '203.0.113.10' is in the parent company's range" in m for m in text)
    assert any("logsBucketUri: the bucket 'flow-logs' in Object Storage namespace 'othertenantns'" in m for m in text)
    assert any("environment.variables.DB_URL: the endpoint '203.0.113.12'" in m for m in text)
    assert all("secret" not in m for m in text)


def test_endpoints_unknown_at_preview(preview):
    def program():
        elsewhere = pulumi.StackReference("org/databases/prod")
        oci.goldengate.Connection("gg-elsewhere", compartment_id=COMPARTMENT, connection_type="GOLDENGATE",
                                  display_name="gg", technology_type="GOLDENGATE", host=elsewhere.get_output("ggHost"))
        db = aws.rds.Instance("db", instance_class="db.t3.micro", engine="postgres", allocated_storage=20,
                              kms_key_id="arn:aws:kms:us-east-2:222222222222:key/k", storage_encrypted=True)
        aws.lambda_.Function("fn-to-stack-db", role="arn:aws:iam::222222222222:role/fn", runtime="python3.12",
                             handler="h.main", code=pulumi.AssetArchive({}),
                             environment={"variables": {"DB_HOST": db.address}})

    result = preview(program)
    assert flagged(result, POLICY) == {urn(GG, "gg-elsewhere")}
    assert [m.split("\n", 1)[1] for m in messages(result, POLICY)] == [
        "cannot be verified at preview: host is unknown; make it a literal or config value. host may name an endpoint "
        "the resource connects to"]
