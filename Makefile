# fabricops.aci: every set-up step the project needs, from a fresh machine.
#   make demo   the simulator, the real ansible-rulebook, a tenant created, a playbook reacting
#   make test   the whole suite (what CI runs through .ci/run)
#   make sim    an APIC simulator on https://127.0.0.1:8443 until Ctrl-C
#   make bench  the benchmark table
#   make docs   the documentation site in build/docs/html (plugin pages and guides)
#   make environments  ansible-builder build contexts of the decision and execution environments
#   make changelog     at release: fold changelogs/fragments into CHANGELOG.rst and CHANGELOG.md
#   make dist   what a release publishes, in dist/: the collection tarball and the simulator's wheel
#   make matrix        every supported Python / ansible-core / ansible-rulebook, each in a fresh virtualenv

PYTHON      ?= python3.11
VENV        := .venv
BIN         := $(abspath $(VENV))/bin
BUILD       := $(abspath build)
COLLECTIONS := $(BUILD)/collections
DEV_TREE    := $(BUILD)/dev
VERSION     := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL     := dist/fabricops-aci-$(VERSION).tar.gz
SIM_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' simulator/pyproject.toml)
SIM_WHEEL   := dist/apicsim-$(SIM_VERSION)-py3-none-any.whl
SIM_FILES   := $(shell git ls-files simulator 2>/dev/null)
INSTALLED   := $(COLLECTIONS)/ansible_collections/fabricops/aci
COLLECTION_FILES := $(shell git ls-files galaxy.yml meta plugins extensions playbooks rulebooks docs changelogs controller tests/config.yml README.md CONTRIBUTING.md CODE_OF_CONDUCT.md LICENSE CHANGELOG.rst CHANGELOG.md requirements.txt 2>/dev/null)

# The JVM inside ansible-rulebook installs its own SIGINT/SIGTERM handlers unless told not to (-Xrs);
# without this the rulebook exits 130/143 and event sources never see their cancellation.
export JAVA_TOOL_OPTIONS := -Xrs
# Playbooks, rulebooks and tests use the collection installed from the built tarball.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)

.PHONY: help venv java collection dist dev-tree thirdparty matrix-envs matrix test demo sim bench lint clean docs
.PHONY: environments changelog

help:
	@sed -n 's/^#   //p' Makefile

venv: $(VENV)/.stamp
$(VENV)/.stamp: requirements/dev.txt simulator/pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 (Debian: apt-get install python3.11 python3.11-venv) or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e simulator
	@touch $@

java:
	@scripts/check-java

$(TARBALL): $(VENV)/.stamp $(COLLECTION_FILES)
	@mkdir -p dist
	$(BIN)/ansible-galaxy collection build --force --output-path dist . >/dev/null
	@echo "built $(TARBALL)"

$(INSTALLED)/MANIFEST.json: $(TARBALL)
	$(BIN)/ansible-galaxy collection install --force --offline -p $(COLLECTIONS) $(TARBALL) >/dev/null
	@echo "installed fabricops.aci $(VERSION) into $(COLLECTIONS)"

collection: $(INSTALLED)/MANIFEST.json

# The simulator as an installable package (pip install dist/apicsim-*.whl gives the apicsim command),
# built with the venv's pinned setuptools and wheel, without reaching for a package index.
$(SIM_WHEEL): $(VENV)/.stamp $(SIM_FILES)
	@mkdir -p dist
	$(BIN)/python -m build --wheel --no-isolation --outdir dist simulator >/dev/null
	@rm -rf simulator/build
	@echo "built $(SIM_WHEEL)"

dist: $(TARBALL) $(SIM_WHEEL)

# Tests import the working tree as ansible_collections.fabricops.aci through this link.
dev-tree:
	@mkdir -p $(DEV_TREE)/ansible_collections/fabricops
	@ln -sfn $(CURDIR) $(DEV_TREE)/ansible_collections/fabricops/aci

# cisco.aci (from the pinned ansible wheel) for the tests that run third-party clients against the simulator.
thirdparty: venv
	$(BIN)/python scripts/fetch_thirdparty.py

# Virtualenvs of the oldest and newest supported versions (build/matrix, see scripts/version_matrix.py); the
# only step that may reach the package index for them, once: the tests then install from build/matrix/wheels.
matrix-envs: venv
	$(BIN)/python scripts/version_matrix.py prepare oldest newest

# Every supported combination: the tarball installed into each one's virtualenv, modules, httpapi and a rulebook.
matrix: venv java collection thirdparty
	$(BIN)/python scripts/version_matrix.py run all

# The suite runs in TEST_WORKERS processes (pytest-xdist), each test file whole in one of them (module
# fixtures such as the quick benchmark run once): most tests wait on subprocesses (JVMs, playbooks,
# simulators), so two workers keep both cores of a 2-core machine busy and halve the wall time.
TEST_WORKERS ?= 2
test: venv java collection dev-tree thirdparty matrix-envs
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

demo: venv java collection
	$(BIN)/python scripts/demo.py

sim: venv
	$(BIN)/apicsim

bench: venv java collection dev-tree
	$(BIN)/python -m bench

# Fails on any warning of antsibull-docs, ansible-doc or Sphinx (scripts/build-docs).
docs: venv dev-tree
	$(BIN)/python scripts/build-docs $(BUILD)/docs

# Build contexts only: building the images needs a container engine (see docs/controller.md).
environments: venv collection
	$(BIN)/ansible-builder create -f environments/decision/execution-environment.yml -c $(BUILD)/environments/decision
	$(BIN)/ansible-builder create -f environments/execution/execution-environment.yml -c $(BUILD)/environments/execution

# Folds changelogs/fragments into the release of galaxy.yml's version (adding to it if it already exists).
# For a new release: bump the version and add a release_summary fragment first.
changelog: venv
	$(BIN)/antsibull-changelog release --update-existing

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf $(BUILD) dist .pytest_cache
