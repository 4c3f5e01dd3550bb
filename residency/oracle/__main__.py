"""``python -m residency.oracle``: run the oracle's corpus under both engines and print the differences."""

from residency.oracle.corpus import main

main()
