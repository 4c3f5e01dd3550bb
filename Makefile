# The README's two commands are `make preview` and `make test`; both set up the environments first.
#
# One source of truth: pyproject.toml lists the dependencies (ranges, for those who install the kit), uv.lock
# locks all of them with hashes for the kit's own environments, and policies/requirements.txt (what the pack
# alone needs) and requirements-uv.txt are exported from that lock (`make lock`). `make setup` builds what the
# Pulumi CLI builds: .venv = `pulumi install` in the project (Pulumi.yaml `toolchain: uv`: `uv sync` from
# uv.lock, the kit itself installed editable, the default dependency groups included). The policy pack runs
# on that same interpreter (PulumiPolicy.yaml names no virtualenv; the CLI takes PULUMI_PYTHON_CMD).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.residency-kit-installed
STACK ?= us-prod

# uv never downloads a Python of its own here: it uses the interpreter $(PYTHON) made the venvs with.
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup preview lint test coverage lock clean oracle oracle-test oracle-test-full FORCE

setup: $(STAMP)

# uv itself comes from the lock too (requirements-uv.txt, hash-checked), installed into .venv with the
# interpreter's own pip; `uv sync` keeps it there because the lock's `uv` group is a default group.
$(UV): requirements-uv.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-uv.txt
	touch $(UV)

# --compile-bytecode: the provider SDKs are large (pulumi_oci alone is over 3,000 modules), and every program and
# pack process imports hundreds of them. Without .pyc files written at install time, each process compiles them
# again wherever Python may not write its cache (PYTHONDONTWRITEBYTECODE, a read-only tree): about half of a
# us-prod preview's time.
$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet --compile-bytecode --reinstall-package uv
	touch $(STAMP)

# After changing a dependency in pyproject.toml: re-lock and re-export (the lock tests fail until you do).
lock: $(UV)
	$(UV) lock
	$(UV) export --locked --quiet --only-group pack --no-emit-project --format requirements-txt \
		--output-file policies/requirements.txt
	$(UV) export --locked --quiet --only-group uv --no-emit-project --format requirements-txt \
		--output-file requirements-uv.txt

# The main job: the us-prod stack previewed offline with the residency policy pack.
preview: setup
	$(VENV)/bin/residency preview --stack $(STACK)

# Static checks first (seconds), then the suite: ruff's linter over the tree, mypy over the packages in
# pyproject.toml's [tool.mypy] (both configured there).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The suite runs on every core (pytest-xdist; tests/conftest.py says what a worker shares). TEST_WORKERS=0 runs it
# in one process. The ten slowest tests are listed at the end, so a test that grows slow is seen in every run.
TEST_WORKERS ?= auto
test: setup
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadgroup --durations=10

# Line and branch coverage of the pack (residency_policies) over the tests that exercise it, the pack processes
# they start included (coverage's subprocess patch; the packs run on .venv's interpreter, which has coverage).
COVERAGE_TESTS ?= tests/policies tests/reachability tests/robustness tests/audit
COVERAGE_DIR := .coverage-data
coverage: setup
	rm -rf $(COVERAGE_DIR) && mkdir -p $(COVERAGE_DIR)
	COVERAGE_DATA_DIR=$(CURDIR)/$(COVERAGE_DIR) $(PY) -m coverage run -m pytest -q -p no:cacheprovider $(COVERAGE_TESTS); \
	  status=$$?; \
	  COVERAGE_DATA_DIR=$(CURDIR)/$(COVERAGE_DIR) $(PY) -m coverage combine --quiet && \
	  COVERAGE_DATA_DIR=$(CURDIR)/$(COVERAGE_DIR) $(PY) -m coverage report --sort=cover; exit $$status

# The oracle (docs/preview.md, "The oracle"): the real Pulumi CLI, built from the Go module proxy at the version
# oracle/go.mod pins, in .oracle/bin (gitignored), with the sdk's exec shim and the launcher of our Python language
# host (residency_kit/pulumi_cli/language_host, run on .venv) beside it. The first build on a machine takes 4-17 min;
# the Go build cache makes later ones ~1 min.
ORACLE_BIN := .oracle/bin
PULUMI_VERSION_FLAG = -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)"

oracle: $(ORACLE_BIN)/pulumi $(ORACLE_BIN)/pulumi-language-python $(ORACLE_BIN)/pulumi-language-python-exec

$(ORACLE_BIN)/pulumi: oracle/go.mod oracle/go.sum
	cd oracle && go build $(PULUMI_VERSION_FLAG) -o ../$@ github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

# Compared, not dated: an older build there may be newer than the launcher (the Go host this replaced was).
$(ORACLE_BIN)/pulumi-language-python: oracle/pulumi-language-python FORCE
	@mkdir -p $(ORACLE_BIN)
	@cmp -s $< $@ || install -m 0755 $< $@

$(ORACLE_BIN)/pulumi-language-python-exec: oracle/go.mod $(ORACLE_BIN)/pulumi
	cp "$$(cd oracle && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)/python/cmd/pulumi-language-python-exec" $@
	chmod 0755 $@

FORCE:

# Both engines on the same programs; fails on any difference without a documented cause. oracle-test is what
# CI runs (every project program and raw oracle program, one violating program per policy, the grants table,
# the hostile inputs); oracle-test-full adds every program the policy and hostile-input tests preview.
oracle-test: setup oracle
	$(PY) -m pytest -q -p no:cacheprovider -m oracle tests/oracle

oracle-test-full: setup oracle
	$(PY) -m pytest -q -p no:cacheprovider -m 'oracle or oracle_full' tests/oracle

clean:
	rm -rf $(VENV) policies/venv .pytest_cache
