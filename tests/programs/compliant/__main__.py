"""A vault and a protected private bucket through the default provider, named from an invoke's answer."""

import pulumi
import pulumi_oci as oci

config = pulumi.Config()
compartment = config.require("compartment")
ads = oci.identity.get_availability_domains_output(compartment_id=compartment)
oci.kms.Vault("vault", compartment_id=compartment, display_name="vault", vault_type="VIRTUAL_PRIVATE")
oci.objectstorage.Bucket(
    "archive",
    compartment_id=compartment,
    name=ads.availability_domains[0].name.apply(lambda n: n.split(":")[0].lower() + "-archive"),
    namespace=oci.objectstorage.get_namespace_output(compartment_id=compartment).namespace,
    freeform_tags={"owner": "data-team"},
    opts=pulumi.ResourceOptions(protect=True),
)
