"""A component with protected children, to exercise nested URNs and parent types."""

import pulumi
import pulumi_oci as oci


class Storage(pulumi.ComponentResource):
    def __init__(self, name: str, owner: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("testkit:storage:Storage", name, None, opts)
        self.bucket = oci.objectstorage.Bucket(
            f"{name}-bucket",
            compartment_id="ocid1.compartment.oc1..example",
            name=f"{name}-bucket",
            namespace="ns",
            freeform_tags={"owner": owner},
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.register_outputs({})
