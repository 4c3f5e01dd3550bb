"""Stores and exposures no rule knew (issue 22 item 6), each found by its class in the SDK schemas.

Content delivery (CloudFront edge caches, ``us-region-replication``), public data APIs and identity pools
(``private-data-stores``), resources whose volumes or jobs take no key of their own and identity stores without a
customer key (``us-keys-for-data``). Estate account ``222222222222``; allowed AWS regions are the four US regions.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from residency_policies.analysis import unkeyed_storage
from tests.policies.conftest import flagged, judged, messages, urn
from generator_checks import SDK_SCHEMA_GROUP, check_generated

KEY = "arn:aws:kms:us-east-2:222222222222:key/k"
ROLE = "arn:aws:iam::222222222222:role/r"
DIST = "aws:cloudfront/distribution:Distribution"
API = "aws:appsync/graphQLApi:GraphQLApi"
METHOD = "aws:apigateway/method:Method"
LC = "aws:ec2/launchConfiguration:LaunchConfiguration"
NODES = "aws:eks/nodeGroup:NodeGroup"
JOB = "aws:glue/job:Job"
GLUE_CONFIG = "aws:glue/securityConfiguration:SecurityConfiguration"


@SDK_SCHEMA_GROUP
def test_generated_class_lists_are_current():
    code, stderr = check_generated("generate_unkeyed_storage")
    assert code == 0, stderr
    assert {LC, NODES} <= unkeyed_storage.VOLUME_TYPES
    assert {JOB, "aws:glue/crawler:Crawler", "aws:emr/cluster:Cluster"} <= unkeyed_storage.JOB_TYPES
    assert "aws:ec2/instance:Instance" not in unkeyed_storage.VOLUME_TYPES  # it names its own keys


# --- content delivery ------------------------------------------------------------------------------------------

def distribution(name, *, price="PriceClass_100", restriction=None):
    return aws.cloudfront.Distribution(
        name, enabled=True, price_class=price,
        origins=[{"domain_name": "us-estate-site.s3.us-east-2.amazonaws.com", "origin_id": "s3"}],
        default_cache_behavior={"allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"],
                                "target_origin_id": "s3", "viewer_protocol_policy": "https-only",
                                "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        restrictions={"geo_restriction": restriction or {"restriction_type": "none"}},
        viewer_certificate={"cloudfront_default_certificate": True})


def test_edge_caches_outside_the_allowed_countries(preview):
    def program():
        distribution("us-only", restriction={"restriction_type": "whitelist", "locations": ["US", "PR"]})
        distribution("worldwide", price="PriceClass_All")
        distribution("europe-too", restriction={"restriction_type": "whitelist", "locations": ["US", "DE"]})
        distribution("blacklist", restriction={"restriction_type": "blacklist", "locations": ["CN"]})
        elsewhere = pulumi.StackReference("org/cdn/prod")
        distribution("unknown", restriction={"restriction_type": "whitelist", "locations": elsewhere.get_output("countries")})

    result = preview(program)
    assert flagged(result, "us-region-replication") == {
        urn(DIST, "worldwide"), urn(DIST, "europe-too"), urn(DIST, "blacklist"), urn(DIST, "unknown")}
    text = messages(result, "us-region-replication")
    assert any("priceClass PriceClass_All caches content at edge locations in every continent, outside the allowed "
               "regions, and no geo restriction keeps viewers to AS, GU, MP, PR, UM, US, VI" in m for m in text)
    assert any("whitelist ['DE', 'US'] names countries outside them" in m for m in text)
    assert sum("cannot be verified at preview" in m for m in text) == 1


# --- public data APIs and identity pools -----------------------------------------------------------------------

def graphql(name, auth="AWS_IAM", extra=None, schema="type Query { user(id: ID!): String }"):
    api = aws.appsync.GraphQLApi(name, authentication_type=auth, schema=schema,
                                 additional_authentication_providers=[{"authentication_type": extra}] if extra else None)
    table = aws.dynamodb.Table(f"{name}-users", hash_key="id", attributes=[{"name": "id", "type": "S"}],
                               server_side_encryption={"enabled": True, "kms_key_arn": KEY})
    aws.appsync.DataSource(f"{name}-source", api_id=api.id, name=f"{name.replace('-', '_')}_users",
                           type="AMAZON_DYNAMODB", service_role_arn=ROLE, dynamodb_config={"table_name": table.name})
    return api


def test_public_data_apis(preview):
    def program():
        graphql("iam-api")
        graphql("key-api", auth="API_KEY")
        graphql("key-fields", extra="API_KEY", schema="type Query { user(id: ID!): String @aws_api_key }")
        graphql("key-unused", extra="API_KEY")
        rest = aws.apigateway.RestApi("rest", name="rest")
        for auth in ("NONE", "AWS_IAM"):
            resource = aws.apigateway.Resource(f"users-{auth}", rest_api=rest.id, parent_id=rest.root_resource_id,
                                               path_part=f"users-{auth.lower()}")
            aws.apigateway.Method(f"get-{auth}", rest_api=rest.id, resource_id=resource.id, http_method="GET",
                                  authorization=auth)
            aws.apigateway.Integration(f"query-{auth}", rest_api=rest.id, resource_id=resource.id, http_method="GET",
                                       type="AWS", integration_http_method="POST", credentials=ROLE,
                                       uri="arn:aws:apigateway:us-east-2:dynamodb:action/Query")
        aws.cognito.IdentityPool("guests", identity_pool_name="guests", allow_unauthenticated_identities=True)
        aws.cognito.IdentityPool("members", identity_pool_name="members", allow_unauthenticated_identities=False)

    result = preview(program)
    assert flagged(result, "private-data-stores") == {
        urn(API, "key-api"), urn(API, "key-fields"), urn(METHOD, "get-NONE"),
        urn("aws:cognito/identityPool:IdentityPool", "guests")}
    text = messages(result, "private-data-stores")
    assert any("authenticationType: API-key authentication lets anyone holding the key" in m
               and "key-api-source (AMAZON_DYNAMODB)" in m for m in text)
    assert any("authorization is 'NONE' and integration query-NONE calls dynamodb directly" in m for m in text)


# --- volumes, jobs and identity stores without a customer key ----------------------------------------------------

def test_volumes_that_take_no_key(preview):
    def program():
        aws.ec2.LaunchConfiguration("lc", image_id="ami-0abc", instance_type="t3.micro")
        aws.eks.NodeGroup("nodes", cluster_name="c", node_role_arn=ROLE, subnet_ids=["subnet-0abc"],
                          scaling_config={"desired_size": 1, "max_size": 1, "min_size": 1})
        template = aws.ec2.LaunchTemplate("tpl", block_device_mappings=[{"device_name": "/dev/xvda",
                                                                          "ebs": {"encrypted": "true", "kms_key_id": KEY}}])
        aws.eks.NodeGroup("nodes-from-template", cluster_name="c", node_role_arn=ROLE, subnet_ids=["subnet-0abc"],
                          scaling_config={"desired_size": 1, "max_size": 1, "min_size": 1},
                          launch_template={"id": template.id, "version": "1"})

    result = preview(program)
    assert flagged(result, "us-keys-for-data") == {urn(LC, "lc"), urn(NODES, "nodes")}
    assert any("its EBS volumes (diskSize) can take no customer-managed key of their own" in m
               for m in messages(result, "us-keys-for-data"))


def test_ebs_encryption_by_default_keys_them(preview):
    def program():
        aws.ebs.EncryptionByDefault("default", enabled=True)
        aws.ebs.DefaultKmsKey("default-key", key_arn=KEY)
        aws.ec2.LaunchConfiguration("lc", image_id="ami-0abc", instance_type="t3.micro")

    assert flagged(preview(program), "us-keys-for-data") == set()


def glue_configuration(name, mode="SSE-KMS"):
    return aws.glue.SecurityConfiguration(name, name=name, encryption_configuration={
        "s3_encryption": {"s3_encryption_mode": mode, "kms_key_arn": KEY},
        "cloudwatch_encryption": {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": KEY},
        "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": KEY}})


def glue_job(name, configuration=None):
    return aws.glue.Job(name, role_arn=ROLE, command={"script_location": "s3://us-estate-code/job.py"},
                        security_configuration=configuration)


def test_jobs_encrypt_through_a_security_configuration(preview):
    def program():
        keyed = glue_configuration("keyed")
        glue_job("keyed-job", keyed.name)
        glue_configuration("sse-s3", mode="SSE-S3")
        glue_job("no-configuration")
        glue_job("configuration-elsewhere", "defined-in-another-stack")
        aws.emr.SecurityConfiguration("emr-keyed", configuration=json.dumps({"EncryptionConfiguration": {
            "EnableInTransitEncryption": False, "EnableAtRestEncryption": True, "AtRestEncryptionConfiguration": {
                "S3EncryptionConfiguration": {"EncryptionMode": "SSE-KMS", "AwsKmsKey": KEY},
                "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": KEY}}}}))
        aws.emr.SecurityConfiguration("emr-none", configuration=json.dumps({"EncryptionConfiguration": {
            "EnableInTransitEncryption": False, "EnableAtRestEncryption": False}}))

    result = preview(program)
    assert flagged(result, "us-keys-for-data") == {
        urn(GLUE_CONFIG, "sse-s3"), urn(JOB, "no-configuration"), urn(JOB, "configuration-elsewhere"),
        urn("aws:emr/securityConfiguration:SecurityConfiguration", "emr-none")}
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, "us-keys-for-data").passed == {
        urn("aws:emr/securityConfiguration:SecurityConfiguration", "emr-keyed"),
        urn("aws:glue/job:Job", "keyed-job"),
        urn("aws:glue/securityConfiguration:SecurityConfiguration", "keyed"),
    }
    text = messages(result, "us-keys-for-data")
    assert any("encryptionConfiguration.s3Encryption.s3EncryptionMode is 'SSE-S3': set it to SSE-KMS" in m for m in text)
    assert any("securityConfiguration is unset: its S3 targets, CloudWatch logs and job bookmarks are encrypted with no "
               "customer-managed key" in m for m in text)
    assert any("cannot be verified at preview" in m and "names a security configuration that is not created" in m
               for m in text)


def test_identity_stores_without_a_customer_key_are_advisory(preview):
    def program():
        aws.cognito.UserPool("users", name="us-users")

    result = preview(program)
    assert flagged(result, "us-keys-for-data", "advisory") == {urn("aws:cognito/userPool:UserPool", "users")}
    assert flagged(result, "us-keys-for-data", "mandatory") == set()


def test_every_type_that_takes_a_security_configuration_says_what_it_writes():
    """The message names what the resource itself writes (a crawler writes logs, not S3 targets or bookmarks)."""
    from residency_policies.analysis import unkeyed_storage as us

    takes = {token for token, spec in us.UNKEYED.items() if spec.configurations
             and any((token, path) not in us.OPTIONAL_CONFIGURATIONS for path in spec.configurations)}
    assert takes == set(us.WRITES)
    assert us.WRITES["aws:glue/crawler:Crawler"] == "its CloudWatch logs"
