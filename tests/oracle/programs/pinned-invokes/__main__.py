"""Pinned invoke answers (residency-invokes.yaml) beside made-up ones: pins win field by field, a call whose
arguments do not match keeps the offline answer, and made-up values are the same in both engines."""
import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

COMP = "ocid1.compartment.oc1..aaaaaaaaoracle"
pinned_vpc = aws.ec2.get_vpc(default=True)
other_vpc = aws.ec2.get_vpc(tags={"team": "data"})  # args differ from the pin: the offline answer
aws.ec2.Subnet("pinned", vpc_id=pinned_vpc.id, cidr_block=pinned_vpc.cidr_block)
aws.ec2.Subnet("assumed", vpc_id=other_vpc.id, cidr_block="10.21.1.0/24")
ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"])
aws.ec2.Instance("vm", ami=ami.id, instance_type="t3.micro", subnet_id=other_vpc.id)

ns = oci.objectstorage.get_namespace(compartment_id=COMP)
images = oci.core.get_images(compartment_id=COMP, operating_system="Oracle Linux")
oci.objectstorage.Bucket("b", compartment_id=COMP, namespace=ns.namespace, name="data",
                         freeform_tags={"image": images.images[1].id, "second": images.images[2].display_name})
again = oci.core.get_images(compartment_id=COMP, operating_system="Oracle Linux")  # the same lookup again
oci.objectstorage.Bucket("again", compartment_id=COMP, namespace=ns.namespace, name="again",
                         freeform_tags={"image": again.images[1].id})
pulumi.export("vpc", pinned_vpc.id)
