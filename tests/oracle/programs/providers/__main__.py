"""Explicit and default providers: with and without region, a pinned version, provider options."""
import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

COMP = "ocid1.compartment.oc1..aaaaaaaaoracle"
oci.objectstorage.Bucket("default", compartment_id=COMP, namespace="ns", name="d")
fra = oci.Provider("fra", region="eu-frankfurt-1", config_file_profile="FRA")
oci.objectstorage.Bucket("frankfurt", compartment_id=COMP, namespace="ns", name="f", opts=pulumi.ResourceOptions(provider=fra))
noregion = oci.Provider("no-region")
oci.objectstorage.Bucket("unknown-region", compartment_id=COMP, namespace="ns", name="u", opts=pulumi.ResourceOptions(provider=noregion))
tagged = aws.Provider("tagged", region="us-east-1", default_tags=aws.ProviderDefaultTagsArgs(tags={"jurisdiction": "US"}),
                      allowed_account_ids=["123456789012"], assume_roles=[aws.ProviderAssumeRoleArgs(role_arn="arn:aws:iam::123456789012:role/x")])
aws.s3.Bucket("tagged", opts=pulumi.ResourceOptions(provider=tagged))
aws.s3.Bucket("region-override", region="eu-west-1")
versioned = oci.Provider("versioned", region="us-ashburn-1", opts=pulumi.ResourceOptions(version="5.5.0"))
oci.objectstorage.Bucket("versioned", compartment_id=COMP, namespace="ns", name="v", opts=pulumi.ResourceOptions(provider=versioned))
