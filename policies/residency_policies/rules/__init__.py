"""One policy per module; each exposes ``POLICY`` (built with ``framework.resource_policy`` / ``stack_policy``)."""
