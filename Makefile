# cloudops.fargate: build the stack on the local AWS emulator, run every check CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
AWS_ENDPOINT_URL ?= http://127.0.0.1:4566
INVENTORY ?= inventories/local
export AWS_ENDPOINT_URL
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# Keep the venv's tools first so ansible-playbook, molecule and pytest are the pinned ones.
export PATH := $(CURDIR)/$(BIN):$(PATH)

STAMP := $(VENV)/.installed
# Realistic mode of the emulator (README, "Realistic mode"): make up REALISTIC=1 [TIME_SCALE=0.05] [THROTTLE_RATE=0.1]
ifneq ($(REALISTIC),)
export EMULATOR_REALISTIC := $(REALISTIC)
endif
ifneq ($(TIME_SCALE),)
export EMULATOR_TIME_SCALE := $(TIME_SCALE)
endif
ifneq ($(THROTTLE_RATE),)
export EMULATOR_THROTTLE_RATE := $(THROTTLE_RATE)
endif
# A prefix for the suites that should yield the CPU (make test sets it to nice).
NICE ?=

.PHONY: help venv servers up down emulator emulator-stop test checks unit integration molecule packaging sanity docs lint benchmark clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): requirements.txt tools/code_cache.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -r requirements.txt
	@# The test harnesses' cache of what every module run parses again (tools/code_cache.py): imported only by a
	@# process whose environment sets CLOUDOPS_TEST_CODE_CACHE, which user runs never do.
	@site=$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') && \
	  cp tools/code_cache.py "$$site/cloudops_test_code_cache.py" && \
	  echo "import os; os.environ.get('CLOUDOPS_TEST_CODE_CACHE') and __import__('cloudops_test_code_cache')" \
	    > "$$site/cloudops_test_code_cache.pth"
	@# Byte-compiled once here, in parallel: where PYTHONDONTWRITEBYTECODE is set, Python never caches what it
	@# compiles, and every module run, playbook and emulator would compile boto3, botocore and ansible again
	@# (a third of a playbook's CPU).
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null
	@touch $@

venv: $(STAMP) ## Create .venv and install the pinned dependencies

emulator: $(STAMP) ## Start the local AWS emulator in the background (port from AWS_ENDPOINT_URL)
	$(BIN)/python -m emulator start

emulator-stop: ## Stop the local AWS emulator
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m emulator stop; else echo "no venv, nothing to stop"; fi

up: emulator ## Build every stack of the local inventory on the emulator and print its outputs
	$(BIN)/ansible-playbook -i $(INVENTORY) site.yml

down: $(STAMP) ## Tear the local stacks down and stop the emulator
	@if $(BIN)/python -m emulator status >/dev/null 2>&1; then \
	  $(BIN)/ansible-playbook -i $(INVENTORY) playbooks/teardown.yml; \
	else echo "emulator not running: nothing to tear down"; fi
	$(BIN)/python -m emulator stop

unit: $(STAMP) servers ## Unit tests: module logic, plugins, emulator extensions
	$(NICE) $(BIN)/pytest tests/unit -q -n 2

servers: ## Install nginx and docker-registry from Debian's packages (the tests run them on 127.0.0.1), if missing
	tools/install_test_servers.sh

integration: $(STAMP) servers ## Integration tests: the real playbooks against an emulator on a free port
	$(BIN)/pytest tests/integration -q -n 3 --dist loadfile --durations=25

molecule: $(STAMP) ## Molecule scenarios, one per role, against an emulator on a free port
	$(NICE) $(BIN)/python tests/molecule_runner.py

docs: $(STAMP) ## Regenerate the roles' variable tables from their argument specs
	$(BIN)/python tools/role_readme.py

lint: $(STAMP) ## ansible-lint (production profile) and yamllint
	$(NICE) $(BIN)/yamllint --strict .
	$(NICE) $(BIN)/ansible-lint

sanity: $(STAMP) ## ansible-test sanity on a copy under ansible_collections/cloudops/fargate (offline pip bootstrap)
	$(NICE) $(BIN)/python tools/sanity.py

packaging: $(STAMP) ## The built artifact installs and runs; the EE build context; a run through ansible-runner as AWX does
	$(NICE) $(BIN)/pytest tests/packaging -q

# The suites run side by side, the emulator-bound ones each with its own emulators on free ports; the
# CPU is what they share. Integration has the longest chains of playbook runs, so it starts first and
# the rest yield to it (nice), except the unit tests, some of which time the emulator's transitions;
# lint, unit and sanity run one after the other beside it. The whole run is CPU-bound, so the niced suites
# take what integration leaves idle while it waits on the emulator.
# --output-sync keeps each suite's log in one piece.
test: $(STAMP) servers ## Everything CI checks
	$(MAKE) --no-print-directory -j4 --output-sync=target integration checks molecule packaging NICE="nice -n 19"

checks: $(STAMP) ## lint, unit and sanity, one after the other
	$(MAKE) --no-print-directory -j1 lint unit sanity

benchmark: $(STAMP) ## Wall, CPU, API calls of converges, drift, preflight, teardown; REALISTIC=1 [TIME_SCALE=]: against the critical path
	$(BIN)/python tests/benchmark.py

clean: emulator-stop ## Remove the venv and local state
	rm -rf $(VENV) .emulator .pytest_cache
