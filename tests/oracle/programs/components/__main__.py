"""Components: nested components, children with parent=, providers= maps, register_outputs."""
import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

COMP = "ocid1.compartment.oc1..aaaaaaaaoracle"


class Inner(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("oracle:test:Inner", name, {"note": "in"}, opts)
        self.bucket = oci.objectstorage.Bucket(f"{name}-bucket", compartment_id=COMP, namespace="ns", name=name,
                                               opts=pulumi.ResourceOptions(parent=self))
        self.s3 = aws.s3.Bucket(f"{name}-s3", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"bucketName": self.bucket.name})


class Outer(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("oracle:test:Outer", name, None, opts)
        self.inner = Inner(f"{name}-inner", pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


Outer("plain")
Outer("phx", pulumi.ResourceOptions(providers={"oci": oci.Provider("oci-phx", region="us-phoenix-1"),
                                               "aws": aws.Provider("aws-west", region="us-west-2")}))
Inner("no-outputs-yet", pulumi.ResourceOptions(provider=oci.Provider("oci-sj", region="us-sanjose-1")))
