# The README's two commands are `make preview` and `make test`; both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.residency-kit-installed
STACK ?= us-prod

.PHONY: setup preview test docs clean

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

clean:
	rm -rf $(VENV) .pytest_cache
