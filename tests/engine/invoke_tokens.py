"""Every invoke token the pinned provider SDKs define, read from their source (``invoke_tokens.txt``).

``python tests/engine/invoke_tokens.py`` rewrites the list; ``--answer-all`` answers every token offline
and checks that its SDK result class accepts the answer (the full sweep of the sampled test).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PACKAGES = ("pulumi_aws", "pulumi_oci")
_INVOKE = re.compile(r"runtime\.invoke(?:_output)?(?:_single)?\('([^']+)'")
LIST = Path(__file__).with_name("invoke_tokens.txt")
# The functions that need an argument to answer at all.
ARGS = {
    "aws:index/getArn:getArn": {"arn": "arn:aws:s3:::bucket"},
    "aws:index/arnParse:arnParse": {"arn": "arn:aws:s3:::bucket"},
    "aws:index/trimIamRolePath:trimIamRolePath": {"arn": "arn:aws:iam::111122223333:role/a/b/name"},
}


def sdk_invoke_tokens() -> list[str]:
    import importlib.util

    tokens: set[str] = set()
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        root = Path(spec.origin).parent
        for path in root.rglob("*.py"):
            tokens.update(_INVOKE.findall(path.read_text(encoding="utf-8")))
    return sorted(tokens)


def answer_all() -> int:
    from residency_kit.engine.invokes import InvokeAnswerer
    from residency_kit.engine.invokes.sdk_shapes import object_shape, result_class

    answerer = InvokeAnswerer({"aws:region": "us-west-2", "oci:region": "us-phoenix-1"})
    failures = 0
    tokens = LIST.read_text().split()
    for token in tokens:
        args = ARGS.get(token, {})
        try:
            result = answerer.answer(token, args)
            cls = result_class(token)
            if cls is None:  # the provider functions answered by invoke_single: one value
                assert result is not None and len(result) == 1, result
                continue
            cls(**{f.python_name: result.get(f.wire_name) for f in object_shape(cls).fields})
        except Exception as err:  # noqa: BLE001 - report every failing token
            failures += 1
            print(f"{token}: {type(err).__name__}: {err}")
    print(f"{len(tokens) - failures} of {len(tokens)} invokes answered and accepted by their result class")
    return 1 if failures else 0


if __name__ == "__main__":
    if "--answer-all" in sys.argv:
        sys.exit(answer_all())
    LIST.write_text("\n".join(sdk_invoke_tokens()) + "\n")
