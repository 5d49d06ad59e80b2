# espacep-reports: set-up, reports and tests.
#
#   make report   create .venv, install everything, render the reports of data/synthetic/ into outputs/
#   make test     same set-up (with the test extras), then ruff (lint, format check), mypy and pytest
#   make bench    run the benchmarks (benchmarks/run.py, 15-30 min; results in benchmarks/results.json)
#   make clean    remove .venv, outputs and caches (keeps data/)
#
# Variables: PYTHON (default python3, must be >= 3.11), REPORT_ARGS (passed to `espacep report`).
# Stamp files in .venv/ make a second run skip the installation; editing pyproject.toml re-installs.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP_BASE := $(VENV)/.stamp-install
STAMP_TEST := $(VENV)/.stamp-install-test
REPORT_ARGS ?= --data data/synthetic --output outputs --years 2017-2020 --book

# System libraries WeasyPrint (the PDF engine) loads, as Debian/Ubuntu name them
# (WeasyPrint docs, "Installation > Debian/Ubuntu"; fonts-dejavu-core: the report's font).
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core
# Installed too when the distribution has it (Debian >= 12): faster, deterministic font subsetting.
DEBIAN_OPTIONAL := libharfbuzz-subset0

.PHONY: help report test lint bench clean sysdeps browser

help:
	@echo "make report   set up .venv and render the reports on the synthetic data into outputs/"
	@echo "make test     set up .venv (with test extras), run ruff, mypy and the test suite"
	@echo "make bench    run the benchmarks of the batch and the indicators (see BENCHMARKS.md)"
	@echo "make clean    remove .venv, outputs/ (except .gitkeep) and caches"

report: $(STAMP_BASE) sysdeps
	@$(PDF_CHECK)
	$(VENV)/bin/espacep report $(REPORT_ARGS)

test: $(STAMP_TEST) sysdeps browser
	@$(PDF_CHECK)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy espacep_analysis
	$(VENV)/bin/pytest

BENCH_ARGS ?=
bench: $(STAMP_BASE) sysdeps
	@$(PDF_CHECK)
	$(VPY) benchmarks/run.py $(BENCH_ARGS)

# --- Python and the virtualenv ------------------------------------------------------------
$(VPY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "error: '$(PYTHON)' not found. Install Python >= 3.11 (Debian/Ubuntu: apt-get install python3 python3-venv)," >&2; \
	  echo "       or point make at one: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "error: Python >= 3.11 is needed; '$(PYTHON)' is $$($(PYTHON) -V 2>&1)." >&2; \
	  echo "       Install a newer Python and run: make PYTHON=python3.11 ..." >&2; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || $(MAKE) --no-print-directory python-venv
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "error: '$(PYTHON) -m venv $(VENV)' failed (see above)." >&2; exit 1; }

# Debian/Ubuntu split the venv module out of python3: install it as root, else say how.
.PHONY: python-venv
python-venv:
	@pkg="python$$($(PYTHON) -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"; \
	if [ -r /etc/debian_version ] && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing $$pkg (Python's venv module)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$$pkg"; \
	else \
	  echo "error: Python's venv module is missing. On Debian/Ubuntu: sudo apt-get install $$pkg" >&2; exit 1; \
	fi

$(STAMP_BASE): pyproject.toml | $(VPY)
	$(VPY) -m pip install --disable-pip-version-check -e .
	@touch $@

$(STAMP_TEST): pyproject.toml | $(VPY)
	$(VPY) -m pip install --disable-pip-version-check -e '.[test]'
	@touch $(STAMP_BASE) $@

# --- System libraries for the PDF engine -----------------------------------------------------
# On Debian/Ubuntu: install what is missing when root (apt-get), otherwise name the packages.
sysdeps:
	@if [ -r /etc/debian_version ] && command -v dpkg >/dev/null 2>&1; then \
	  missing=""; \
	  for p in $(DEBIAN_PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  for p in $(DEBIAN_OPTIONAL); do \
	    if ! dpkg -s "$$p" >/dev/null 2>&1 && apt-cache show "$$p" >/dev/null 2>&1; then missing="$$missing $$p"; fi; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	      echo "Installing the PDF engine's system libraries:$$missing"; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	    else \
	      echo "error: the PDF engine (WeasyPrint) needs these system packages:$$missing" >&2; \
	      echo "       install them with: sudo apt-get install -y$$missing" >&2; \
	      echo "       (or run make as root, which installs them)" >&2; exit 1; \
	    fi; \
	  fi; \
	fi

# The browser of the 375 px layout test (tests/test_layout.py): Debian's chromium, installed when
# root; otherwise that test is skipped with its reason (install chromium to run it).
.PHONY: browser
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ -r /etc/debian_version ] && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing chromium (headless browser of the layout test)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; } \
	    || echo "warning: chromium could not be installed; the 375 px layout test will be skipped" >&2; \
	else \
	  echo "note: no chromium; the 375 px layout test will be skipped (Debian: sudo apt-get install chromium)" >&2; \
	fi

# Everywhere (Debian or not): fail early, in plain words, if WeasyPrint cannot load Pango.
define PDF_CHECK
$(VPY) -c 'import weasyprint' >/dev/null 2>&1 || { \
  echo "error: WeasyPrint cannot load its system libraries (Pango >= 1.44, HarfBuzz, fontconfig, a font)." >&2; \
  echo "       Debian/Ubuntu: apt-get install $(DEBIAN_PACKAGES)" >&2; \
  echo "       Fedora: dnf install pango; macOS: brew install pango;" >&2; \
  echo "       see https://doc.courtbouillon.org/weasyprint/stable/first_steps.html" >&2; \
  $(VPY) -c 'import weasyprint' 2>&1 | tail -n 1 >&2; exit 1; }
endef

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info
	find outputs -mindepth 1 ! -name .gitkeep -exec rm -rf {} + 2>/dev/null || true
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
