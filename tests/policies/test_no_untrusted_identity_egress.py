"""no-untrusted-identity-egress (issue 22 item 4): the estate's own AWS principals reach nothing outside the estate.

Estate account ``222222222222``, trusted ``111111111111``, parent ``999999999999``, other ``333333333333``; trusted
organization ``o-usoversight01`` (the shipped rules file).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from tests import illustrative_rules
from residency_policies.analysis import identity_egress as ie
from residency_policies.framework import rules_for
from tests.policies.conftest import flagged, judged, messages, urn

POLICY = "no-untrusted-identity-egress"
SAFETY_NET = "no-parent-company-identifiers"
ESTATE, TRUSTED, PARENT, OTHER = "222222222222", "111111111111", "999999999999", "333333333333"
RULES = rules_for(dict(illustrative_rules.RULES))[0]
IAM_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def analyzed(result) -> set[str]:
    return {r.urn for r in result.resources if not r.type.startswith("pulumi:")}


@pytest.mark.parametrize(("statement", "reach", "assume", "writes"), [
    (allow("sqs:SendMessage", f"arn:aws:sqs:us-east-2:{PARENT}:q"), ie.Reach.PARENT, False, True),
    (allow("sts:AssumeRole", f"arn:aws:iam::{PARENT}:role/x"), ie.Reach.PARENT, True, False),
    (allow("s3:GetObject", f"arn:aws:kinesis:us-east-2:{OTHER}:stream/s"), ie.Reach.OUTSIDE, False, False),
    (allow("s3:*", "arn:aws:s3:::someone-elses/*"), ie.Reach.BUCKET, False, True),
    (allow("s3:Put*", "*"), ie.Reach.ANY, False, True),
    (allow("sts:AssumeRole", "arn:aws:iam::*:role/x"), ie.Reach.ANY, True, False),
    ({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::x"}, ie.Reach.ANY, True, True),
])
def test_targets_outside_the_estate(statement, reach, assume, writes):
    [target] = list(ie.targets(doc(statement), RULES, "policy"))
    assert (target.reach, target.assume, target.writes) == (reach, assume, writes)


@pytest.mark.parametrize("statement", [
    allow("sqs:SendMessage", f"arn:aws:sqs:us-east-2:{ESTATE}:q"),
    allow("sts:AssumeRole", f"arn:aws:iam::{TRUSTED}:role/audit"),
    allow(["logs:CreateLogGroup", "ec2:Describe*", "s3:GetObject"], "*"),  # reads and no data-writing action
    allow("s3:PutObject", "*", Condition={"StringEquals": {"aws:ResourceAccount": [ESTATE, TRUSTED]}}),
    allow("sqs:SendMessage", f"arn:aws:sqs:us-east-2:{OTHER}:q", Condition={"StringEquals": {"aws:ResourceOrgID": "o-usoversight01"}}),
    {"Effect": "Deny", "Action": "*", "Resource": f"arn:aws:sqs:us-east-2:{PARENT}:q"},
    allow("iam:PassRole", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
])
def test_targets_of_the_estate(statement):
    assert list(ie.targets(doc(statement), RULES, "policy")) == []


def test_a_condition_naming_an_untrusted_account_closes_nothing():
    statement = allow("s3:PutObject", "*", Condition={"StringEquals": {"aws:ResourceAccount": [ESTATE, PARENT]}})
    assert [t.reach for t in ie.targets(doc(statement), RULES, "policy")] == [ie.Reach.ANY]


@pytest.mark.parametrize(("target", "words"), [
    (ie.Target("p", ie.Reach.PARENT, f"arn:aws:iam::{PARENT}:role/x", PARENT, assume=True),
     f"p lets the estate's principals assume 'arn:aws:iam::{PARENT}:role/x', in the parent company's account {PARENT}: "
     "an identity path to the parent"),
    (ie.Target("p", ie.Reach.PARENT, f"arn:aws:sqs:us-east-2:{PARENT}:q", PARENT, writes=True),
     f"p lets the estate's principals act on 'arn:aws:sqs:us-east-2:{PARENT}:q', in the parent company's account "
     f"{PARENT}: an identity path to the parent"),
    (ie.Target("p", ie.Reach.OUTSIDE, f"arn:aws:sqs:us-east-2:{OTHER}:q", OTHER),
     f"p lets the estate's principals act on 'arn:aws:sqs:us-east-2:{OTHER}:q', in account {OTHER}, which is neither "
     f"an estate account ({ESTATE}) nor a trusted one"),
    (ie.Target("p", ie.Reach.ANY, "*", assume=True),
     "p = '*' lets the estate's principals assume a role in any account that accepts them, the parent company's "
     "included; name the estate's resources, or add a StringEquals aws:ResourceAccount (or aws:ResourceOrgID) "
     "condition naming only estate and trusted accounts"),
    (ie.Target("p", ie.Reach.ANY, "*", writes=True),
     "p = '*' lets the estate's principals write data to resources of any account that accepts them, the parent "
     "company's included; name the estate's resources, or add a StringEquals aws:ResourceAccount (or "
     "aws:ResourceOrgID) condition naming only estate and trusted accounts"),
])
def test_messages_read_correctly(target, words):
    assert ie.describe(target, RULES) == words


def test_identity_policies_that_stay_in_the_estate_are_compliant(preview):
    def program():
        queue = aws.sqs.Queue("q", kms_master_key_id=f"arn:aws:kms:us-east-2:{ESTATE}:key/k")
        bucket = aws.s3.Bucket("data", bucket="us-estate-data")
        aws.iam.Policy("estate-only", policy=doc(
            allow("sqs:SendMessage", f"arn:aws:sqs:us-east-2:{ESTATE}:orders"),
            allow("s3:PutObject", "arn:aws:s3:::us-estate-data/*"),
            allow("logs:PutLogEvents", "*", Condition={"StringEquals": {"aws:ResourceAccount": ESTATE}})))
        role = aws.iam.Role("fn", assume_role_policy=TRUST)
        aws.iam.RolePolicy("built-from-the-stack", role=role.id, policy=pulumi.Output.json_dumps({
            "Version": "2012-10-17", "Statement": [allow("sqs:SendMessage", queue.arn), allow("s3:GetObject", bucket.arn)]}))

    result = preview(program)
    assert flagged(result, POLICY) == set()
    assert len(analyzed(result)) == 5


def test_identity_paths_out_of_the_estate_are_flagged(preview):
    def program():
        aws.iam.Policy("to-parent-queue", policy=doc(allow("sqs:SendMessage", f"arn:aws:sqs:us-east-2:{PARENT}:orders")))
        role = aws.iam.Role("fn", assume_role_policy=TRUST, inline_policies=[{"name": "hop", "policy": doc(
            allow("sts:AssumeRole", f"arn:aws:iam::{PARENT}:role/collector"))}])
        aws.iam.RolePolicy("to-other-bucket", role=role.id, policy=doc(allow("s3:PutObject", "arn:aws:s3:::someone-elses/*")))
        aws.iam.UserPolicy("malformed", user="ops", policy=json.dumps({"Statement": None}))
        aws.iam.GroupPolicy("not-json", group="ops", policy="Allow everything")
        aws.iam.Policy("assume-anything", policy=doc(allow("sts:AssumeRole", "*")))

    result = preview(program)
    assert flagged(result, POLICY, "mandatory") == {
        urn(IAM_POLICY, "to-parent-queue"), urn(ROLE, "fn"), urn(ROLE_POLICY, "to-other-bucket"),
        urn("aws:iam/userPolicy:UserPolicy", "malformed"), urn("aws:iam/groupPolicy:GroupPolicy", "not-json"),
        urn(IAM_POLICY, "assume-anything"),
    }
    assert flagged(result, SAFETY_NET) == set()  # the parent's account is this policy's finding, once
    text = messages(result, POLICY)
    assert any("inlinePolicies[0].policy.Statement[0].Resource lets the estate's principals assume "
               f"'arn:aws:iam::{PARENT}:role/collector'" in m for m in text)
    assert any("policy: cannot be verified: the policy document has no Statement" in m and "fail closed" in m for m in text)
    assert any("policy: cannot be verified: the policy document is not valid JSON" in m for m in text)


def test_data_writing_actions_on_any_resource_are_advisory(preview):
    def program():
        aws.iam.Policy("writes-anywhere", policy=doc(allow(["sqs:SendMessage", "s3:PutObject"], "*")))
        aws.iam.Policy("reads-anywhere", policy=doc(allow(["s3:GetObject", "ec2:Describe*"], "*")))

    result = preview(program)
    assert flagged(result, POLICY, "advisory") == {urn(IAM_POLICY, "writes-anywhere")}
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {urn("aws:iam/policy:Policy", "reads-anywhere")}
    assert flagged(result, POLICY, "mandatory") == set()


def test_documents_unknown_at_preview(preview):
    def program():
        elsewhere = pulumi.StackReference("org/shared/prod")
        aws.iam.Policy("from-another-stack", policy=pulumi.Output.json_dumps({
            "Version": "2012-10-17", "Statement": [allow("sqs:SendMessage", elsewhere.get_output("queueArn"))]}))

    result = preview(program)
    assert flagged(result, POLICY) == {urn(IAM_POLICY, "from-another-stack")}
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))


def test_an_ordinary_function_role_is_clean(preview):
    """The usual Lambda execution role: logs on '*', X-Ray, and its own queue and table by ARN."""
    def program():
        role = aws.iam.Role("fn", assume_role_policy=TRUST)
        aws.iam.RolePolicy("execution", role=role.id, policy=doc(
            allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "*"),
            allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
            allow(["dynamodb:GetItem", "dynamodb:PutItem"], f"arn:aws:dynamodb:us-east-2:{ESTATE}:table/orders"),
            allow("sqs:SendMessage", f"arn:aws:sqs:us-east-2:{ESTATE}:orders")))

    result = preview(program)
    assert flagged(result, POLICY) == set()
    assert flagged(result, SAFETY_NET) == set()
