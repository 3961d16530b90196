# The front door: `make demo` and `make test` set everything up from a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
BUILD := $(CURDIR)/.build
# ansible finds the collection through a link; ansible-test needs a real copy (see toolchain notes).
COLLECTIONS := $(BUILD)/collections
LINK := $(COLLECTIONS)/ansible_collections/onlyoffice/docspace
# Outside the work tree: inside it, ansible-test would ask git and skip the ignored copy.
AT_ROOT := $(or $(TMPDIR),/tmp)/onlyoffice.docspace-$(shell printf %s '$(CURDIR)' | md5sum | cut -c1-8)
AT_COPY := $(AT_ROOT)/ansible_collections/onlyoffice/docspace
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export ANSIBLE_FORCE_COLOR := 0
export PATH := $(BIN):$(PATH)

.PHONY: help setup demo test test-unit test-emulator test-integration test-build build sanity clean

help:
	@echo "make demo   start the DocSpace emulator and run playbooks/demo.yml twice, then clean up"
	@echo "make test   unit, emulator, integration and ansible-test sanity checks"

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@mkdir -p $(BUILD)
	@echo "== creating .venv from the pinned requirements (log: .build/pip.log)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip==25.3 >$(BUILD)/pip.log 2>&1 || (cat $(BUILD)/pip.log; exit 1)
	@$(BIN)/python -m pip install -q -r requirements-dev.txt >>$(BUILD)/pip.log 2>&1 || (cat $(BUILD)/pip.log; exit 1)
	@touch $@

$(LINK):
	@mkdir -p $(dir $(LINK))
	@ln -sfn $(CURDIR) $(LINK)

setup: $(BIN)/.installed $(LINK)

demo: setup
	@bash tests/utils/demo.sh

REPORTS := $(BUILD)/reports

test: setup
	@rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	@$(MAKE) --no-print-directory test-unit test-emulator test-integration test-build sanity
	@echo "== make test: every check passed"
	@$(BIN)/python tests/utils/summary.py $(REPORTS)

test-unit: setup
	@echo "== unit tests"
	@cd $(COLLECTIONS) && $(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q \
	    --junitxml=$(REPORTS)/unit.xml $(LINK)/tests/unit \
	    --cov=ansible_collections.onlyoffice.docspace.plugins --cov-report=term-missing:skip-covered

test-emulator: setup
	@echo "== emulator tests"
	@$(BIN)/python -m pytest -p no:cacheprovider -p no:pytest-ansible -q --junitxml=$(REPORTS)/emulator.xml tests/emulator

# ansible-test runs from a real ansible_collections/<ns>/<name> directory: sync a copy.
$(AT_COPY): setup
	@rm -rf $(AT_COPY) && mkdir -p $(AT_COPY)
	@tar -C $(CURDIR) --exclude=./.venv --exclude=./.build --exclude=./.git --exclude=./tests/output \
	    --exclude=__pycache__ --exclude=./.pytest_cache -cf - . | tar -C $(AT_COPY) -xf -

.PHONY: $(AT_COPY)

test-integration: $(AT_COPY)
	@echo "== integration tests against the emulator"
	@mkdir -p $(REPORTS) && bash tests/utils/integration.sh $(AT_COPY) $(AT_ARGS) 2>&1 | tee $(REPORTS)/integration.log

sanity: $(AT_COPY)
	@echo "== ansible-test sanity (no ignore file)"
	@test ! -e tests/sanity/ignore-2.19.txt
	@bash tests/utils/ansible_test_shim.sh
	@mkdir -p $(REPORTS) && cd $(AT_COPY) && rm -rf tests/output && \
	    ansible-test sanity --python 3.11 --local --color no 2>&1 | tee $(REPORTS)/sanity.log

DIST := $(BUILD)/dist
INSTALLED := $(BUILD)/installed

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
	@ANSIBLE_COLLECTIONS_PATH=$(INSTALLED) ansible-doc onlyoffice.docspace.docspace_oauth_client | grep 'installed/ansible_collections/onlyoffice/docspace/plugins/modules/docspace_oauth_client.py' >/dev/null
	@ANSIBLE_COLLECTIONS_PATH=$(INSTALLED) bash tests/utils/demo.sh >$(BUILD)/test-build.log 2>&1 \
	    || (cat $(BUILD)/test-build.log; exit 1)
	@mkdir -p $(REPORTS) && echo "Running installed-collection test" >> $(REPORTS)/build.log
	@echo "built, installed, documented and demoed: ok"

clean:
	rm -rf $(BUILD) $(AT_ROOT) tests/output
