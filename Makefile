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
# meta/runtime.yml's requires_ansible is enforced, not only warned about (integration: tests/integration/integration.cfg).
export ANSIBLE_COLLECTIONS_ON_ANSIBLE_VERSION_MISMATCH := error
export PATH := $(BIN):$(PATH)

# The other supported cores (meta/runtime.yml), for test-matrix: core -> controller Python.
# 2.16 is the AAP 2.5-2.7 stream and the floor; 2.18 and 2.20 are AAP's other streams.
MATRIX := 2.16 2.18 2.20
MATRIX_PYTHON_2.16 := 3.11
MATRIX_PYTHON_2.18 := 3.13
MATRIX_PYTHON_2.20 := 3.12
# What each of them runs: the whole suite that does not depend on the newest core's tools.
MATRIX_CHECKS := sanity units integration demo
# ansible-lint on the core that the partner certification checker lints with.
MATRIX_LINT := 2.16

.PHONY: help setup demo test test-matrix test-unit test-emulator expectations test-integration test-build build sanity \
        lint docs-lint changelog-lint importer molecule docs changelog reliability secrets awx fleet examples bench clean $(AT_COPY)

help:
	@echo "make demo         start the DocSpace emulator, run playbooks/demo.yml twice, clean up"
	@echo "make test         every check on the newest ansible-core ($(shell sed -n 's/^ansible-core==//p' requirements-dev.txt))"
	@echo "make test-matrix  make test, plus sanity, unit, integration tests and the demo on ansible-core $(MATRIX), lint on $(MATRIX_LINT)"
	@echo "make docs         the HTML docsite in .build/docs/build/html, links checked"
	@echo "make reliability  run the fault scenarios and rewrite the table in docs/docsite/rst/reliability.rst"
	@echo "make bench        measure requests per task, converge time against a uri playbook, memory, the set module on 1000 apps and 10 portals (~25 min); docs/performance.md"
	@echo "make test-live    the integration targets, the demo and a differential report against a real portal (DOCSPACE_URL, DOCSPACE_API_KEY)"
	@echo "make fuzz         the stateful fault fuzzer on a fresh seed for FUZZ_SECONDS (600); tests/fuzz/README.md"
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

$(BUILD)/venv-%/bin/.installed: tests/requirements/core-%.txt
	$(call make_venv,$(BUILD)/venv-$*,$(call python_for,$(MATRIX_PYTHON_$*)),$(MATRIX_PYTHON_$*),$<)

$(LINK):
	@mkdir -p $(dir $(LINK))
	@ln -sfn $(CURDIR) $(LINK)

setup: $(BIN)/.installed $(LINK)

demo: setup
	@bash tests/utils/demo.sh

# ----- make test ------------------------------------------------------------------------------
CHECKS := test-unit test-emulator test-integration live-stand-in secrets awx fleet examples test-build lint docs-lint docs changelog-lint importer molecule sanity fuzz-ci

test: setup
	@rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	@bash tests/utils/timed.sh $(REPORTS)/times.txt "$(MAKE) --no-print-directory" $(CHECKS)
	@echo "== make test: every check passed"
	@$(BIN)/python tests/utils/summary.py $(REPORTS)

test-matrix: setup $(foreach c,$(MATRIX),$(BUILD)/venv-$(c)/bin/.installed)
	@rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	@bash tests/utils/timed.sh $(REPORTS)/times.txt "$(MAKE) --no-print-directory" $(CHECKS) \
	    $(foreach c,$(MATRIX),$(foreach t,$(MATRIX_CHECKS),$(t)-$(c))) $(foreach c,$(MATRIX_LINT),lint-$(c))
	@echo "== make test-matrix: every check passed"
	@$(BIN)/python tests/utils/summary.py $(REPORTS)

test-unit: setup
	@echo "== unit tests (coverage of plugins/)"
	@mkdir -p $(REPORTS) && rm -f $(REPORTS)/reliability.json.* && cd $(COLLECTIONS) && \
	    DOCSPACE_RELIABILITY_REPORT=$(REPORTS)/reliability.json \
	    $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q -n 2 \
	    --junitxml=$(REPORTS)/unit.xml $(LINK)/tests/unit \
	    --cov=ansible_collections.onlyoffice.docspace.plugins --cov-branch --cov-report=term-missing:skip-covered \
	    --cov-report=json:$(REPORTS)/coverage.json | tee $(REPORTS)/coverage.txt
	@$(BIN)/python tests/utils/coverage_gate.py $(REPORTS)/coverage.json
	@$(BIN)/python tests/utils/reliability_table.py $(REPORTS)/reliability.json docs/docsite/rst/reliability.rst --check

# The fault scenarios alone; rewrites the measured table of docs/docsite/rst/reliability.rst.
reliability: setup
	@mkdir -p $(REPORTS) && rm -f $(REPORTS)/reliability.json.* && cd $(COLLECTIONS) && \
	    DOCSPACE_RELIABILITY_REPORT=$(REPORTS)/reliability.json \
	    $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q -n 2 $(LINK)/tests/unit/reliability
	@$(BIN)/python tests/utils/reliability_table.py $(REPORTS)/reliability.json docs/docsite/rst/reliability.rst

# Always against the emulator (never a DOCSPACE_LIVE_URL of the caller's): its answers must be those recorded in
# tests/emulator/expected_answers.json, 0 differences (report: $(REPORTS)/differential-emulator.md).
test-emulator: setup
	@echo "== emulator tests, and their answers against the recorded expectations"
	@mkdir -p $(REPORTS) && env -u DOCSPACE_LIVE_URL -u DOCSPACE_RECORD_EXPECTATIONS DOCSPACE_DIFF_REPORTS=$(REPORTS) \
	    $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q \
	    --junitxml=$(REPORTS)/emulator.xml tests/emulator

# Re-records tests/emulator/expected_answers.json from what the emulator answers (after an intended change).
expectations: setup
	@echo "== re-recording tests/emulator/expected_answers.json from the emulator"
	@mkdir -p $(REPORTS) && env -u DOCSPACE_LIVE_URL DOCSPACE_RECORD_EXPECTATIONS=1 DOCSPACE_DIFF_REPORTS=$(REPORTS) \
	    $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q tests/emulator

# ansible-test runs from a real ansible_collections/<ns>/<name> directory: sync a copy.
$(AT_COPY): setup
	@rm -rf $(AT_COPY) && mkdir -p $(AT_COPY)
	@tar -C $(CURDIR) --exclude=./.venv --exclude=./.build --exclude=./.git --exclude=./tests/output \
	    --exclude=./collections --exclude=__pycache__ --exclude=./.pytest_cache --exclude=./.ansible -cf - . | tar -C $(AT_COPY) -xf -

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
	@cd $(AT_COPY) && supported=" $$($(1)/python -c 'from ansible_test._util.target.common import constants as c; \
	    print(*(c.REMOTE_ONLY_PYTHON_VERSIONS + c.CONTROLLER_PYTHON_VERSIONS))') " && \
	    for v in $(TARGET_PYTHONS); do [[ "$$supported" == *" $$v "* ]] || continue; \
	    PATH=$(1):$(TARGET_PATH):$$PATH ansible-test sanity --test import --test compile --python $$v --local --color no \
	        2>&1 | tee -a $(REPORTS)/sanity-$(3)-targets.log | grep -E '^(Running|ERROR|FATAL)' || exit 1; done
endef

sanity: $(AT_COPY)
	$(call sanity,$(BIN),3.12,newest)

sanity-%: $(AT_COPY) $(BUILD)/venv-%/bin/.installed
	$(call sanity,$(BUILD)/venv-$*/bin,$(MATRIX_PYTHON_$*),$*)

units-%: setup $(BUILD)/venv-%/bin/.installed
	@echo "== unit tests on ansible-core $*, with requests $$($(BUILD)/venv-$*/bin/python -c 'import requests; print(requests.__version__)')"
	@mkdir -p $(REPORTS) && cd $(COLLECTIONS) && $(BUILD)/venv-$*/bin/python -m pytest -p no:cacheprovider -q -n 2 \
	    --junitxml=$(REPORTS)/unit-$*.xml $(LINK)/tests/unit

integration-%: $(AT_COPY) $(BUILD)/venv-%/bin/.installed
	@echo "== integration tests on ansible-core $*"
	@mkdir -p $(REPORTS) && PATH=$(BUILD)/venv-$*/bin:$$PATH INTEGRATION_STATE=$(AT_ROOT)/integration-$* \
	    bash tests/utils/integration.sh $(AT_COPY) $(AT_ARGS) 2>&1 | tee $(REPORTS)/integration-$*.log

# ansible-lint with an older core (the certification checker lints on 2.16): the collection, the README and guide.
lint-%: setup $(BUILD)/venv-%/bin/.installed
	@echo "== ansible-lint on ansible-core $*: the collection (production profile), the README and user guide playbooks"
	@mkdir -p $(REPORTS) && PATH=$(BUILD)/venv-$*/bin:$$PATH ansible-lint --offline --nocolor 2>&1 | tee $(REPORTS)/lint-$*.log | tail -1
	@PATH=$(BUILD)/venv-$*/bin:$$PATH bash tests/utils/lint_docs.sh

demo-%: setup $(BUILD)/venv-%/bin/.installed
	@echo "== the demo on $$($(BUILD)/venv-$*/bin/ansible --version | head -1), requires_ansible enforced"
	@mkdir -p $(REPORTS) && PATH=$(BUILD)/venv-$*/bin:$$PATH DEMO_STATE=$(AT_ROOT)/demo-$* \
	    bash tests/utils/demo.sh >$(REPORTS)/demo-$*.log 2>&1 || (cat $(REPORTS)/demo-$*.log; exit 1)
	@grep -E '^== demo passed' $(REPORTS)/demo-$*.log

lint: setup
	@echo "== ansible-lint (production profile) on the collection, the modules' EXAMPLES, the README and user guide playbooks, and yamllint"
	@ansible-lint --offline --nocolor 2>&1 | tee $(REPORTS)/lint.log | tail -3
	@bash tests/utils/lint_examples.sh
	@bash tests/utils/lint_docs.sh
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

# playbooks/converge_apps.yml over a fleet: several emulators at once, one inventory host each, converged with
# forks; the example fleet of playbooks/fleet too (tests/fleet/test_fleet.py).
fleet: setup
	@echo "== a fleet of portals converged by playbooks/converge_apps.yml, with forks"
	@mkdir -p $(REPORTS) && $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q \
	    --junitxml=$(REPORTS)/fleet.xml tests/fleet

# A real portal (DOCSPACE_URL, DOCSPACE_API_KEY; docs/docsite/rst/live_portal.rst): the integration targets, the
# demo and the emulator's HTTP-level tests with the differential report, through the live guard. The variables
# are checked before anything is set up.
.PHONY: test-live live-stand-in
test-live:
	@bash tests/live/run.sh --preflight
	@$(MAKE) --no-print-directory $(AT_COPY)
	@bash tests/live/run.sh $(AT_COPY)

# make test-live, whole, against an emulator standing in for a portal that holds other people's clients; first
# the guard's own tests (tests/live).
live-stand-in: $(AT_COPY)
	@echo "== make test-live against an emulator standing in for a portal"
	@mkdir -p $(REPORTS) && $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q \
	    --junitxml=$(REPORTS)/live-guard.xml tests/live
	@$(BIN)/python tests/live/stand_in.py $(AT_COPY)

# Every playbook and task list of the README, the user guide and the modules' EXAMPLES, run as printed against
# the emulator with an inventory and a PATH whose python3 lacks requests (tests/examples/run_examples.py); first
# the tests of the runner itself.
examples: setup
	@echo "== the examples of the README, the user guide and the modules' EXAMPLES, run against the emulator"
	@mkdir -p $(REPORTS) && $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q -n 2 \
	    --junitxml=$(REPORTS)/examples-runner.xml tests/examples
	@$(BIN)/python tests/examples/run_examples.py --junit $(REPORTS)/examples.xml

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

# ----- the stateful fault fuzzer (tests/fuzz/README.md) ----------------------------------------
# Random sequences of module runs (alone, two at once, killed) under random emulator faults, then the
# invariants. fuzz-ci: a fixed seed in about 150 s. fuzz: a fresh seed (or FUZZ_SEED) for FUZZ_SECONDS,
# then shrinks each new failure. Both fail on any violation, and when no sequence ran.
.PHONY: fuzz fuzz-ci
FUZZ_SEED ?=
FUZZ_SECONDS ?= 600
FUZZ_CI_SEED := 20261124
FUZZ_CI_SECONDS := 140
fuzz_oracle = $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q $(1) tests/fuzz/test_oracle.py

fuzz: setup
	@echo "== fault fuzzer: $(FUZZ_SECONDS) s, seed $(or $(FUZZ_SEED),fresh)"
	@mkdir -p $(REPORTS) && $(call fuzz_oracle,)
	@$(BIN)/python tests/fuzz/fuzz.py --seconds $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) --jobs 2 \
	    --shrink-seconds 300 --report $(REPORTS)/fuzz.json

fuzz-ci: setup
	@echo "== fault fuzzer: fixed seed $(FUZZ_CI_SEED), $(FUZZ_CI_SECONDS) s"
	@mkdir -p $(REPORTS) && $(call fuzz_oracle,--junitxml=$(REPORTS)/fuzz-oracle.xml)
	@$(BIN)/python tests/fuzz/fuzz.py --seed $(FUZZ_CI_SEED) --seconds $(FUZZ_CI_SECONDS) --jobs 2 \
	    --report $(REPORTS)/fuzz.json --junit $(REPORTS)/fuzz.xml

# A benchmark, not a test: measures against the emulator and writes docs/performance.md.
bench: setup
	@$(BIN)/python tests/bench/bench.py docs/performance.md

changelog: setup
	@antsibull-changelog release --version $$(sed -n 's/^version: //p' galaxy.yml) --update-existing

clean:
	rm -rf $(BUILD) $(AT_ROOT) tests/output
