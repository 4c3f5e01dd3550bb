"""A pack that fails while loading, before it reports a port."""

import os
import pathlib

if os.environ.get("RESIDENCY_TEST_PID_DIR"):
    pathlib.Path(os.environ["RESIDENCY_TEST_PID_DIR"], f"pack-{os.getpid()}").touch()

raise RuntimeError("crashing pack: policy module failed to import")
