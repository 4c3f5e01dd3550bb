"""us-keys-for-data: data stores use a customer-managed key held in an allowed region, inside the estate.

Which types and which inputs: the generated ``data/data_bearing_types.txt`` (every SDK type with an
encryption-key input, ~280; see ``analysis/data_bearing_types.py``). Four concerns, each judged in its own
analysis module:

* **where a key is held** (``analysis/key_locations.py``): every key given, on any keyed type, is held in an
  allowed region inside the estate. A literal OCI key OCID names the vault's region
  (``ocid1.key.oc1.iad...``); a literal AWS key ARN names region and account. A key id produced by a resource of
  this stack is unknown at preview; the stack phase follows the property dependency to the key resource, whose
  region ``us-region-providers`` judges. One mistake, one violation: a key in the very region already reported
  for its store is part of that finding.
* **keys held outside the estate** (``analysis/external_keys.py``): external key managers (OCI external vaults /
  EKM, AWS XKS key stores) and ADB keys in AWS / Azure / GCP / OKV.
* **the key a store must have** (``analysis/required_keys.py``): the curated stores of user data (queues, topics,
  streams, log groups, secrets, registries, databases, file systems, EBS devices of instances and launch
  templates, EKS/OKE secrets, SSM SecureString parameters, Firehose Direct PUT streams, ...) name one
  (``required``) and every block present at a list path carries its own (``each``), under the store's
  conditions (``when`` / ``unless``).
* **keys set elsewhere in the stack** (``analysis/key_joins.py``): an AWS bucket's
  ``BucketServerSideEncryptionConfiguration``, and EBS encryption by default with a ``DefaultKmsKey`` in the
  same region, which covers every EBS volume (instance disks, launch templates) created without a key.
* **data put at rest by resources that take no key of their own** (``analysis/unkeyed_storage.py``, generated
  from the SDK schemas): the EBS volumes of launch configurations and EKS managed node groups (only EBS encryption
  by default, or a node group's launch template, can key them), and jobs and clusters whose keys live in a
  security configuration (Glue jobs, crawlers, dev endpoints; EMR clusters), which must name one of the stack's,
  encrypting everything it writes with KMS keys.
* **identity stores without a customer key** (``analysis/identity_stores.py``): a Cognito user pool keeps US
  users' identities under a key AWS owns and no input can replace; this is **advisory** (there is no fix inside
  Cognito: keep identities in a store that takes a customer key, or waive it with the reason).
"""

from __future__ import annotations

from collections.abc import Iterator

from residency_policies.compliance import RESIDENCY
from residency_policies.analysis.data_bearing_types import DATA_BEARING_TYPES, KEYED_TYPES
from residency_policies.analysis import identity_stores
from residency_policies.analysis import unkeyed_storage as unkeyed
from residency_policies.analysis.external_keys import EXTERNAL_KEY_TYPES, external_key_findings
from residency_policies.analysis.key_joins import bucket_key_findings, covered_by_ebs_default, ebs_default_key_regions
from residency_policies.analysis.key_locations import judge_key, key_resource_findings, reported_region
from residency_policies.analysis.required_keys import missing_keys
from residency_policies.framework import Finding, ResourceView, StackView, resource_policy
from residency_policies.provider_regions import cloud_of_type
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, walk


def _unkeyed(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    if resource.type in unkeyed.JOB_TYPES:
        yield from unkeyed.missing_configurations(resource)
    if resource.type == unkeyed.GLUE_CONFIGURATION:
        yield from unkeyed.glue_configuration_findings(resource)
    if resource.type == unkeyed.EMR_CONFIGURATION:
        yield from unkeyed.emr_configuration_findings(resource)
        for where, value in unkeyed.emr_configuration_keys(resource):
            yield from (Finding(p) for p in judge_key(where, value, "aws", rules, reported_region(resource, rules)))
    yield from identity_stores.key_findings(resource)


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    yield from external_key_findings(resource)
    yield from _unkeyed(resource, rules)
    spec = DATA_BEARING_TYPES.get(resource.type)
    if spec is None:
        return
    cloud, covered = cloud_of_type(resource.type), reported_region(resource, rules)
    for path in spec.key_paths:
        for where, value in walk(resource.props, path):
            for problem in judge_key(where, value, cloud, rules, covered):
                yield Finding(problem)
    # Keys that may come from elsewhere in the stack (an S3 encryption resource, an EBS default key) are
    # judged in the stack phase.
    if spec.needs_key and not spec.ebs_default and not spec.separate_sse:
        yield from missing_keys(resource, spec)


def check_stack(resources: StackView, rules: Rules) -> Iterator[Finding]:
    by_urn = resources.by_urn
    ebs_default_regions = ebs_default_key_regions(resources)
    for r in resources:
        if r.type in unkeyed.VOLUME_TYPES:
            yield from unkeyed.volume_findings(r, covered_by_ebs_default(r, ebs_default_regions))
        if r.type in unkeyed.JOB_TYPES:
            yield from unkeyed.configuration_references(r, resources)
        spec = DATA_BEARING_TYPES.get(r.type)
        if spec is None:
            continue
        for path in spec.key_paths:  # keys created in this stack: follow the dependency to the key
            top = path.split(".")[0].split("[")[0]
            for where, value in walk(r.props, path):
                if is_unknown(value):
                    yield from key_resource_findings(r, where, r.property_dependencies.get(top, ()), by_urn)
        if spec.separate_sse:
            yield from bucket_key_findings(r, spec, resources, by_urn, rules)
        elif spec.ebs_default and spec.needs_key and not covered_by_ebs_default(r, ebs_default_regions):
            for finding in missing_keys(r, spec):
                yield Finding(finding.message, urn=r.urn, unverifiable=finding.unverifiable, path=finding.path)


POLICY = resource_policy(
    name="us-keys-for-data",
    description="Data stores are encrypted with a customer-managed key held in an allowed (US) region, inside the estate.",
    severity="high",
    remediation=(
        "Create a key in an OCI Vault / AWS KMS in an allowed region (in this stack, or reference it by OCID/ARN) and "
        "set the store's key input named in the message (kmsKeyId, kmsMasterKeyId, an encryption block, every EBS "
        "device's kmsKeyId; AWS buckets: a BucketServerSideEncryptionConfiguration with kmsMasterKeyId; EBS: or an "
        "EncryptionByDefault with a DefaultKmsKey; SSM SecureString parameters: keyId; Firehose Direct PUT streams: "
        "serverSideEncryption with keyType CUSTOMER_MANAGED_CMK and keyArn; launch configurations and EKS node groups: "
        "EBS encryption by default with a DefaultKmsKey, or a launch template naming kmsKeyId; Glue jobs, crawlers and "
        "EMR clusters: a security configuration of this stack encrypting with KMS keys); do not use external key "
        "managers, AWS-managed keys or keys of the parent company."
    ),
    tags=["encryption", "keys", "residency"],
    framework=RESIDENCY.control("KEY-1"),
    resource_types=KEYED_TYPES | EXTERNAL_KEY_TYPES | {t for t, d in DATA_BEARING_TYPES.items() if d.needs_key or d.separate_sse}
    | unkeyed.JOB_TYPES | {unkeyed.GLUE_CONFIGURATION, unkeyed.EMR_CONFIGURATION} | identity_stores.KEYLESS_STORES,
    check=check,
    stack_check=check_stack,
)
