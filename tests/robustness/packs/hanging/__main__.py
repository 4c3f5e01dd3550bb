"""A pack that loads and answers the load-time RPCs, then hangs inside its first Analyze."""

import os
import pathlib
import time

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def _hang(args, report_violation):
    time.sleep(3600)


if os.environ.get("RESIDENCY_TEST_PID_DIR"):
    pathlib.Path(os.environ["RESIDENCY_TEST_PID_DIR"], f"pack-{os.getpid()}").touch()

PolicyPack(
    name="hanging",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[ResourceValidationPolicy(name="hang", description="Never returns.", validate=_hang)],
)
