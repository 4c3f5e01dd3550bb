"""Durability rules follow the data classification: mandatory for US user data, advisory for data that is not.

``immutable-backups``, ``backup-coverage``, ``database-backup-retention`` (and ``retention-lock-times``,
``data-tier-placement``) judge every store; a resource classified as holding no US user data (tag
``residency-data`` with an ``otherValues`` value, or an untagged OCI resource placed in a compartment so
classified) gets the same findings as advisory. Untagged, unknown or undocumented classifications are US
user data (fail closed). No residency rule reads the classification.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci
import pytest
from pulumi_policy import EnforcementLevel

from residency_kit.engine.packs import PolicyPackConfigError, PolicyPackError
import illustrative_rules
from residency_policies.rules import backup_coverage, database_backup_retention, immutable_backups
from residency_policies.rules_file import build_rules
from residency_policies.views import FrozenDict, ProviderView, ResourceView
from tests.policies.conftest import COMPARTMENT, KEY_IAD, judged, messages, provider_urn, start_pack, urn

PROTECTION = "immutable-backups"
COVERAGE = "backup-coverage"
RETENTION = "database-backup-retention"
BUCKET = "oci:ObjectStorage/bucket:Bucket"
VOLUME = "oci:Core/volume:Volume"
ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
TABLE = "aws:dynamodb/table:Table"
S3 = "aws:s3/bucket:Bucket"
OCI_KEY = "oci:Kms/key:Key"
VAULT = "oci:Kms/vault:Vault"
PROTECT = pulumi.ResourceOptions(protect=True)
TENANCY = "ocid1.tenancy.oc1..aaaaaaaausdataexample0000000000000000000000000000000000000"
LISTED = "ocid1.compartment.oc1..aaaaaaaasandboxlisted"
KEY_FRA = "ocid1.key.oc1.fra.bbbbbbbbvault.abcdefghijklmnop"
ALLOWED = "allowed: us-user-data, internal, public, ephemeral"


def levels(result, policy: str) -> dict[str, str]:
    """URN -> level of the policy's violations; fails when a URN is reported twice at different levels."""
    out: dict[str, str] = {}
    for v in result.violations_of(policy):
        assert out.get(v.urn, v.enforcement_level) == v.enforcement_level, (v.urn, v.message)
        out[v.urn] = v.enforcement_level
    return out


def message_of(result, policy: str, resource_urn: str) -> str:
    (found,) = [v.message for v in result.violations_of(policy) if v.urn == resource_urn]
    return found


def _table(name, tags=None, provider=None, pitr=False):
    """A table without point-in-time recovery keeps no backups: a database-backup-retention finding."""
    return aws.dynamodb.Table(name, attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], hash_key="id",
                              billing_mode="PAY_PER_REQUEST", tags=tags,
                              point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=pitr),
                              opts=pulumi.ResourceOptions(provider=provider))


def _bucket(name, compartment=COMPARTMENT, tags=None, protect=False, defined=None, provider=None, key=KEY_IAD, **kw):
    return oci.objectstorage.Bucket(name, compartment_id=compartment, namespace="ns", name=kw.pop("bucket_name", name),
                                    kms_key_id=key, freeform_tags=tags, defined_tags=defined,
                                    opts=pulumi.ResourceOptions(protect=protect, provider=provider), **kw)


def _volume(name, compartment=COMPARTMENT, tags=None, defined=None, **kw):
    """A block volume with no backup policy: deleting it loses its data (an immutable-backups finding)."""
    return oci.core.Volume(name, compartment_id=compartment, availability_domain="Uocm:US-ASHBURN-AD-1",
                           kms_key_id=KEY_IAD, freeform_tags=tags, defined_tags=defined, **kw)


def _compartment(name, parent=TENANCY, tags=None):
    return oci.identity.Compartment(name, compartment_id=parent, description=name, freeform_tags=tags)


def _seed():
    """A resource whose outputs are unknown at preview (itself no data store)."""
    return _compartment("seed", tags={"residency-data": "internal"})


def _cls(value):
    return {"residency-data": value}


# -- AWS: the resource's own tag, decided before anything is created ------------------------------------------

def test_aws_stores_follow_their_own_tag_and_the_provider_default_tags(preview):
    def program():
        defaults = aws.Provider("defaults", region="us-east-2", allowed_account_ids=["222222222222"],
                                default_tags=aws.ProviderDefaultTagsArgs(tags=_cls("ephemeral")))
        _table("untagged")
        _table("user", _cls("us-user-data"))
        _table("internal", _cls("internal"))
        _table("typo", _cls("Internal"))
        _table("by-default", provider=defaults)
        _table("own-wins", _cls("us-user-data"), provider=defaults)
        aws.rds.Instance("catalog", instance_class="db.t3.micro", engine="postgres", allocated_storage=20,
                         tags=_cls("public"))
        _table("kept", _cls("internal"), pitr=True)

    result = preview(program)
    assert levels(result, RETENTION) == {
        urn(TABLE, "untagged"): "mandatory",
        urn(TABLE, "user"): "mandatory",
        urn(TABLE, "typo"): "mandatory",
        urn(TABLE, "own-wins"): "mandatory",
        urn(TABLE, "internal"): "advisory",
        urn(TABLE, "by-default"): "advisory",
        urn("aws:rds/instance:Instance", "catalog"): "advisory",
    }
    assert len(messages(result, RETENTION)) == 7  # each once
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, RETENTION).passed == {urn(TABLE, "kept")}
    untagged = message_of(result, RETENTION, urn(TABLE, "untagged"))
    assert "set `pointInTimeRecovery.enabled=True`" in untagged
    assert "Judged as US user data: it has no residency-data tag (untagged means US user data)" in untagged
    assert 'classify it: tags={"residency-data": "internal"} (values: internal, public, ephemeral' in untagged
    typo = message_of(result, RETENTION, urn(TABLE, "typo"))
    assert ("it has tags.residency-data = 'Internal', which is not a documented classification" in typo
            and ALLOWED in typo)
    assert "classify it" not in message_of(result, RETENTION, urn(TABLE, "user"))
    advisory = message_of(result, RETENTION, urn(TABLE, "by-default"))
    assert "set `pointInTimeRecovery.enabled=True`" in advisory
    assert "Advisory: it is classified as holding no US user data (it is tagged residency-data=ephemeral)" in advisory


# -- OCI: the tag, else the compartment -------------------------------------------------------------------------

def _oci_estate(store):
    """The same placements for any kind of store (``store(name, compartment, tags=..., defined=...)``)."""
    sandbox = _compartment("sandbox", tags=_cls("internal"))
    records = _compartment("records", tags=_cls("us-user-data"))
    nested = _compartment("nested", parent=sandbox.id)
    plain = _compartment("plain")
    store("in-sandbox", sandbox.id)
    store("in-nested", nested.id)
    store("in-records", records.id)
    store("in-plain", plain.id)
    store("literal", COMPARTMENT)
    store("user-in-sandbox", sandbox.id, tags=_cls("us-user-data"))
    store("internal-in-records", records.id, tags=_cls("internal"))
    store("defined-public", COMPARTMENT, defined={"Operations.residency-data": "public"})


OCI_MANDATORY = {"in-records", "in-plain", "literal", "user-in-sandbox"}
OCI_ADVISORY = {"in-sandbox", "in-nested", "internal-in-records", "defined-public"}
# Every volume has no backup policy, every bucket no regional copy: each rule finds each one, at its class's level.
OCI_STORES = {PROTECTION: (VOLUME, _volume), COVERAGE: (BUCKET, _bucket)}


@pytest.mark.parametrize("policy", [PROTECTION, COVERAGE])
def test_oci_stores_follow_their_tag_then_their_compartment(preview, policy):
    token, store = OCI_STORES[policy]
    result = preview(lambda: _oci_estate(store))
    assert levels(result, policy) == {
        **{urn(token, n): "mandatory" for n in OCI_MANDATORY},
        **{urn(token, n): "advisory" for n in OCI_ADVISORY},
    }
    assert len(messages(result, policy)) == 8
    plain = message_of(result, policy, urn(token, "in-plain"))
    # Each clause names its subject: the compartment 'plain' is created here; its own parent is the tenancy.
    assert ("Judged as US user data: it has no residency-data tag and is in compartment 'plain', which has no "
            f"residency-data tag and is in compartment {TENANCY}, which this stack does not create and "
            "dataClassification.nonDataCompartmentIds does not list.") in plain
    assert 'freeform_tags={"residency-data": "internal"}' in plain and "dataClassification.nonDataCompartmentIds" in plain
    literal = message_of(result, policy, urn(token, "literal"))
    assert (f"it has no residency-data tag and is in compartment {COMPARTMENT}, which this stack does not create and "
            "dataClassification.nonDataCompartmentIds does not list") in literal
    nested = message_of(result, policy, urn(token, "in-nested"))
    assert ("(it has no residency-data tag and is in compartment 'nested', which has no residency-data tag and is in "
            "compartment 'sandbox', which is tagged residency-data=internal)") in nested


def test_a_compartment_created_at_the_tenancy_root_is_named_as_such(preview):
    """The public OCI template creates its compartment without compartment_id (the tenancy's root compartment):
    the message once said that compartment was "in no compartment, which is neither created in this stack"."""
    def program():
        root_child = oci.identity.Compartment("myCompartment", description="d", name="my-compartment")
        _bucket("my-bucket", root_child.id)

    message = message_of(preview(program), COVERAGE, urn(BUCKET, "my-bucket"))
    assert ("it has no residency-data tag and is in compartment 'myCompartment', which has no residency-data tag and "
            "sits in the tenancy's root compartment (compartmentId unset).") in message
    assert "neither created" not in message and "no compartment" not in message


# -- the rules: listed compartments and an estate's own tag scheme --------------------------------------------

@pytest.fixture(scope="module")
def own_scheme_pack():
    scheme = {"dataClassification": {"tagKey": "data-class", "userDataValues": ["restricted", "confidential"],
                                     "otherValues": ["internal", "public"], "nonDataCompartmentIds": [LISTED]}}
    pack = start_pack(policy_config={PROTECTION: scheme, COVERAGE: scheme})
    yield pack
    pack.close()


def test_listed_compartments_and_the_rules_own_tag_scheme(preview, own_scheme_pack):
    def program():
        for policy in (PROTECTION, COVERAGE):
            _, store = OCI_STORES[policy]
            store("listed", LISTED)
            store("restricted-in-listed", LISTED, tags={"data-class": "restricted"})
            store("internal", COMPARTMENT, tags={"data-class": "internal"})
            store("old-key", COMPARTMENT, tags=_cls("internal"))  # another key than the rules' tagKey: untagged
            store("unlisted", COMPARTMENT)

    result = preview(program, using=own_scheme_pack)
    for policy in (PROTECTION, COVERAGE):
        token, _ = OCI_STORES[policy]
        assert levels(result, policy) == {
            urn(token, "listed"): "advisory",
            urn(token, "internal"): "advisory",
            urn(token, "restricted-in-listed"): "mandatory",
            urn(token, "old-key"): "mandatory",
            urn(token, "unlisted"): "mandatory",
        }
    listed = message_of(result, PROTECTION, urn(VOLUME, "listed"))
    assert (f"(it has no data-class tag and is in compartment {LISTED}, which "
            "dataClassification.nonDataCompartmentIds lists)") in listed
    assert 'freeform_tags={"data-class": "internal"} (values: internal, public)' in message_of(
        result, PROTECTION, urn(VOLUME, "old-key"))


def test_a_value_that_would_mean_both_classes_is_one_error_at_configure():
    with pytest.raises(PolicyPackError) as err:
        start_pack(policy_config={PROTECTION: {"dataClassification": {"userDataValues": ["internal"]}}})
    assert not isinstance(err.value, PolicyPackConfigError)  # the schema admits it; the pack refuses it
    lines = [x.strip() for x in str(err.value).splitlines()[1:]]
    assert lines == ["invalid residency rules in the policy config of 'immutable-backups' (--policy-pack-config): dataClassification."
                     "otherValues = 'internal'; allowed: values that are not also userDataValues (a value cannot "
                     "mean both)"], str(err.value)


@pytest.mark.parametrize("classification", [
    {"tagKey": 5}, {"tagKey": "a.b"}, {"bogus": []}, {"userDataValues": []},
    {"nonDataCompartmentIds": ["ocid1.tenancy.oc1..aaaaaaaaroot"]},
])
def test_the_engine_refuses_classification_config_its_schema_forbids(classification):
    with pytest.raises(PolicyPackConfigError) as err:
        start_pack(policy_config={COVERAGE: {"dataClassification": classification}})
    assert COVERAGE in str(err.value)


# -- what US user data cannot survive without: its backup copies ------------------------------------------------

def test_backup_copies_of_user_data_are_held_as_user_data_and_keys_are_not_judged(preview):
    def program():
        vault = oci.kms.Vault("vault", compartment_id=COMPARTMENT, display_name="v", vault_type="VIRTUAL_PRIVATE",
                              freeform_tags=_cls("internal"))
        key = oci.kms.Key("key", compartment_id=COMPARTMENT, display_name="k", freeform_tags=_cls("internal"),
                          management_endpoint=vault.management_endpoint,
                          key_shape=oci.kms.KeyKeyShapeArgs(algorithm="AES", length=32))
        aws.kms.Key("records-key", tags=_cls("internal"))
        phx = oci.Provider("phx", region="us-phoenix-1")
        _bucket("primary", key=key.id, protect=True)
        _bucket("copy", bucket_name="primary-copy", tags=_cls("internal"), protect=True, provider=phx,
                retention_rules=[oci.objectstorage.BucketRetentionRuleArgs(
                    display_name="keep", time_rule_locked="2030-01-01T00:00:00Z",
                    duration=oci.objectstorage.BucketRetentionRuleDurationArgs(time_amount=30, time_unit="DAYS"))])
        oci.objectstorage.ReplicationPolicy("rp", bucket="primary", namespace="ns", name="rp",
                                            destination_bucket_name="primary-copy", destination_region_name="us-phoenix-1")
        # AWS: an untagged source replicating into a bucket tagged internal that has no Object Lock.
        source = aws.s3.Bucket("source", bucket="source", opts=PROTECT)
        dest = aws.s3.Bucket("dest", bucket="dest", tags=_cls("internal"), opts=PROTECT)
        aws.s3.BucketReplicationConfig("replication", bucket=source.id, role="arn:aws:iam::222222222222:role/r",
                                       rules=[aws.s3.BucketReplicationConfigRuleArgs(
                                           status="Enabled",
                                           destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(bucket=dest.arn))])
        # Nothing of US user data replicates into this one: its findings stay advisory.
        scratch = aws.s3.Bucket("scratch", bucket="scratch", tags=_cls("ephemeral"), opts=PROTECT)
        aws.s3.BucketReplicationConfig("scratch-replication", bucket=scratch.id, role="arn:aws:iam::222222222222:role/r",
                                       rules=[aws.s3.BucketReplicationConfigRuleArgs(
                                           status="Enabled",
                                           destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                                               bucket=aws.s3.Bucket("scratch-copy", bucket="scratch-copy",
                                                                    tags=_cls("ephemeral"), opts=PROTECT).arn))])

    result = preview(program)
    # Keys and vaults are deleted only after a waiting period: not judged for durability.
    assert levels(result, PROTECTION) == {
        urn(BUCKET, "copy"): "mandatory",
        urn(S3, "dest"): "mandatory",
        urn(S3, "scratch-copy"): "advisory",
    }
    copy = message_of(result, PROTECTION, urn(BUCKET, "copy"))
    assert "keeps data for 30 days" in copy
    assert ("Judged as US user data: it is tagged residency-data=internal, but it is a backup copy of 'primary', "
            "which is judged as US user data") in copy
    assert "classify 'primary' too" in copy
    dest = [v.message for v in result.violations_of(PROTECTION) if v.urn == urn(S3, "dest")]
    assert len(dest) == 2 and all("it is a backup copy of 'source', which is judged as US user data" in m for m in dest)
    assert "no versioning" in dest[0] and "Object Lock default retention in COMPLIANCE mode" in dest[1]
    assert levels(result, COVERAGE) == {}  # the primary has its copy; the copy is a destination


# -- unknown at preview: fail closed, saying so ---------------------------------------------------------------

def test_a_classification_unknown_at_preview_is_us_user_data_that_cannot_be_verified(preview):
    def program():
        seed = _seed()
        sandbox = _compartment("sandbox", tags=_cls("internal"))
        unknown_class = _compartment("unknown-class", tags={"residency-data": seed.id.apply(lambda _: "internal")})
        _table("computed-tags", seed.id.apply(lambda _: _cls("internal")))
        _bucket("unknown-value", sandbox.id, tags={"residency-data": seed.id.apply(lambda _: "internal")})
        _bucket("computed-map", sandbox.id, tags=seed.id.apply(lambda _: _cls("internal")))
        _bucket("in-unknown-class", unknown_class.id)
        _bucket("elsewhere", pulumi.StackReference("org/landing-zone/prod").get_output("compartmentId"))

    result = preview(program)
    buckets = {urn(BUCKET, n) for n in ("unknown-value", "computed-map", "in-unknown-class", "elsewhere")}
    # The table has no copy in another region and keeps no backups: both rules find it.
    assert levels(result, COVERAGE) == dict.fromkeys(buckets | {urn(TABLE, "computed-tags")}, "mandatory")
    assert levels(result, RETENTION) == {urn(TABLE, "computed-tags"): "mandatory"}
    found = messages(result, COVERAGE) + messages(result, RETENTION)
    assert len(found) == len(buckets) + 2
    assert all("\ncannot be verified at preview: " in m for m in found)
    assert "freeformTags.residency-data is unknown" in message_of(result, COVERAGE, urn(BUCKET, "unknown-value"))
    assert "compartment 'unknown-class' freeformTags.residency-data is unknown" in message_of(
        result, COVERAGE, urn(BUCKET, "in-unknown-class"))
    elsewhere = message_of(result, COVERAGE, urn(BUCKET, "elsewhere"))
    assert "compartmentId is unknown" in elsewhere
    assert "its compartmentId is unknown at preview, with no compartment of this stack behind it" in elsewhere


# -- residency is not a durability question -------------------------------------------------------------------

def test_no_residency_rule_reads_the_classification(preview):
    def program():
        eu = oci.Provider("eu", region="eu-frankfurt-1")
        _bucket("public-fra", tags=_cls("public"), key=KEY_FRA, access_type="ObjectRead")
        _bucket("public-in-eu", tags=_cls("public"), provider=eu)

    result = preview(program)
    bucket, in_eu = urn(BUCKET, "public-fra"), urn(BUCKET, "public-in-eu")
    # A US bucket with a Frankfurt key, and a bucket created in Frankfurt (one finding, on its provider).
    assert levels(result, "us-keys-for-data") == {bucket: "mandatory"}
    assert levels(result, "private-data-stores") == {bucket: "mandatory"}
    assert levels(result, "us-region-providers") == {provider_urn("oci", "eu"): "mandatory"}
    assert levels(result, PROTECTION) == {}  # OCI keeps a non-empty bucket through a deletion
    assert levels(result, COVERAGE) == {bucket: "advisory", in_eu: "advisory"}


# -- phases: the checks as pure functions over the views the engine's requests become --------------------------

RULES, ERRORS = build_rules(None, stack_data=illustrative_rules.RULES)


def _view(type_, name, props, *, deps=None, provider=None):
    return ResourceView(type=type_, urn=urn(type_, name), name=name, props=FrozenDict(props), provider=provider,
                        property_dependencies=FrozenDict(deps or {}))


def test_own_tags_are_judged_per_resource_and_placement_over_the_stack_each_once():
    assert ERRORS == []
    aws_provider = ProviderView("pulumi:providers:aws", provider_urn("aws", "p"), "p", FrozenDict({"region": "us-east-2"}))
    table = _view(TABLE, "t", {"hashKey": "id"}, provider=aws_provider)
    s3 = _view(S3, "s3", {"forceDestroy": True}, provider=aws_provider)
    tagged = _view(ADB, "tagged", {"compartmentId": COMPARTMENT, "freeformTags": _cls("us-user-data")})
    untagged = _view(ADB, "untagged", {"compartmentId": COMPARTMENT})
    views = (table, s3, tagged, untagged)
    resource_phase = {v.name: [f.level for f in immutable_backups.check(v, RULES)] for v in views}
    assert resource_phase == {"t": [], "s3": [None], "tagged": [None], "untagged": []}
    retention_phase = {v.name: [f.level for f in database_backup_retention.check(v, RULES)] for v in views}
    assert retention_phase == {"t": [None], "s3": [], "tagged": [], "untagged": []}
    stack_phase = list(immutable_backups.check_stack(list(views), RULES))
    assert [(f.urn, f.level) for f in stack_phase] == [(untagged.urn, None)]
    assert list(database_backup_retention.check_stack(list(views), RULES)) == []


def test_an_unset_tag_map_the_engine_plans_as_unknown_is_read_as_unset():
    """The real engine plans OCI's optional, computed tag maps as unknown when the program leaves them unset: in
    the stack phase such a map (no property dependency) carries nothing and placement decides; a map the program
    computed from another resource (a property dependency) cannot be read, and fails closed."""
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    sandbox = _view("oci:Identity/compartment:Compartment", "sandbox",
                    {"compartmentId": TENANCY, "freeformTags": _cls("internal"), "definedTags": unknown})
    planned = _view(BUCKET, "planned", {"compartmentId": unknown, "freeformTags": unknown, "definedTags": unknown},
                    deps={"compartmentId": (sandbox.urn,)})
    computed = _view(BUCKET, "computed", {"compartmentId": unknown, "freeformTags": unknown, "definedTags": unknown},
                     deps={"compartmentId": (sandbox.urn,), "freeformTags": (sandbox.urn,)})
    found = {f.urn: f for f in backup_coverage.check_stack([sandbox, planned, computed], RULES)}
    assert (found[planned.urn].level, found[planned.urn].unverifiable) == (EnforcementLevel.ADVISORY, False)
    assert (found[computed.urn].level, found[computed.urn].unverifiable) == (None, True)
    assert found[computed.urn].path == "freeformTags"
