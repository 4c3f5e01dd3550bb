"""The resource types that hold or protect data, read from the generated ``data/data_bearing_types.txt``.

Generated from the installed SDKs by ``policies/tools/generate_data_bearing_types.py`` (every type with an
encryption-key input, plus the curated stores of user data); the pack never imports the SDKs. For each
type: every key input path, the key paths a store *must* set, the per-block key paths (every EBS device,
every replica), and flags (``store``: a curated store of user data, ``ebs-default``, ``separate-sse``, and the
conditions ``when=`` / ``unless=`` under which a store's key is required). What keeps a store's data
recoverable is ``store_durability``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "data_bearing_types.txt"


@dataclass(frozen=True)
class DataBearingType:
    token: str
    key_paths: tuple[str, ...]
    required: tuple[str, ...] = ()
    each: tuple[str, ...] = ()
    ebs_default: bool = False  # an EBS encryption-by-default key in the stack covers a missing key
    separate_sse: bool = False  # the key may be set by a separate encryption resource (S3 buckets)
    store: bool = False  # a curated store of user data (not only a type that takes a key)
    when: tuple[str, str] | None = None  # (input path, value): a key is required only when the input has it
    unless: tuple[str, ...] = ()  # a key is not required when one of these inputs is set

    @property
    def needs_key(self) -> bool:
        return bool(self.required or self.each)


def _split(cell: str) -> tuple[str, ...]:
    return () if cell == "-" else tuple(cell.split(","))


def load(path: Path = DATA_FILE) -> dict[str, DataBearingType]:
    out: dict[str, DataBearingType] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        token, flags, required, each, keys = line.split("\t")
        flag_set = set(_split(flags))
        conditions = {f.partition("=")[0]: f.partition("=")[2] for f in flag_set if "=" in f}
        when = tuple(conditions["when"].split(":", 1)) if "when" in conditions else None
        required_paths, each_paths = _split(required), _split(each)
        out[token] = DataBearingType(
            token=token,
            key_paths=_split(keys),
            required=required_paths,
            each=each_paths,
            ebs_default="ebs-default" in flag_set,
            separate_sse="separate-sse" in flag_set,
            store=bool(flag_set) or bool(required_paths or each_paths),
            when=when,  # type: ignore[arg-type]
            unless=tuple(conditions["unless"].split("|")) if "unless" in conditions else (),
        )
    return out


DATA_BEARING_TYPES: dict[str, DataBearingType] = load()
KEYED_TYPES = frozenset(t for t, d in DATA_BEARING_TYPES.items() if d.key_paths)
