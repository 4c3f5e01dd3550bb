"""A pack that never prints its port and starts a grandchild, to check the whole process group is stopped."""

import os
import pathlib
import subprocess
import time

child = subprocess.Popen(["sleep", "300"])
if os.environ.get("RESIDENCY_TEST_PID_DIR"):
    pid_dir = pathlib.Path(os.environ["RESIDENCY_TEST_PID_DIR"])
    (pid_dir / f"pack-{os.getpid()}").touch()
    (pid_dir / f"grandchild-{child.pid}").touch()
time.sleep(300)
