"""Resource options the engine passes to analyzers: aliases, ignore_changes, protect, timeouts, replace options."""
import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

COMP = "ocid1.compartment.oc1..aaaaaaaaoracle"
parent = pulumi.ComponentResource("oracle:test:Group", "group")
oci.objectstorage.Bucket("renamed", compartment_id=COMP, namespace="ns", name="r", opts=pulumi.ResourceOptions(
    aliases=[pulumi.Alias(name="old-name"), pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE), "urn:pulumi:dev::options::oci:ObjectStorage/bucket:Bucket::older"],
    parent=parent, protect=True, ignore_changes=["freeformTags", "definedTags"], delete_before_replace=True,
    custom_timeouts=pulumi.CustomTimeouts(create="5m", delete="1h"), retain_on_delete=True,
    replace_on_changes=["name"], additional_secret_outputs=["etag"]))
aws.s3.Bucket("ignored", tags={"a": "b"}, opts=pulumi.ResourceOptions(ignore_changes=["tags"], protect=False,
                                                                     delete_before_replace=False))
