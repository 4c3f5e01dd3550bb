import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from tests.policies.conftest import COMPARTMENT, flagged, judged, messages, provider_urn, urn

POLICY = "us-region-providers"
BUCKET = "oci:ObjectStorage/bucket:Bucket"
S3 = "aws:s3/bucket:Bucket"


def _bucket(name, provider=None):
    return oci.objectstorage.Bucket(
        name, compartment_id=COMPARTMENT, namespace="ns", opts=pulumi.ResourceOptions(provider=provider)
    )


def test_compliant_explicit_and_default_providers(preview):
    def program():
        _bucket("b", oci.Provider("home", region="us-ashburn-1"))
        _bucket("b-default")
        aws.s3.Bucket("ab")
        aws.s3.Bucket("ab-west", region="us-west-2", opts=pulumi.ResourceOptions(provider=aws.Provider("east", region="us-east-1")))

    assert flagged(preview(program), POLICY) == set()


def test_foreign_provider_and_resource_region_inputs_are_flagged(preview):
    def program():
        _bucket("b-eu", oci.Provider("eu", region="eu-frankfurt-1"))
        aws.s3.Bucket("ab-eu", region="eu-west-1")
        aws.s3.Bucket("ab-ap", region="ap-southeast-1", opts=pulumi.ResourceOptions(provider=aws.Provider("east", region="us-east-2")))
        aws.s3.Bucket("ab-us-on-eu", region="us-east-1", opts=pulumi.ResourceOptions(provider=aws.Provider("dublin", region="eu-west-1")))

    # One mistake, one violation: the bucket created by the Frankfurt provider is covered by the provider's.
    result = preview(program)
    assert flagged(result, POLICY) == {
        provider_urn("oci", "eu"),
        urn(S3, "ab-eu"),
        urn(S3, "ab-ap"),
        provider_urn("aws", "dublin"),  # the resource's own US region overrides its provider's: not flagged
    }
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {
        urn("aws:s3/bucket:Bucket", "ab-us-on-eu"),
        urn("oci:ObjectStorage/bucket:Bucket", "b-eu"),
        urn("pulumi:providers:aws", "default_7_51_1"),
        urn("pulumi:providers:aws", "east"),
    }


def test_default_provider_without_region_fails_closed(preview):
    def program():
        _bucket("b")

    result = preview(program, config={"aws:region": "us-east-2"})
    assert flagged(result, POLICY) == {provider_urn("oci", "default_5_5_0")}
    assert any("pulumi config set oci:region" in m for m in messages(result, POLICY))


def test_unknown_regions_are_mandatory_and_say_how_to_fix(preview):
    def program():
        seed = oci.identity.Compartment("seed", compartment_id=COMPARTMENT, description="d")
        _bucket("b", oci.Provider("dyn", region=seed.id.apply(lambda _: "us-ashburn-1")))
        aws.s3.Bucket("ab", region=seed.id.apply(lambda _: "us-east-1"))

    result = preview(program)
    assert flagged(result, POLICY, level="mandatory") == {provider_urn("oci", "dyn"), urn(S3, "ab")}
    assert all("cannot be verified at preview" in m and "make it a literal or config value" in m for m in messages(result, POLICY))


def test_one_violation_per_region_less_provider_not_per_resource(preview):
    def program():
        provider = oci.Provider("no-region")
        for i in range(3):
            _bucket(f"b{i}", provider)

    result = preview(program)
    assert [v.urn for v in result.violations_of(POLICY)] == [provider_urn("oci", "no-region")]
