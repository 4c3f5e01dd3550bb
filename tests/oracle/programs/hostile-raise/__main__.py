"""A program that registers resources and then raises: the preview fails, nothing is analyzed as complete."""
import pulumi_oci as oci

oci.objectstorage.Bucket("before", compartment_id="ocid1.compartment.oc1..aaaaaaaaoracle", namespace="ns", name="x")
raise RuntimeError("the program failed half way")
