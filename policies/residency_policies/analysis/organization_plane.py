"""The OCI resources of the organization plane: their ``compartmentId`` is the tenancy an organization acts from
(the tenancy a child is created under, the tenancy a subscription is assigned to), not the compartment the
resource is placed in. ``estate-organization`` judges it; ``estate-deploy-targets`` leaves it (one violation)."""

CHILD_TENANCY = "oci:Tenantmanagercontrolplane/childTenancy:ChildTenancy"
SUBSCRIPTION_MAPPING = "oci:Tenantmanagercontrolplane/subscriptionMapping:SubscriptionMapping"
ORGANIZATION_TYPES = frozenset({CHILD_TENANCY, SUBSCRIPTION_MAPPING})
