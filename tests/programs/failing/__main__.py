"""A program that raises while registering resources."""

import os
import pathlib

import pulumi_oci as oci

if os.environ.get("RESIDENCY_TEST_PID_DIR"):
    pathlib.Path(os.environ["RESIDENCY_TEST_PID_DIR"], f"program-{os.getpid()}").touch()


def bucket_name(index: int) -> str:
    raise ValueError(f"no name for bucket {index}")


oci.objectstorage.Bucket("b", compartment_id="c", name=bucket_name(1), namespace="ns")
