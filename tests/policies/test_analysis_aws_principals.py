"""Unit tests for the pure AWS policy-document helpers."""

import json

import pytest

from residency_policies.analysis import aws_principals as ap
from residency_policies.values import UNKNOWN

ESTATE = "222222222222"  # the estate's own account (estate.awsAccountIds)
OTHER = "333333333333"  # neither estate, trusted nor parent
TRUST = ap.Trust(
    trusted_accounts=frozenset({"111111111111"}),
    trusted_organizations=frozenset({"o-usoversight01"}),
    parent_accounts=frozenset({"999999999999"}),
    parent_organizations=frozenset({"o-parentexample1"}),
    estate_accounts=frozenset({ESTATE}),
)


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal, condition=None, effect="Allow"):
    st = {"Effect": effect, "Action": "s3:GetObject", "Resource": "*", "Principal": principal}
    if condition is not None:
        st["Condition"] = condition
    return st


def failing(document):
    return ap.judge_document(document, TRUST)


@pytest.mark.parametrize("principal", [
    {"AWS": "111111111111"},
    {"AWS": "arn:aws:iam::111111111111:root"},
    {"AWS": ["arn:aws:iam::111111111111:role/reader"]},
    {"Service": "lambda.amazonaws.com"},
    {"Service": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]},
    {"Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},
    {"Federated": "cognito-identity.amazonaws.com"},
    # The estate's own account: a standard KMS key policy, a bucket policy, a GitHub OIDC provider of the estate.
    {"AWS": f"arn:aws:iam::{ESTATE}:root"},
    {"AWS": ESTATE},
    {"AWS": [f"arn:aws:iam::{ESTATE}:role/app", "arn:aws:iam::111111111111:root"]},
    {"Federated": f"arn:aws:iam::{ESTATE}:oidc-provider/token.actions.githubusercontent.com"},
])
def test_trusted_and_estate_principals_pass(principal):
    assert failing(doc(allow(principal))) == []


@pytest.mark.parametrize("principal, needle", [
    ({"AWS": "999999999999"}, "parent company"),
    ({"AWS": "arn:aws:iam::999999999999:role/x"}, "parent company"),
    ({"AWS": "arn:aws:sts::999999999999:assumed-role/x/y"}, "parent company"),
    ({"AWS": OTHER}, "neither an estate account nor a trusted account"),
    ({"AWS": f"arn:aws:iam::{OTHER}:root"}, "neither an estate account nor a trusted account"),
    ("*", "anyone"),
    ({"AWS": "*"}, "anyone"),
    ({"AWS": ["111111111111", "*"]}, "anyone"),
    ({"Federated": "accounts.google.com"}, "external identity provider"),
    ({"Federated": "arn:aws:iam::999999999999:saml-provider/corp"}, "parent company"),
    ({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "cannot be determined"),
    ({"AWS": "AROAEXAMPLEROLEID12345"}, "cannot be determined"),
])
def test_untrusted_principals_fail(principal, needle):
    verdicts = failing(doc(allow(principal)))
    assert len(verdicts) == 1 and needle in verdicts[0].message and not verdicts[0].unverifiable


def test_json_string_and_single_statement_object():
    text = json.dumps({"Statement": allow({"AWS": "999999999999"})})
    assert len(failing(text)) == 1


def test_deny_never_grants():
    assert failing(doc(allow("*", effect="Deny"), allow({"AWS": "999999999999"}, effect="deny"))) == []


def test_not_principal_with_allow_grants_everyone_else():
    st = {"Effect": "Allow", "Action": "*", "Resource": "*", "NotPrincipal": {"AWS": "111111111111"}}
    assert len(failing(doc(st))) == 1


def test_identity_policy_without_principal_grants_nobody():
    assert failing(doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})) == []


@pytest.mark.parametrize("condition", [
    {"StringEquals": {"aws:PrincipalOrgID": "o-usoversight01"}},
    {"StringEquals": {"aws:principalorgid": ["o-usoversight01"]}},
    {"StringEquals": {"aws:PrincipalAccount": "111111111111"}},
    {"StringEquals": {"aws:SourceAccount": "111111111111"}},
    {"StringEquals": {"aws:SourceOrgID": "o-usoversight01"}},
    {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-usoversight01/r-ab12/*"}},
    {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}, "StringEquals": {"aws:SourceAccount": "111111111111"}},
    {"StringEquals": {"aws:PrincipalAccount": ESTATE}},
    {"StringEquals": {"aws:PrincipalAccount": [ESTATE, "111111111111"]}},
])
def test_star_limited_to_trusted_org_passes(condition):
    assert failing(doc(allow("*", condition))) == []


@pytest.mark.parametrize("condition, unverifiable", [
    ({"StringEquals": {"aws:PrincipalOrgID": "o-parentexample1"}}, False),
    ({"StringEquals": {"aws:PrincipalOrgID": ["o-usoversight01", "o-parentexample1"]}}, False),
    ({"StringEquals": {"aws:SourceAccount": OTHER}}, False),
    ({"StringEquals": {"aws:PrincipalAccount": [ESTATE, OTHER]}}, False),
    ({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-usoversight01"}}, False),  # absent key passes
    ({"StringNotEquals": {"aws:PrincipalOrgID": "o-usoversight01"}}, False),
    ({"StringLike": {"aws:PrincipalOrgID": "o-*"}}, False),
    ({"Bool": {"aws:SecureTransport": "true"}}, False),
    ({"StringEquals": {"aws:PrincipalOrgID": UNKNOWN}}, True),
    (UNKNOWN, True),
])
def test_star_not_limited_to_trusted_org_fails(condition, unverifiable):
    verdicts = failing(doc(allow("*", condition)))
    assert len(verdicts) == 1 and verdicts[0].unverifiable is unverifiable


def test_a_parent_account_is_refused_even_when_also_listed_as_estate_or_trusted():
    both = ap.Trust(trusted_accounts=frozenset({"999999999999"}), parent_accounts=frozenset({"999999999999"}),
                    estate_accounts=frozenset({"999999999999"}))
    verdicts = ap.judge_document(doc(allow({"AWS": "arn:aws:iam::999999999999:root"})), both)
    assert len(verdicts) == 1 and "parent company" in verdicts[0].message


def test_service_acting_for_parent_account_fails_but_own_account_passes():
    parent = {"StringEquals": {"aws:SourceAccount": "999999999999"}}
    own = {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert len(failing(doc(allow({"Service": "sns.amazonaws.com"}, parent)))) == 1
    assert failing(doc(allow({"Service": "sns.amazonaws.com"}, own))) == []


@pytest.mark.parametrize("document", [
    UNKNOWN,
    doc(allow({"AWS": UNKNOWN})),
    doc(allow(UNKNOWN)),
    doc(UNKNOWN),
    {"Statement": [allow({"AWS": ["111111111111", UNKNOWN]})]},
])
def test_unknowns_are_unverifiable(document):
    verdicts = failing(document)
    assert verdicts and all(v.unverifiable for v in verdicts)


def test_unknown_principal_limited_to_trusted_org_passes():
    assert failing(doc(allow({"AWS": UNKNOWN}, {"StringEquals": {"aws:PrincipalOrgID": "o-usoversight01"}}))) == []


def test_malformed_json_is_a_violation():
    assert len(failing("{not json")) == 1


@pytest.mark.parametrize("document", [
    "{not json", "42", 42, ["x"], {"Statement": [None, "x", 3]}, {"Statement": None, "Version": "2012-10-17"},
    {"Statement": "Allow *"}, {"Version": "2012-10-17"}, '"a string"', "", "  ",
])
def test_unparseable_documents_fail_closed(document):
    verdicts = failing(document)
    assert verdicts and all(not v.ok and v.message.startswith("cannot be verified") for v in verdicts)
    assert all("fail closed" in v.message for v in verdicts)


@pytest.mark.parametrize("document", [None, {}])
def test_absent_documents_grant_nothing(document):
    assert failing(document) == []


@pytest.mark.parametrize("key", ["aws:ResourceAccount", "aws:resourceaccount", "aws:ResourceOrgID"])
def test_resource_account_condition_does_not_limit_the_caller(key):
    value = "o-usoversight01" if "Org" in key else "111111111111"
    verdicts = failing(doc(allow("*", {"StringEquals": {key: value}})))
    assert len(verdicts) == 1 and "anyone" in verdicts[0].message


@pytest.mark.parametrize("kind, fields, ok", [
    ("CanonicalUser", {"canonical_id": "a" * 64, "owner_ids": frozenset({"a" * 64})}, True),
    ("CanonicalUser", {"canonical_id": ap.AWS_LOG_DELIVERY_CANONICAL_ID}, True),
    ("CanonicalUser", {"canonical_id": "b" * 64, "owner_ids": frozenset({"a" * 64})}, False),
    ("CanonicalUser", {"canonical_id": "b" * 64}, False),
    ("AmazonCustomerByEmail", {"email": "ops@parent.example"}, False),
    ("Email", {"email": "ops@parent.example"}, False),
    ("Group", {"uri": ap.LOG_DELIVERY_GROUP}, True),
])
def test_acl_grantees(kind, fields, ok):
    assert ap.judge_acl_grantee(kind, **fields).ok is ok


def test_unknown_acl_grantee_is_an_unknown_principal():
    verdict = ap.judge_acl_grantee("CanonicalUser", canonical_id=UNKNOWN)
    assert not verdict.ok and verdict.unverifiable and verdict.unknown_principal


def test_opensearch_serverless_access_policy_list():
    policy = [{"Rules": [{"ResourceType": "index", "Resource": ["index/x/*"], "Permission": ["aoss:*"]}],
               "Principal": ["arn:aws:iam::999999999999:role/reader"]}]
    assert len(failing(json.dumps(policy))) == 1


@pytest.mark.parametrize("value, kind", [
    ("123456789012", ap.ACCOUNT),
    ("arn:aws-us-gov:iam::123456789012:role/x", ap.ACCOUNT),
    ("arn:aws:organizations::123456789012:organization/o-abcdefghij", ap.ORGANIZATION),
    ("arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefgh", ap.ORGANIZATION),
    ("s3.amazonaws.com", ap.SERVICE),
    ("*", ap.ANYONE),
    (UNKNOWN, ap.UNKNOWN),
    (None, ap.UNVERIFIABLE),
    ("someone", ap.UNVERIFIABLE),
])
def test_classify_principal(value, kind):
    assert ap.classify_principal(value).kind == kind
