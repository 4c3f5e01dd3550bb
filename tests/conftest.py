"""Suite-wide settings.

A policy pack without a `virtualenv` option runs, as under the Pulumi CLI, on PULUMI_PYTHON_CMD or `python3`
from PATH (residency_kit/engine/pack_interpreter.py). The test packs are such packs: the suite's own interpreter
stands in for the activated virtualenv a user would run them from, for the kit's own pack too (it names no
virtualenv: it runs on the Python the kit is installed in), and tests that check the PATH rule set their own
environment.
"""

import os
import sys

os.environ.setdefault("PULUMI_PYTHON_CMD", sys.executable)
