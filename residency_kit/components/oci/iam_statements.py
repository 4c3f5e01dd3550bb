"""OCI IAM policy statements for the residency roles, and the only cross-tenancy statements the kit writes.

Policies are attached to the tenancy (root compartment) and name compartments by path
(``us-residency:data``), so every statement is known at preview time and can be checked by the policy
pack before anything is created. Statements never use ``in tenancy``: each role is confined to the
residency compartments.

Cross-tenancy access (``Define`` / ``Endorse`` / ``Admit``) is written only for named groups of trusted
tenancies (for example an independent US oversight team), and only as read-only access to audit evidence.
A tenancy is never admitted as ``any-user``: that would let every principal of it in, including ones its
own administrators create later. Reading statements back (``is_cross_tenancy``, ``defined_tenancies``) is
``residency_policies.oci_iam_statements``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Role -> group-name suffix. Group names are prefixed with the residency root compartment name so that
# two estates (dev, prod) can share one tenancy without colliding on tenancy-unique group names.
ROLES: tuple[str, ...] = ("data-stewards", "network-admins", "security-auditors", "break-glass")

ROLE_DESCRIPTIONS: Mapping[str, str] = {
    "data-stewards": "Manage US data stores in the residency data compartment",
    "network-admins": "Manage the residency network compartment",
    "security-auditors": "Read-only review of the residency estate, its audit events and Cloud Guard findings",
    "break-glass": "Emergency administration of the residency compartments only (not the tenancy)",
}

def compartment_path(root: str, child: str | None = None) -> str:
    return f"{root}:{child}" if child else root


def group_names(root: str) -> dict[str, str]:
    return {role: f"{root}-{role}" for role in ROLES}


def role_statements(groups: Mapping[str, str], compartments: Mapping[str, str]) -> dict[str, list[str]]:
    """Least-privilege statements per role.

    ``compartments`` maps root, network, data, backup, security, audit to compartment names.
    """
    root = compartments["root"]
    data = compartment_path(root, compartments["data"])
    backup = compartment_path(root, compartments["backup"])
    network = compartment_path(root, compartments["network"])
    security = compartment_path(root, compartments["security"])
    audit = compartment_path(root, compartments["audit"])
    g = groups
    return {
        "data-stewards": [
            f"Allow group {g['data-stewards']} to manage object-family in compartment {data}",
            f"Allow group {g['data-stewards']} to manage database-family in compartment {data}",
            f"Allow group {g['data-stewards']} to manage volume-family in compartment {data}",
            f"Allow group {g['data-stewards']} to manage file-family in compartment {data}",
            # Restores read from the backup compartment; writing backups is the backup service's job.
            f"Allow group {g['data-stewards']} to read object-family in compartment {backup}",
            # Attach the residency master key to data stores without being able to manage or read it.
            f"Allow group {g['data-stewards']} to use key-delegate in compartment {security}",
            f"Allow group {g['data-stewards']} to read vaults in compartment {security}",
            f"Allow group {g['data-stewards']} to use virtual-network-family in compartment {network}",
        ],
        "network-admins": [
            f"Allow group {g['network-admins']} to manage virtual-network-family in compartment {network}",
            f"Allow group {g['network-admins']} to manage load-balancers in compartment {network}",
            f"Allow group {g['network-admins']} to manage network-firewall-family in compartment {network}",
        ],
        "security-auditors": [
            f"Allow group {g['security-auditors']} to inspect all-resources in compartment {root}",
            f"Allow group {g['security-auditors']} to read audit-events in compartment {root}",
            f"Allow group {g['security-auditors']} to read cloud-guard-family in compartment {root}",
            f"Allow group {g['security-auditors']} to read all-resources in compartment {audit}",
            f"Allow group {g['security-auditors']} to read vaults in compartment {security}",
            f"Allow group {g['security-auditors']} to read keys in compartment {security}",
        ],
        "break-glass": [
            f"Allow group {g['break-glass']} to manage all-resources in compartment {root}",
        ],
    }


@dataclass(frozen=True)
class TrustedGroup:
    """A group of another tenancy: ``group_ocid`` is a group OCID of ``tenancy_ocid``."""

    tenancy_ocid: str
    group_ocid: str


def tenancy_alias(index: int) -> str:
    return f"TrustedTenancy{index + 1}"


def group_alias(index: int) -> str:
    return f"TrustedAuditors{index + 1}"


def trusted_tenancy_statements(groups: Sequence[TrustedGroup], trusted_tenancy_ocids: Sequence[str],
                               compartments: Mapping[str, str]) -> list[str]:
    """Read-only audit-evidence access for the named groups of trusted tenancies; nothing for anyone else.

    OCI ("Cross-Tenancy Access Policies") needs the ``Define`` of both the tenancy and the group in the same
    policy as the ``Admit`` that uses their aliases; the other tenancy must also ``Endorse`` its group.
    Groups of tenancies outside ``trusted_tenancy_ocids`` are skipped (the component refuses them earlier).
    """
    root = compartments["root"]
    audit = compartment_path(root, compartments["audit"])
    trusted = set(trusted_tenancy_ocids)
    by_tenancy: dict[str, list[str]] = {}
    for group in groups:
        if group.tenancy_ocid in trusted and group.group_ocid not in by_tenancy.get(group.tenancy_ocid, []):
            by_tenancy.setdefault(group.tenancy_ocid, []).append(group.group_ocid)
    statements: list[str] = []
    group_index = 0
    for tenancy_index, (tenancy_ocid, group_ocids) in enumerate(by_tenancy.items()):
        t_alias = tenancy_alias(tenancy_index)
        statements.append(f"Define tenancy {t_alias} as {tenancy_ocid}")
        for group_ocid in group_ocids:
            g_alias = group_alias(group_index)
            group_index += 1
            statements += [
                f"Define group {g_alias} as {group_ocid}",
                f"Admit group {g_alias} of tenancy {t_alias} to read audit-events in compartment {root}",
                f"Admit group {g_alias} of tenancy {t_alias} to read all-resources in compartment {audit}",
            ]
    return statements
