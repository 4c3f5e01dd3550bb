"""main is a file that imports a sibling module: under the language host the folder is not on sys.path."""
import names  # noqa: F401  (app/names.py)

import pulumi_oci as oci

oci.objectstorage.Bucket("b", compartment_id="ocid1.compartment.oc1..aaaaaaaaoracle", namespace="ns", name=names.BUCKET)
