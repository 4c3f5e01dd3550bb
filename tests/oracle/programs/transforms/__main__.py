"""Transforms: a stack transform that tags every bucket, a resource transform, a legacy transformation."""
import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

COMP = "ocid1.compartment.oc1..aaaaaaaaoracle"


def tag_everything(args: pulumi.ResourceTransformArgs):
    if args.type_ == "oci:ObjectStorage/bucket:Bucket":
        props = {**args.props, "freeformTags": {"jurisdiction": "US"}}
        return pulumi.ResourceTransformResult(props=props, opts=args.opts)
    return None


def protect_it(args: pulumi.ResourceTransformArgs):
    return pulumi.ResourceTransformResult(props=args.props, opts=pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(protect=True)))


def legacy(args: pulumi.ResourceTransformationArgs):
    return pulumi.ResourceTransformationResult(props={**args.props, "tags": {"legacy": "yes"}}, opts=args.opts)


pulumi.runtime.register_resource_transform(tag_everything)
oci.objectstorage.Bucket("b", compartment_id=COMP, namespace="ns", name="b", opts=pulumi.ResourceOptions(transforms=[protect_it]))
aws.s3.Bucket("s", opts=pulumi.ResourceOptions(transformations=[legacy]))
