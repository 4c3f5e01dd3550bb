"""The kit's AWS components (the immutable S3 Object Lock copy of the backups).

They need ``pulumi-aws``, which is an optional part of the kit: install it with the kit's ``aws`` extra. An
OCI-only estate does without it.
"""

try:
    import pulumi_aws as _pulumi_aws  # noqa: F401 - imported only to fail here, with the fix, when it is missing
except ModuleNotFoundError as err:  # pragma: no cover - exercised in a virtualenv without the extra
    if err.name != "pulumi_aws":
        raise
    raise ModuleNotFoundError(
        "residency_kit.components.aws needs pulumi-aws, which is not installed: install the kit with its aws "
        "extra (pip install 'residency-kit[aws]', or add residency-kit[aws] to your project's dependencies)",
        name="pulumi_aws",
    ) from None
