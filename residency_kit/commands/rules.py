"""``residency rules``: the residency rules in force for a stack, where each came from, and their digest.

The same account the pack builds its rules with and every report records (``residency_policies.rules_in_force``):
the pack's rules file, the policy config, and the stack's ``residency:`` config. ``--as-policy-config`` prints
them as one ``--policy-pack-config`` file (the ``residency-rules`` entry, which applies to every policy), for
runs that give the pack no stack config, such as ``pulumi policy analyze``, or for a security team that takes
ownership of the rules.

Exit codes: 0 printed, 1 the rules are invalid (each problem printed), 2 usage or project error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
POLICY_CONFIG_KEYS = ("allowedRegions", "parentCompany", "trusted", "estate", "minimumRetentionDays", "requiredTags",
                      "dataClassification", "waivers")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "rules",
        help="show the residency rules in force for a stack: sources, digest and values",
        description="Show the residency rules the residency pack enforces for a stack (its rules file, the policy "
        "config, the stack's residency: config), or print them as a --policy-pack-config file.",
    )
    parser.add_argument("--cwd", default=".", help="the project directory holding Pulumi.yaml (default: .)")
    parser.add_argument("--stack", help="stack name (default: the only stack file)")
    parser.add_argument("--policy-pack", metavar="DIR", help="the residency pack (default: the one installed with the kit)")
    parser.add_argument("--policy-pack-config", metavar="FILE", help="JSON policy config the pack runs with")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the rules in force as one JSON object")
    shown.add_argument("--as-policy-config", action="store_true",
                       help="print the rules in force as a --policy-pack-config file (the residency-rules entry)")
    return parser


def run(args: argparse.Namespace) -> int:
    from residency_kit.engine.pack_config import PolicyConfigError, parse_policy_pack_config
    from residency_kit.engine.pack_rules import rules_in_force
    from residency_kit.engine.project import ProjectError, load_project, load_stack_config, resolve_stack, stack_files
    from residency_kit.engine.shipped_pack import shipped_pack_dir

    try:
        project = load_project(args.cwd)
        stack = resolve_stack(project, args.stack)
        config, _secret_keys = load_stack_config(project, stack)
        raw = json.loads(Path(args.policy_pack_config).read_text()) if args.policy_pack_config else None
        policy_config = parse_policy_pack_config(raw)
    except (ProjectError, PolicyConfigError, OSError, json.JSONDecodeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERROR
    pack = Path(args.policy_pack) if args.policy_pack else shipped_pack_dir()
    rules = rules_in_force("us-data-residency", pack, policy_config, stack_config=config, stack=stack,
                           policy_names=list(policy_config), stack_files=stack_files(project, stack)) if pack else None
    if rules is None:
        print(f"error: {pack} is not a residency policy pack (no residency_policies package)", file=sys.stderr)
        return EXIT_ERROR
    for error in rules.errors:
        print(f"error: {error}", file=sys.stderr)
    if rules.errors:
        return EXIT_INVALID
    if args.as_policy_config:
        values = {key: rules.values[key] for key in POLICY_CONFIG_KEYS if key in rules.values}
        json.dump({"residency-rules": values}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.json:
        json.dump(rules.as_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"Residency rules in force for stack {stack} ({project.root}):")
        for label, text in rules.summary():
            print(f"  {label}: {text}")
    return EXIT_OK
