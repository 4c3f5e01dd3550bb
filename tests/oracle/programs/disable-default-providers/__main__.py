"""pulumi:disable-default-providers: oci disabled (explicit provider only), aws default still allowed."""
import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

p = oci.Provider("explicit", region="us-ashburn-1")
oci.objectstorage.Bucket("b", compartment_id="ocid1.compartment.oc1..aaaaaaaaoracle", namespace="ns", name="b",
                         opts=pulumi.ResourceOptions(provider=p))
aws.s3.Bucket("s")
