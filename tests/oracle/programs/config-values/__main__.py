"""Structured, typed and defaulted config: what the program and the packs see as config text."""
import json

import pulumi
import pulumi_oci as oci

config = pulumi.Config()
settings = config.require_object("settings")
oci.objectstorage.Bucket("b", compartment_id="ocid1.compartment.oc1..aaaaaaaaoracle", namespace="ns", name="cfg",
                         freeform_tags={"owner": config.require("owner"), "limit": str(config.require_int("limit")),
                                        "flag": str(config.require_bool("flag")),
                                        "raw": config.require("settings"), "keys": ",".join(settings)})
pulumi.export("settings", json.dumps(settings))
