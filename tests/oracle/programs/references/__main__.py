"""Resource references: ids, URNs and whole resources passed as inputs, components as references, depends_on."""
import json

import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

COMP = "ocid1.compartment.oc1..aaaaaaaaoracle"


class Holder(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("oracle:test:Holder", name, None, opts)
        self.vault = oci.kms.Vault(f"{name}-vault", compartment_id=COMP, display_name="v", vault_type="DEFAULT",
                                   opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"vaultId": self.vault.id})


holder = Holder("holder")
key = oci.kms.Key("key", compartment_id=COMP, display_name="k", management_endpoint=holder.vault.management_endpoint,
                  key_shape=oci.kms.KeyKeyShapeArgs(algorithm="AES", length=32))
bucket = oci.objectstorage.Bucket("bucket", compartment_id=COMP, namespace="ns", name="data", kms_key_id=key.id,
                                  opts=pulumi.ResourceOptions(depends_on=[holder]))
s3 = aws.s3.Bucket("s3")
aws.s3.BucketPolicy("policy", bucket=s3.id, policy=s3.arn.apply(lambda arn: json.dumps(
    {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{arn}/*"}]})))
aws.s3.BucketPublicAccessBlock("pab", bucket=s3.bucket, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True,
                               opts=pulumi.ResourceOptions(depends_on=[s3]))
pulumi.export("bucketName", bucket.name)
pulumi.export("holder", holder)
