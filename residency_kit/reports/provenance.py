"""What produced an evidence file, so a record kept for years can be traced: the kit's version, each pack's
rules digest and content hash, and what was checked (the program's git commit, or the state file's digest).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class ProgramCommit:
    commit: str
    dirty: bool
    """The work tree had uncommitted changes: the commit alone does not reproduce what was checked."""

    def describe(self) -> str:
        return self.commit + (" (with uncommitted changes)" if self.dirty else "")


@dataclass(frozen=True)
class Provenance:
    kit_version: str
    rules_digests: tuple[tuple[str, str], ...] = ()
    """(pack, digest of the rules in force) per residency pack."""
    pack_hashes: tuple[tuple[str, str], ...] = ()
    program_commit: ProgramCommit | None = None
    program_note: str = ""
    """Why there is no commit (not a git repository, an audit, git not installed)."""
    state_digest: str = ""
    """An audit's state file, ``sha256:<hex>``."""

    def lines(self) -> list[tuple[str, str]]:
        """Labelled lines, the same in every report."""
        rows = [("kit", f"residency-kit {self.kit_version or 'unknown version'}")]
        rows += [(f"rules digest ({pack})", digest or "none") for pack, digest in self.rules_digests]
        rows += [(f"pack content ({pack})", digest or "unavailable") for pack, digest in self.pack_hashes]
        if self.program_commit is not None:
            rows.append(("program commit", self.program_commit.describe()))
        elif self.program_note:
            rows.append(("program commit", self.program_note))
        if self.state_digest:
            rows.append(("state file", self.state_digest))
        return rows

    def as_json(self) -> dict[str, object]:
        return {
            "kitVersion": self.kit_version,
            "rulesDigests": {pack: digest for pack, digest in self.rules_digests},
            "packContentHashes": {pack: digest for pack, digest in self.pack_hashes},
            "programCommit": self.program_commit.commit if self.program_commit else None,
            "programUncommittedChanges": self.program_commit.dirty if self.program_commit else None,
            "programNote": self.program_note or None,
            "stateFile": self.state_digest or None,
        }


def program_commit(directory: str | Path) -> tuple[ProgramCommit | None, str]:
    """``git rev-parse HEAD`` in ``directory``, and whether its work tree has changes; or a note saying why not."""
    git = shutil.which("git")
    if git is None:
        return None, "not recorded: git is not installed"
    path = Path(directory)
    if not path.is_dir():
        return None, f"not recorded: {path} is not a directory"
    try:
        head = subprocess.run([git, "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=GIT_TIMEOUT_SECONDS, check=False)
        if head.returncode != 0:
            return None, "not recorded: the program's directory is not in a git repository with a commit"
        status = subprocess.run([git, "-C", str(path), "status", "--porcelain", "--", "."], capture_output=True,
                                text=True, timeout=GIT_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return None, f"not recorded: git failed ({type(err).__name__})"
    return ProgramCommit(head.stdout.strip(), bool(status.stdout.strip())), ""


def file_digest(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"
