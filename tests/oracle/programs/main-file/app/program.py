"""main is a file: the working directory is its folder, and the folder is not on sys.path."""
import os

import pulumi_oci as oci

oci.objectstorage.Bucket("b", compartment_id="ocid1.compartment.oc1..aaaaaaaaoracle", namespace="ns",
                         name=os.path.basename(os.getcwd()))
