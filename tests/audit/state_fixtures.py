"""Realistic `pulumi stack export` documents (deployment version 3) for the audit tests.

Shaped after pulumi/pulumi ``apitype.UntypedDeployment`` / ``DeploymentV3`` / ``ResourceV3``: a manifest,
a passphrase secrets provider, the root Stack, explicit OCI providers per region (``<urn>::<uuid>`` provider
references), compartments, buckets and a replication policy with their provider-normalized inputs and
outputs (ids, etags, timestamps), parents, protection, dependencies and property dependencies. Identifiers
are illustrative.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

STACK = "us-prod"
PROJECT = "us-data-residency"
TENANCY = "ocid1.tenancy.oc1..aaaaaaaausdataexample0000000000000000000000000000000000000"
NAMESPACE = "axaxnpcrorw5"
DATA_COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaadatacompartmentexample00000000000000000000000000"
BACKUP_COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaabackupcompartmentexample000000000000000000000000"
HOME_KEY = "ocid1.key.oc1.iad.bbqexampleaaaa.abuwcljrhomekeyexample0000000000000000000000000000000000"
BACKUP_KEY = "ocid1.key.oc1.phx.bbqexamplebbbb.abyhqljrbackupkeyexample00000000000000000000000000000000"
SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
TAGS = {"jurisdiction": "US", "data-owner": "us-data-team"}
CREATED = "2026-10-02T14:03:11.482913Z"


def urn(type_: str, name: str, parent_type: str = "") -> str:
    qualified = f"{parent_type}${type_}" if parent_type else type_
    return f"urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}"


STACK_URN = urn("pulumi:pulumi:Stack", f"{PROJECT}-{STACK}")
HOME_PROVIDER = urn("pulumi:providers:oci", "oci-home")
BACKUP_PROVIDER = urn("pulumi:providers:oci", "oci-backup")
HOME_PROVIDER_REF = f"{HOME_PROVIDER}::4b0f5a1e-2f7c-4d55-9d9e-3c1b8e0a7f21"
BACKUP_PROVIDER_REF = f"{BACKUP_PROVIDER}::9a7c3e52-61d0-4e8b-b3a4-0c5d2f1e6b84"
COMPONENT_TYPE = "residency:oci:RegionLockedBackup"
COMPONENT = urn(COMPONENT_TYPE, "us-data")
DATA_COMPARTMENT_URN = urn("oci:Identity/compartment:Compartment", "us-residency-data")
BUCKET = urn("oci:ObjectStorage/bucket:Bucket", "us-data-bucket", COMPONENT_TYPE)
REPLICA = urn("oci:ObjectStorage/bucket:Bucket", "us-data-replica", COMPONENT_TYPE)
REPLICATION = urn("oci:ObjectStorage/replicationPolicy:ReplicationPolicy", "us-data-replication", COMPONENT_TYPE)


def _provider(name: str, region: str, uuid: str) -> dict[str, Any]:
    props = {"region": region, "tenancyOcid": TENANCY, "version": "5.5.0"}  # the kit pins the estate tenancy
    return {
        "urn": urn("pulumi:providers:oci", name),
        "custom": True,
        "id": uuid,
        "type": "pulumi:providers:oci",
        "inputs": dict(props),
        "outputs": dict(props),
        "parent": STACK_URN,
        "created": CREATED,
        "modified": CREATED,
    }


def _bucket(resource_urn: str, name: str, *, provider_ref: str, compartment: str, key: str, region_code: str,
            retention_days: int | None = None) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "accessType": "NoPublicAccess",
        "autoTiering": "Disabled",
        "compartmentId": compartment,
        "freeformTags": dict(TAGS),
        "kmsKeyId": key,
        "name": name,
        "namespace": NAMESPACE,
        "objectEventsEnabled": True,
        "storageTier": "Standard",
        "versioning": "Enabled",
    }
    if retention_days is not None:
        inputs["retentionRules"] = [
            {
                "displayName": f"{name}-retention",
                "duration": {"timeAmount": str(retention_days), "timeUnit": "DAYS"},
                "timeRuleLocked": "2026-10-16T00:00:00Z",
            }
        ]
    outputs = {
        **copy.deepcopy(inputs),
        "approximateCount": "0",
        "approximateSize": "0",
        "bucketId": f"ocid1.bucket.oc1.{region_code}.aaaaaaaa{name.replace('-', '')}example",
        "createdBy": "ocid1.user.oc1..aaaaaaaadeployerexample",
        "definedTags": {},
        "etag": "2c4d9e51-7a3f-4a62-8b1e-5f0c9d3e7a10",
        "id": f"n/{NAMESPACE}/b/{name}",
        "isReadOnly": False,
        "metadata": {},
        "objectLifecyclePolicyEtag": "",
        "replicationEnabled": False,
        "timeCreated": "2026-10-02T14:04:02.117Z",
    }
    if retention_days is not None:
        outputs["retentionRules"][0].update(
            {"retentionRuleId": "bd3f0c1e-0e5a-4c8f-9f0d-7b6a5c4d3e2f", "timeCreated": "2026-10-02T14:04:05Z",
             "timeModified": "2026-10-02T14:04:05Z"}
        )
    return {
        "urn": resource_urn,
        "custom": True,
        "id": f"n/{NAMESPACE}/b/{name}",
        "type": "oci:ObjectStorage/bucket:Bucket",
        "inputs": inputs,
        "outputs": outputs,
        "parent": COMPONENT,
        "protect": True,
        "provider": provider_ref,
        "dependencies": [DATA_COMPARTMENT_URN] if compartment == DATA_COMPARTMENT else [],
        "propertyDependencies": {"compartmentId": [DATA_COMPARTMENT_URN]} if compartment == DATA_COMPARTMENT else {},
        "created": CREATED,
        "modified": CREATED,
    }


def compliant_export() -> dict[str, Any]:
    """A deployed, compliant stack: home bucket in Ashburn replicating to a locked replica in Phoenix."""
    replication_inputs = {
        "bucket": "us-data-bucket",
        "destinationBucketName": "us-data-replica",
        "destinationRegionName": "us-phoenix-1",
        "name": "us-data-to-phoenix",
        "namespace": NAMESPACE,
    }
    resources = [
        {
            "urn": STACK_URN,
            "custom": False,
            "type": "pulumi:pulumi:Stack",
            "outputs": {"backupRegion": "us-phoenix-1", "homeRegion": "us-ashburn-1", "jurisdiction": "US"},
            "created": CREATED,
            "modified": CREATED,
        },
        _provider("oci-home", "us-ashburn-1", HOME_PROVIDER_REF.rsplit("::", 1)[1]),
        _provider("oci-backup", "us-phoenix-1", BACKUP_PROVIDER_REF.rsplit("::", 1)[1]),
        {
            "urn": DATA_COMPARTMENT_URN,
            "custom": True,
            "id": DATA_COMPARTMENT,
            "type": "oci:Identity/compartment:Compartment",
            "inputs": {
                "compartmentId": TENANCY,
                "description": "US user data",
                "enableDelete": False,
                "freeformTags": dict(TAGS),
                "name": "us-residency-data",
            },
            "outputs": {
                "compartmentId": TENANCY,
                "definedTags": {},
                "description": "US user data",
                "enableDelete": False,
                "freeformTags": dict(TAGS),
                "id": DATA_COMPARTMENT,
                "inactiveState": "0",
                "isAccessible": True,
                "name": "us-residency-data",
                "state": "ACTIVE",
                "timeCreated": "2026-10-02T14:03:40.001Z",
            },
            "parent": STACK_URN,
            "protect": True,
            "provider": HOME_PROVIDER_REF,
            "created": CREATED,
            "modified": CREATED,
        },
        {
            "urn": COMPONENT,
            "custom": False,
            "type": COMPONENT_TYPE,
            "outputs": {"bucketName": "us-data-bucket", "replicaName": "us-data-replica"},
            "parent": STACK_URN,
            "created": CREATED,
            "modified": CREATED,
        },
        _bucket(BUCKET, "us-data-bucket", provider_ref=HOME_PROVIDER_REF, compartment=DATA_COMPARTMENT, key=HOME_KEY,
                region_code="iad"),
        _bucket(REPLICA, "us-data-replica", provider_ref=BACKUP_PROVIDER_REF, compartment=BACKUP_COMPARTMENT,
                key=BACKUP_KEY, region_code="phx", retention_days=365),
        {
            "urn": REPLICATION,
            "custom": True,
            "id": f"n/{NAMESPACE}/b/us-data-bucket/replicationPolicies/ocid1.replicationpolicy.oc1.iad.aaaaexample",
            "type": "oci:ObjectStorage/replicationPolicy:ReplicationPolicy",
            "inputs": dict(replication_inputs),
            "outputs": {
                **replication_inputs,
                "id": f"n/{NAMESPACE}/b/us-data-bucket/replicationPolicies/ocid1.replicationpolicy.oc1.iad.aaaaexample",
                "status": "ACTIVE",
                "statusMessage": "",
                "timeCreated": "2026-10-02T14:04:30.512Z",
                "timeLastSync": "2026-11-28T23:10:00.000Z",
            },
            "parent": COMPONENT,
            "protect": True,
            "provider": HOME_PROVIDER_REF,
            "dependencies": [BUCKET, REPLICA],
            "propertyDependencies": {"bucket": [BUCKET], "destinationBucketName": [REPLICA]},
            "created": CREATED,
            "modified": CREATED,
        },
    ]
    return {
        "version": 3,
        "deployment": {
            "manifest": {
                "time": "2026-11-28T23:12:44.908117Z",
                "magic": "1b3a0e9a3bd2ad4b8a8fd3ab7ee1f1ee6c6d0a9e2d5f4c1e2a9b8c7d6e5f4a3b",
                "version": "v3.272.0",
            },
            "secrets_providers": {
                "type": "passphrase",
                "state": {"salt": "v1:hWq2Vn0Hc1M=:v1:R8yB3xkq1dGq0aVx:Zp1lbW9WcV0VQkJt0pM4sE9jdm6Q4A=="},
            },
            "resources": resources,
        },
    }


def resource(document: dict[str, Any], resource_urn: str) -> dict[str, Any]:
    for r in document["deployment"]["resources"]:
        if r["urn"] == resource_urn:
            return r
    raise KeyError(resource_urn)


def drift(document: dict[str, Any], resource_urn: str, changes: dict[str, Any], *, refreshed: bool = True) -> None:
    """A change made outside Pulumi: the live value shows in outputs; after `pulumi refresh` in inputs too."""
    r = resource(document, resource_urn)
    r["outputs"].update(copy.deepcopy(changes))
    if refreshed:
        r["inputs"].update(copy.deepcopy(changes))
    r["modified"] = "2026-11-28T23:12:40.000000Z"


def write(document: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(document, indent=4))
    return path
