"""The residency policy pack directory, installed with the kit as the package ``residency_policy_pack``.

This directory is a complete pack (PulumiPolicy.yaml, __main__.py, residency.yaml, requirements.txt and the
``residency_policies`` package), and the kit ships all of it as package data, so an installed kit, editable
or not, can run the pack it was built with: ``residency_policy_pack.PACK_DIR``. Importing this module has no
other effect; the engine runs the pack with ``python -m pulumi.policy <engine> <PACK_DIR>``, which runs
``__main__.py`` and never this file.
"""

from pathlib import Path

PACK_DIR: Path = Path(__file__).resolve().parent
