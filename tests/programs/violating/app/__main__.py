"""Explicit and default providers, a component, and an unknown: the tiny pack flags the public bucket."""

import pulumi
import pulumi_oci as oci

from storage import Storage

config = pulumi.Config()
frankfurt = oci.Provider("frankfurt", region="eu-frankfurt-1")

store = Storage("store", owner=config.require("owner"))
public = oci.objectstorage.Bucket(
    "public",
    compartment_id="ocid1.compartment.oc1..example",
    name="public",
    namespace=oci.objectstorage.get_namespace_output().namespace,
    access_type="ObjectRead",
    opts=pulumi.ResourceOptions(provider=frankfurt),
)
oci.objectstorage.Bucket(
    "named-after-public",
    compartment_id="ocid1.compartment.oc1..example",
    name=public.id,  # unknown during preview
    namespace="ns",
    opts=pulumi.ResourceOptions(protect=True),
)
pulumi.export("bucket", public.name)
