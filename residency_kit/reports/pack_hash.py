"""A content hash of a policy pack directory, so an auditor can tell exactly which pack produced a report."""

from __future__ import annotations

import hashlib
from pathlib import Path

# Environments and caches differ between machines without changing what the pack enforces.
EXCLUDED_DIRS = frozenset({"venv", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", "node_modules"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")


def pack_files(pack_dir: Path) -> list[Path]:
    """Every file that counts towards the hash, as paths relative to ``pack_dir``, sorted."""
    pack_dir = Path(pack_dir)
    files: list[Path] = []
    for path in pack_dir.rglob("*"):
        rel = path.relative_to(pack_dir)
        if any(part in EXCLUDED_DIRS for part in rel.parts):
            continue
        if path.is_file() and not path.name.endswith(EXCLUDED_SUFFIXES):
            files.append(rel)
    return sorted(files, key=lambda p: p.as_posix())


def pack_content_hash(pack_dir: Path) -> str:
    """``sha256:<hex>`` over each file's relative POSIX path and contents, in sorted path order.

    Each entry is length-prefixed so that moving bytes between a name and a body changes the hash.
    """
    digest = hashlib.sha256()
    for rel in pack_files(pack_dir):
        name = rel.as_posix().encode()
        body = (Path(pack_dir) / rel).read_bytes()
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(body).to_bytes(8, "big") + body)
    return "sha256:" + digest.hexdigest()
