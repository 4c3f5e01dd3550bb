import pulumi_oci as oci


def make():
    oci.objectstorage.Bucket("b", compartment_id="ocid1.compartment.oc1..aaaaaaaaoracle", namespace="ns", name="dir")
