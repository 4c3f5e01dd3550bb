"""The ``pulumi config set`` commands the pack's messages suggest: one builder, so every command is well-formed.

A key with a path (``aws:allowedAccountIds[0]``, ``aws:assumeRoles[0].roleArn``) needs ``--path``; every
argument is shell-quoted only where the shell needs it (``'aws:allowedAccountIds[0]'``), so a command copied
from a message runs as written. Values are the exact ones to set where the rules name them (an estate account,
an allowed region); placeholders are upper-case words (``ESTATE_ACCOUNT_ID``), never ``<...>``, which a
shell would read as a redirection.
"""

from __future__ import annotations

import re
import shlex

_PATH = re.compile(r"[\[.]")


def config_set(key: str, value: str) -> str:
    """``pulumi config set [--path] <key> <value>`` for one stack-config key (``<namespace>:<name>[path]``)."""
    namespace, _, name = key.partition(":")
    path = ["--path"] if _PATH.search(name) else []
    return " ".join(shlex.quote(a) for a in ("pulumi", "config", "set", *path, key, value))


def one_of(commands: list[str]) -> str:
    """Backticked commands, joined as alternatives (``a`` or ``b``)."""
    return " or ".join(f"`{c}`" for c in commands)
