"""Scale benchmarks for the offline preview and the residency pack (see ``benchmarks/run``)."""
