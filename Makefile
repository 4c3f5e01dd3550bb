# The README's two commands are `make preview` and `make test`; both set up the environments first.
#
# One source of truth: pyproject.toml lists the dependencies, uv.lock locks all of them with hashes, and
# policies/requirements.txt and requirements-uv.txt are exported from that lock (`make lock`). `make setup`
# builds exactly what the Pulumi CLI builds:
#   .venv           = `pulumi install` in the project (Pulumi.yaml `toolchain: uv`: `uv sync` from uv.lock,
#                     the kit itself installed editable, the default dependency groups included);
#   policies/venv   = `pulumi install` in policies/ (PulumiPolicy.yaml `virtualenv: venv`: a venv with
#                     policies/requirements.txt installed, hash-checked).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
PACK_VENV := policies/venv
STAMP := $(VENV)/.residency-kit-installed
PACK_STAMP := $(PACK_VENV)/.residency-pack-installed
STACK ?= us-prod

# uv never downloads a Python of its own here: it uses the interpreter $(PYTHON) made the venvs with.
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup preview test lock clean

setup: $(STAMP) $(PACK_STAMP)

# uv itself comes from the lock too (requirements-uv.txt, hash-checked), installed into .venv with the
# interpreter's own pip; `uv sync` keeps it there because the lock's `uv` group is a default group.
$(UV): requirements-uv.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-uv.txt
	touch $(UV)

$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet --reinstall-package uv
	touch $(STAMP)

$(PACK_STAMP): $(UV) policies/requirements.txt
	$(PYTHON) -m venv --clear $(PACK_VENV)
	$(UV) pip install --quiet --python $(PACK_VENV)/bin/python --require-hashes -r policies/requirements.txt
	touch $(PACK_STAMP)

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

test: setup
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) $(PACK_VENV) .pytest_cache
