"""pulumi:disable-default-providers "*" with a resource that needs a default provider: the preview fails."""
import pulumi_oci as oci

oci.objectstorage.Bucket("b", compartment_id="ocid1.compartment.oc1..aaaaaaaaoracle", namespace="ns", name="b")
