"""A stack reference: the referenced stack does not exist offline."""
import pulumi
import pulumi_oci as oci

ref = pulumi.StackReference("organization/network/prod")
oci.objectstorage.Bucket("b", compartment_id=ref.get_output("compartmentId"), namespace="ns", name="b")
