"""A read (.get) of an existing resource next to a created one: reads are not analyzed."""
import pulumi_oci as oci

existing = oci.objectstorage.Bucket.get("existing", "n/ns/b/existing")
oci.objectstorage.Bucket("new", compartment_id="ocid1.compartment.oc1..aaaaaaaaoracle", namespace="ns", name="new",
                         kms_key_id=existing.kms_key_id)
