# The front door: `make demo` and `make test` set everything up from a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Interpreters come from pyenv (python3.X shims do not run unless pyenv selects them), else PATH.
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
python_for = $(or $(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/$(1).*/bin/python$(1)))),$(shell command -v python$(1) 2>/dev/null))
# The newest ansible-core (2.21) needs Python 3.12+ on the controller.
PYTHON ?= $(call python_for,3.12)
TARGET_PYTHONS := 3.9 3.10 3.11 3.12 3.13
empty :=
space := $(empty) $(empty)
TARGET_PATH := $(subst $(space),:,$(strip $(foreach v,$(TARGET_PYTHONS),$(patsubst %/,%,$(dir $(call python_for,$(v)))))))

VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
BUILD := $(CURDIR)/.build
REPORTS := $(BUILD)/reports
# ansible finds the collection through a link; ansible-test needs a real copy (see toolchain notes).
COLLECTIONS := $(BUILD)/collections
LINK := $(COLLECTIONS)/ansible_collections/onlyoffice/docspace
# Outside the work tree: inside it, ansible-test would ask git and skip the ignored copy.
AT_ROOT := $(or $(TMPDIR),/tmp)/onlyoffice.docspace-$(shell printf %s '$(CURDIR)' | md5sum | cut -c1-8)
AT_COPY := $(AT_ROOT)/ansible_collections/onlyoffice/docspace
DIST := $(BUILD)/dist
INSTALLED := $(BUILD)/installed
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0
export PATH := $(BIN):$(PATH)

# Older cores for test-matrix: core -> controller Python.
MATRIX := 2.19 2.20
MATRIX_PYTHON_2.19 := 3.11
MATRIX_PYTHON_2.20 := 3.12

.PHONY: help setup demo test test-matrix test-unit test-emulator test-integration test-build build sanity \
        lint docs-lint changelog-lint importer molecule docs changelog reliability secrets awx bench clean $(AT_COPY)

help:
	@echo "make demo         start the DocSpace emulator, run playbooks/demo.yml twice, clean up"
	@echo "make test         every check on the newest ansible-core ($(shell sed -n 's/^ansible-core==//p' requirements-dev.txt))"
	@echo "make test-matrix  make test, plus sanity and unit tests on ansible-core $(MATRIX)"
	@echo "make docs         the HTML docsite in .build/docs/build/html, links checked"
	@echo "make reliability  run the fault scenarios and rewrite the table in docs/docsite/rst/reliability.rst"
	@echo "make bench        measure requests per task, converge time against a uri playbook, memory; docs/performance.md"
	@echo "make changelog    fold changelogs/fragments into CHANGELOG.md/.rst for the galaxy.yml version"

define make_venv
	@mkdir -p $(BUILD)
	@test -x "$(2)" || { echo "Python $(3) not found (pyenv or PATH)"; exit 1; }
	@echo "== creating $(1) with Python $(3) from $(4) (log: $(BUILD)/pip-$(notdir $(1)).log)"
	@rm -rf $(1) && $(2) -m venv $(1)
	@$(1)/bin/python -m pip install -q --upgrade pip==25.3 >$(BUILD)/pip-$(notdir $(1)).log 2>&1 || (cat $(BUILD)/pip-$(notdir $(1)).log; exit 1)
	@$(1)/bin/python -m pip install -q -r $(4) >>$(BUILD)/pip-$(notdir $(1)).log 2>&1 || (cat $(BUILD)/pip-$(notdir $(1)).log; exit 1)
	@touch $(1)/bin/.installed
endef

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(call make_venv,$(VENV),$(PYTHON),3.12,requirements-dev.txt)

$(BUILD)/venv-%/bin/.installed: tests/requirements/core-%.txt requirements.txt
	$(call make_venv,$(BUILD)/venv-$*,$(call python_for,$(MATRIX_PYTHON_$*)),$(MATRIX_PYTHON_$*),$<)

$(LINK):
	@mkdir -p $(dir $(LINK))
	@ln -sfn $(CURDIR) $(LINK)

setup: $(BIN)/.installed $(LINK)

demo: setup
	@bash tests/utils/demo.sh

# ----- make test ------------------------------------------------------------------------------
CHECKS := test-unit test-emulator test-integration secrets awx test-build lint docs-lint docs changelog-lint importer molecule sanity

test: setup
	@rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	@bash tests/utils/timed.sh $(REPORTS)/times.txt "$(MAKE) --no-print-directory" $(CHECKS)
	@echo "== make test: every check passed"
	@$(BIN)/python tests/utils/summary.py $(REPORTS)

test-matrix: setup $(foreach c,$(MATRIX),$(BUILD)/venv-$(c)/bin/.installed)
	@rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	@bash tests/utils/timed.sh $(REPORTS)/times.txt "$(MAKE) --no-print-directory" $(CHECKS) \
	    $(foreach c,$(MATRIX),sanity-$(c) units-$(c))
	@echo "== make test-matrix: every check passed"
	@$(BIN)/python tests/utils/summary.py $(REPORTS)

test-unit: setup
	@echo "== unit tests (coverage of plugins/)"
	@mkdir -p $(REPORTS) && cd $(COLLECTIONS) && DOCSPACE_RELIABILITY_REPORT=$(REPORTS)/reliability.json \
	    $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q \
	    --junitxml=$(REPORTS)/unit.xml $(LINK)/tests/unit \
	    --cov=ansible_collections.onlyoffice.docspace.plugins --cov-branch --cov-report=term-missing:skip-covered \
	    --cov-report=json:$(REPORTS)/coverage.json | tee $(REPORTS)/coverage.txt
	@$(BIN)/python tests/utils/coverage_gate.py $(REPORTS)/coverage.json
	@$(BIN)/python tests/utils/reliability_table.py $(REPORTS)/reliability.json docs/docsite/rst/reliability.rst --check

# The fault scenarios alone; rewrites the measured table of docs/docsite/rst/reliability.rst.
reliability: setup
	@mkdir -p $(REPORTS) && cd $(COLLECTIONS) && DOCSPACE_RELIABILITY_REPORT=$(REPORTS)/reliability.json \
	    $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q $(LINK)/tests/unit/reliability
	@$(BIN)/python tests/utils/reliability_table.py $(REPORTS)/reliability.json docs/docsite/rst/reliability.rst

test-emulator: setup
	@echo "== emulator tests"
	@mkdir -p $(REPORTS) && $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q \
	    --junitxml=$(REPORTS)/emulator.xml tests/emulator

# ansible-test runs from a real ansible_collections/<ns>/<name> directory: sync a copy.
$(AT_COPY): setup
	@rm -rf $(AT_COPY) && mkdir -p $(AT_COPY)
	@tar -C $(CURDIR) --exclude=./.venv --exclude=./.build --exclude=./.git --exclude=./tests/output \
	    --exclude=__pycache__ --exclude=./.pytest_cache --exclude=./.ansible -cf - . | tar -C $(AT_COPY) -xf -

test-integration: $(AT_COPY)
	@echo "== integration tests against the emulator"
	@mkdir -p $(REPORTS) && bash tests/utils/integration.sh $(AT_COPY) $(AT_ARGS) 2>&1 | tee $(REPORTS)/integration.log

# sanity on one core: the whole suite on the controller Python, then import and compile on every target Python.
define sanity
	@echo "== ansible-test sanity on ansible-core $$($(1)/ansible --version | sed -n 's/.*core \([0-9.]*\).*/\1/p'), no ignore file"
	@test -z "$$(ls tests/sanity/ignore-*.txt 2>/dev/null)"
	@PATH=$(1):$$PATH bash tests/utils/ansible_test_shim.sh
	@mkdir -p $(REPORTS) && cd $(AT_COPY) && rm -rf tests/output && \
	    PATH=$(1):$$PATH ansible-test sanity --python $(2) --local --color no 2>&1 | tee $(REPORTS)/sanity-$(3).log
	@cd $(AT_COPY) && for v in $(TARGET_PYTHONS); do \
	    PATH=$(1):$(TARGET_PATH):$$PATH ansible-test sanity --test import --test compile --python $$v --local --color no \
	        2>&1 | tee -a $(REPORTS)/sanity-$(3)-targets.log | grep -E '^(Running|ERROR|FATAL)' || exit 1; done
endef

sanity: $(AT_COPY)
	$(call sanity,$(BIN),3.12,newest)

sanity-%: $(AT_COPY) $(BUILD)/venv-%/bin/.installed
	$(call sanity,$(BUILD)/venv-$*/bin,$(MATRIX_PYTHON_$*),$*)

units-%: setup $(BUILD)/venv-%/bin/.installed
	@echo "== unit tests on ansible-core $*"
	@cd $(COLLECTIONS) && $(BUILD)/venv-$*/bin/python -m pytest -p no:cacheprovider -q \
	    --junitxml=$(REPORTS)/unit-$*.xml $(LINK)/tests/unit --ignore=$(LINK)/tests/unit/reliability

lint: setup
	@echo "== ansible-lint (production profile) on the collection and the modules' EXAMPLES, and yamllint"
	@ansible-lint --offline --nocolor 2>&1 | tee $(REPORTS)/lint.log | tail -3
	@bash tests/utils/lint_examples.sh
	@yamllint --strict . && echo "yamllint: clean"

docs-lint: setup
	@echo "== antsibull-docs lint-collection-docs"
	@antsibull-docs lint-collection-docs --plugin-docs . && echo "collection docs: clean"

changelog-lint: setup
	@echo "== antsibull-changelog lint"
	@antsibull-changelog lint && antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml && echo "changelog: clean"

# The playbooks as AWX/AAP runs a job (ansible-runner, credential in env), the team inventory, the EE metadata.
awx: setup
	@echo "== ansible-runner jobs, team app inventory, ansible-builder introspect"
	@mkdir -p $(REPORTS) && $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q \
	    -W ignore::DeprecationWarning --junitxml=$(REPORTS)/awx.xml tests/awx

# The demo playbooks at -vvvv with --diff, every byte scanned (the integration run is scanned too).
secrets: setup
	@echo "== secret scan of the demo at -vvvv --diff"
	@bash tests/utils/secret_scan.sh

build: setup
	@rm -rf $(DIST) && mkdir -p $(DIST)
	@ansible-galaxy collection build --output-path $(DIST) --force >/dev/null
	@ls $(DIST)/*.tar.gz

# The built tarball installs, documents its modules and runs the demo on its own.
test-build: build
	@echo "== the built collection, installed"
	@rm -rf $(INSTALLED) && mkdir -p $(INSTALLED)
	@ANSIBLE_COLLECTIONS_PATH=$(INSTALLED) ansible-galaxy collection install -p $(INSTALLED) $(DIST)/*.tar.gz >/dev/null
	@! tar -tzf $(DIST)/*.tar.gz | grep -E '(^|/)(\.venv|\.build|\.git|tests/output)/'
	@ANSIBLE_COLLECTIONS_PATH=$(INSTALLED) ansible-doc onlyoffice.docspace.docspace_oauth_client \
	    | grep 'installed/ansible_collections/onlyoffice/docspace/plugins/modules/docspace_oauth_client.py' >/dev/null
	@ANSIBLE_COLLECTIONS_PATH=$(INSTALLED) bash tests/utils/demo.sh >$(BUILD)/test-build.log 2>&1 \
	    || (cat $(BUILD)/test-build.log; exit 1)
	@echo "built, installed, documented and demoed: ok"

importer: build
	@echo "== galaxy-importer on the built tarball"
	@bash tests/utils/importer.sh $(DIST) $(REPORTS)

molecule: setup
	@echo "== molecule: emulator, converge, idempotence, verify, destroy"
	@molecule test 2>&1 | tee $(REPORTS)/molecule.log | grep -E '^(INFO|ERROR|CRITICAL|PLAY RECAP|localhost)'

docs: setup
	@bash tests/utils/docs.sh $(BUILD)/docs

# A benchmark, not a test: measures against the emulator and writes docs/performance.md.
bench: setup
	@$(BIN)/python tests/bench/bench.py docs/performance.md

changelog: setup
	@antsibull-changelog release --version $$(sed -n 's/^version: //p' galaxy.yml) --update-existing

clean:
	rm -rf $(BUILD) $(AT_ROOT) tests/output
