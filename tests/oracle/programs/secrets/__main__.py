"""Secrets: secret inputs, secret outputs, additional_secret_outputs, a secret provider setting."""
import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

COMP = "ocid1.compartment.oc1..aaaaaaaaoracle"
secret_name = pulumi.Output.secret("secret-bucket")
oci.objectstorage.Bucket("b", compartment_id=COMP, namespace="ns", name=secret_name,
                         freeform_tags={"owner": pulumi.Output.secret("team")},
                         opts=pulumi.ResourceOptions(additional_secret_outputs=["etag"]))
p = aws.Provider("p", region="us-east-1", secret_key=pulumi.Output.secret("not-a-real-key"), access_key="AKIAEXAMPLE",
                 skip_credentials_validation=True)
aws.ssm.Parameter("param", type="SecureString", value=pulumi.Output.secret("v"), opts=pulumi.ResourceOptions(provider=p))
pulumi.export("secretOut", pulumi.Output.secret("s"))
