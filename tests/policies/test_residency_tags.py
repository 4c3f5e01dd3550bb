import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from tests.policies.conftest import COMPARTMENT, TAGS, flagged, judged, messages, urn
from generator_checks import SDK_SCHEMA_GROUP, check_generated

POLICY = "residency-tags"


def test_compliant_tags_and_untaggable_types(preview):
    def program():
        oci.objectstorage.Bucket("b", compartment_id=COMPARTMENT, namespace="ns", freeform_tags=TAGS)
        aws.s3.Bucket("ab", tags=TAGS)
        tagged = aws.Provider("tagged", region="us-east-2", default_tags=aws.ProviderDefaultTagsArgs(tags=TAGS))
        aws.s3.Bucket("by-default-tags", opts=pulumi.ResourceOptions(provider=tagged))
        # ReplicationPolicy takes no tags at all: never flagged.
        oci.objectstorage.ReplicationPolicy("rp", bucket="b", namespace="ns", name="rp", destination_bucket_name="d",
                                            destination_region_name="us-phoenix-1")

    assert flagged(preview(program), POLICY) == set()


def test_missing_tags_are_advisory(preview):
    def program():
        oci.objectstorage.Bucket("b", compartment_id=COMPARTMENT, namespace="ns", freeform_tags={"jurisdiction": "EU"})
        aws.s3.Bucket("ab")

    result = preview(program)
    assert flagged(result, POLICY, level="advisory") == {urn("oci:ObjectStorage/bucket:Bucket", "b"), urn("aws:s3/bucket:Bucket", "ab")}
    assert flagged(result, POLICY, level="mandatory") == set()


def test_unknown_tags_are_reported(preview):
    def program():
        seed = oci.identity.Compartment("seed", compartment_id=COMPARTMENT, description="d", freeform_tags=TAGS)
        oci.objectstorage.Bucket("b", compartment_id=COMPARTMENT, namespace="ns", freeform_tags=seed.id.apply(lambda _: TAGS))

    result = preview(program)
    assert flagged(result, POLICY) == {urn("oci:ObjectStorage/bucket:Bucket", "b")}
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {urn("oci:Identity/compartment:Compartment", "seed")}
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))


@SDK_SCHEMA_GROUP
def test_taggable_type_list_matches_installed_sdks():
    code, stderr = check_generated("generate_taggable_types")
    assert code == 0, stderr
