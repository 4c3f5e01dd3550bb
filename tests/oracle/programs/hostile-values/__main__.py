"""Hostile but valid values: unicode names, control characters, deep nesting, large strings, odd numbers."""
import pulumi_aws as aws
import pulumi_oci as oci

deep = {"level": "0"}
for i in range(1, 30):
    deep = {"level": str(i), "child": deep}
oci.objectstorage.Bucket("bücket-ünïcode-☃", compartment_id="ocid1.compartment.oc1..aaaaaaaaoracle", namespace="ns",
                         name="n\u00e9\t\n", metadata={"big": "x" * 100_000, "quote": "\"'\\", "empty": ""},
                         freeform_tags={"": "empty-key", "k": " "})
aws.s3.Bucket("numbers", tags={"n": "1e400", "neg": "-0"}, force_destroy=False)
aws.dynamodb.Table("deep", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], hash_key="id",
                   billing_mode="PAY_PER_REQUEST", tags={"deep": str(deep)[:2000]})
