import pulumi
import pulumi_aws as aws
import pulumi_oci as oci

from tests.policies.conftest import COMPARTMENT, flagged, judged, messages, urn

POLICY = "us-region-replication"
RP = "oci:ObjectStorage/replicationPolicy:ReplicationPolicy"
S3R = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"


def _s3_replication(name, source, destination_bucket):
    return aws.s3.BucketReplicationConfig(
        name,
        role="arn:aws:iam::111111111111:role/replication",
        bucket=source.id,
        rules=[
            aws.s3.BucketReplicationConfigRuleArgs(
                id="all",
                status="Enabled",
                destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(bucket=destination_bucket),
            )
        ],
    )


def test_compliant_copies_stay_in_allowed_regions(preview):
    def program():
        oci.objectstorage.ReplicationPolicy("rp", bucket="src", namespace="ns", name="rp", destination_bucket_name="dst", destination_region_name="us-phoenix-1")
        oci.core.Volume("vol", compartment_id=COMPARTMENT, availability_domain="Uocm:IAD-AD-1",
                        block_volume_replicas=[oci.core.VolumeBlockVolumeReplicaArgs(availability_domain="Uocm:PHX-AD-1")])
        aws.secretsmanager.Secret("sec", replicas=[aws.secretsmanager.SecretReplicaArgs(region="us-west-2")])
        src = aws.s3.Bucket("src")
        dst = aws.s3.Bucket("dst", opts=pulumi.ResourceOptions(provider=aws.Provider("west", region="us-west-2")))
        _s3_replication("s3rep", src, dst.arn)

    assert flagged(preview(program), POLICY) == set()


def test_foreign_copies_are_flagged(preview):
    def program():
        oci.objectstorage.ReplicationPolicy("rp-eu", bucket="src", namespace="ns", name="rp", destination_bucket_name="dst", destination_region_name="eu-frankfurt-1")
        oci.core.Volume("vol-eu", compartment_id=COMPARTMENT, availability_domain="Uocm:IAD-AD-1",
                        block_volume_replicas=[oci.core.VolumeBlockVolumeReplicaArgs(availability_domain="Uocm:FRA-AD-1")])
        oci.filestorage.Replication("fs-rep", compartment_id=COMPARTMENT, source_id="ocid1.filesystem.oc1.iad.aaaa",
                                    target_id="ocid1.filesystem.oc1.fra.bbbb")
        oci.identity.Domain("dom", compartment_id=COMPARTMENT, description="d", display_name="d", home_region="uk-london-1", license_type="free")
        aws.secretsmanager.Secret("sec-eu", replicas=[aws.secretsmanager.SecretReplicaArgs(region="eu-west-1")])
        src = aws.s3.Bucket("src")
        dst = aws.s3.Bucket("dst-eu", opts=pulumi.ResourceOptions(provider=aws.Provider("dublin", region="eu-west-1")))
        _s3_replication("s3rep-eu", src, dst.arn)
        _s3_replication("s3rep-outside", src, "arn:aws:s3:::somebody-elses-bucket")

    result = preview(program)
    assert flagged(result, POLICY) == {
        urn(RP, "rp-eu"),
        urn("oci:Core/volume:Volume", "vol-eu"),
        urn("oci:FileStorage/replication:Replication", "fs-rep"),
        urn("oci:Identity/domain:Domain", "dom"),
        urn("aws:secretsmanager/secret:Secret", "sec-eu"),
        urn(S3R, "s3rep-eu"),
        urn(S3R, "s3rep-outside"),
    }
    # Checkov-style: the resources the policy judged and passed, beside those it flagged
    assert judged(result, POLICY).passed == {
        urn("aws:s3/bucket:Bucket", "dst-eu"),
        urn("aws:s3/bucket:Bucket", "src"),
    }


def test_unknown_destination_region_fails_closed(preview):
    def program():
        seed = oci.identity.Compartment("seed", compartment_id=COMPARTMENT, description="d")
        oci.objectstorage.ReplicationPolicy("rp", bucket="src", namespace="ns", name="rp", destination_bucket_name="dst",
                                            destination_region_name=seed.id.apply(lambda _: "us-phoenix-1"))
        _s3_replication("s3rep", aws.s3.Bucket("src"), seed.id.apply(lambda _: "arn:aws:s3:::x"))

    result = preview(program)
    assert flagged(result, POLICY, level="mandatory") == {urn(RP, "rp"), urn(S3R, "s3rep")}
    assert all("cannot be verified at preview" in m for m in messages(result, POLICY))
