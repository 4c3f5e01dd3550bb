"""Invokes: answered ones with and without explicit providers, filters, and one the engines cannot answer."""
import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

COMP = "ocid1.compartment.oc1..aaaaaaaaoracle"
phx = oci.Provider("phx", region="us-phoenix-1")
ns = oci.objectstorage.get_namespace(compartment_id=COMP)
ads = oci.identity.get_availability_domains(compartment_id=COMP, opts=pulumi.InvokeOptions(provider=phx))
services = oci.core.get_services(filters=[oci.core.GetServicesFilterArgs(name="name", values=["All .* Services In Oracle Services Network"], regex=True)])
ident = aws.get_caller_identity()
west = aws.Provider("west", region="us-west-2")
region = aws.get_region(opts=pulumi.InvokeOptions(provider=west))
out = oci.identity.get_compartments_output(compartment_id=COMP)
oci.objectstorage.Bucket("b", compartment_id=COMP, namespace=ns.namespace, name=ads.availability_domains[0].name,
                         freeform_tags={"service": services.services[0].cidr_block}, opts=pulumi.ResourceOptions(provider=phx))
aws.s3.Bucket("s", bucket=f"data-{ident.account_id}-{region.name}", opts=pulumi.ResourceOptions(provider=west))
oci.objectstorage.Bucket("from-unanswered", compartment_id=COMP, namespace="ns",
                         name=out.apply(lambda r: str(len(r.compartments or []))))
