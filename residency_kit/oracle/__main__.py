"""``python -m residency_kit.oracle``: run the oracle's corpus under both engines and print the differences."""

from residency_kit.oracle.corpus import main

main()
