"""``residency init``: a new Pulumi project that builds a US estate with the kit and is checked by its pack.

It writes Pulumi.yaml (the pip toolchain and `.venv`, and the team's residency rules as project config),
Pulumi.<stack>.yaml, __main__.py, requirements.txt, .gitignore, .pulumi-version, a README and a CI workflow
(``residency_kit/templates/starter``). Every identifier the team must supply is a ``REPLACE_WITH_`` placeholder
that the program's settings and the pack both refuse, so nothing runs on made-up rules.

Exit codes: 0 written, 2 bad input (an existing non-empty directory, a bad name); nothing is written then.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

EXIT_OK, EXIT_ERROR = 0, 2
PLACEHOLDER = "REPLACE_WITH_"
# A Pulumi project name that is also a valid OCI compartment name and bucket-name prefix.
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,40}$")
_STACK = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
PULUMI_VERSION = "3.274.0"
"""The Pulumi CLI the kit is tested with (this repository's .pulumi-version)."""
DOCS_URL = "https://github.com/residency-kit/residency-kit/blob/main/docs/adopting.md"


@dataclass(frozen=True)
class StarterFile:
    template: str
    target: str


STARTER_FILES = (
    StarterFile("Pulumi.yaml", "Pulumi.yaml"),
    StarterFile("Pulumi.stack.yaml", "Pulumi.{stack}.yaml"),
    StarterFile("__main__.py", "__main__.py"),
    StarterFile("requirements.txt", "requirements.txt"),
    StarterFile("gitignore", ".gitignore"),
    StarterFile("README.md", "README.md"),
    StarterFile("workflows/residency.yml", ".github/workflows/residency.yml"),
)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "init",
        help="create a new Pulumi project that builds a US estate with the kit",
        description="Write a Pulumi project (program, stack, the team's residency rules with placeholders, CI) into "
        "DIR. Replace every REPLACE_WITH_ value, then `residency preview --cwd DIR`.",
    )
    parser.add_argument("directory", metavar="DIR", help="where to create the project (new, or empty)")
    parser.add_argument("--name", help="the Pulumi project name (default: DIR's name)")
    parser.add_argument("--stack", default="prod", help="the first stack's name (default: prod)")
    return parser


def _kit_requirement() -> str:
    """The kit as the new project should depend on it: this release's minor series."""
    try:
        version = metadata.version("residency-kit")
    except metadata.PackageNotFoundError:
        return "residency-kit"
    parts = version.split(".")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return f"residency-kit>={version},<{parts[0]}.{int(parts[1]) + 1}"
    return f"residency-kit=={version}"


def _problems(directory: Path, name: str, stack: str) -> list[str]:
    problems = []
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        problems.append(f"DIR {str(directory)!r} exists and is not an empty directory; allowed: a new or empty directory")
    if not _NAME.match(name):
        problems.append(f"--name {name!r} is not a usable project name; allowed: 2-41 lower-case letters, digits and "
                        "'-', starting with a letter (it also names the root compartment and the buckets)")
    if not _STACK.match(stack):
        problems.append(f"--stack {stack!r} is not a usable stack name; allowed: lower-case letters, digits and '-', "
                        "starting with a letter")
    return problems


def write_starter(directory: Path, *, name: str, stack: str) -> list[Path]:
    """Write the starter project; returns the files written."""
    values = {"project": name, "stack": stack, "requirement": _kit_requirement(), "docs_url": DOCS_URL}
    templates = resources.files("residency_kit") / "templates" / "starter"
    written = []
    for item in STARTER_FILES:
        text = (templates / item.template).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        target = directory / item.target.format(stack=stack)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    version_file = directory / ".pulumi-version"
    version_file.write_text(PULUMI_VERSION + "\n", encoding="utf-8")
    written.append(version_file)
    return written


def run(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    name = args.name or directory.resolve().name
    stack = args.stack
    problems = _problems(directory, name, stack)
    if problems:
        print("error: cannot create the project:\n  - " + "\n  - ".join(problems), file=sys.stderr)
        return EXIT_ERROR
    written = write_starter(directory, name=name, stack=stack)
    placeholders = sorted({m for f in written if f.suffix in (".yaml", ".yml")
                           for m in re.findall(rf"{PLACEHOLDER}[A-Z_]+", f.read_text())})
    print(f"created {len(written)} files in {directory}:")
    for path in written:
        print(f"  {path.relative_to(directory)}")
    print("next:\n"
          f"  1. replace every placeholder in Pulumi.yaml and Pulumi.{stack}.yaml: {', '.join(placeholders)}\n"
          f"  2. cd {directory} && python -m venv .venv && .venv/bin/pip install -r requirements.txt\n"
          f"  3. .venv/bin/residency preview --stack {stack}")
    return EXIT_OK
