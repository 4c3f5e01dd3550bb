# The README's two commands are `make preview` and `make test`; both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.residency-kit-installed
STACK ?= us-prod

.PHONY: setup preview test docs clean oracle oracle-test

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.txt policies/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r policies/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# The main job: the us-prod stack previewed offline with the residency policy pack.
preview: setup
	$(VENV)/bin/residency preview --stack $(STACK)

test: setup
	$(PY) -m pytest -q

# The oracle (docs/preview.md, "The oracle"): the real Pulumi CLI, built from the Go module proxy at the version
# oracle/go.mod pins, with our stand-in Python language host and the sdk's exec shim beside it, in .oracle/bin
# (gitignored). The first build on a machine takes ~17 min; the Go build cache makes later ones ~1 min.
ORACLE_BIN := .oracle/bin
PULUMI_VERSION_FLAG = -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)"

oracle: $(ORACLE_BIN)/pulumi $(ORACLE_BIN)/pulumi-language-python $(ORACLE_BIN)/pulumi-language-python-exec

$(ORACLE_BIN)/pulumi: oracle/go.mod oracle/go.sum
	cd oracle && go build $(PULUMI_VERSION_FLAG) -o ../$@ github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

$(ORACLE_BIN)/pulumi-language-python: oracle/go.mod oracle/go.sum $(wildcard oracle/pulumi-language-python/*.go)
	cd oracle && go build $(PULUMI_VERSION_FLAG) -o ../$@ ./pulumi-language-python

$(ORACLE_BIN)/pulumi-language-python-exec: oracle/go.mod $(ORACLE_BIN)/pulumi
	cp "$$(cd oracle && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)/python/cmd/pulumi-language-python-exec" $@
	chmod 0755 $@

# Every corpus program under both engines; fails on any difference without a documented cause.
oracle-test: setup oracle
	$(PY) -m pytest -q -m oracle tests/oracle

clean:
	rm -rf $(VENV) .pytest_cache
