"""The residency policy pack's internals: framework, rules file, value helpers and one module per policy.

Importable only with the pack directory on ``sys.path`` (the engine's ``runpy.run_path(packDir)`` does
that); nothing here may import from outside ``policies/``.
"""
