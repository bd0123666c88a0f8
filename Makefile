# alu-docs: the secretary's commands. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
PY := $(VENV)/bin/python
ALU := $(VENV)/bin/alu-docs
STAMP := $(VENV)/.installed
# What the PDFs need (LibreOffice, fonts; libgs-common: the packet's sRGB profile; python3-uno:
# the warm converter) and what the tests read them back with (poppler-utils also gives pdfsig
# for signatures; chromium opens index.html; faketime moves the clock in the reproducibility
# test); for attachments: Ghostscript (PDF/A, fonts embedded), Tesseract with Norwegian (OCR of
# scans, run by OCRmyPDF from PyPI), jbig2dec (JBIG2-compressed scans).
APT_PACKAGES := libreoffice-writer-nogui fonts-crosextra-carlito fonts-crosextra-caladea \
	fonts-dejavu-core fonts-noto-color-emoji poppler-utils qpdf ghostscript libgs-common \
	python3-uno chromium faketime tesseract-ocr tesseract-ocr-nor jbig2dec

.PHONY: help meeting test quick check archive index new-case new-meeting schema system templates lint bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-13s %s\n", $$1, $$2}'

meeting: $(STAMP) system ## build one meeting: make meeting DATE=2025-08-27
	@test -n "$(DATE)" || { echo "usage: make meeting DATE=YYYY-MM-DD" >&2; exit 2; }
	@$(ALU) build $(DATE)

test: $(STAMP) system ## run ruff and the whole test suite (real LibreOffice, PDFs read back, faults injected)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

quick: $(STAMP) system ## ruff and the tests without the slow fault and corpus tests
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q -m "not slow"

check: $(STAMP) ## validate every meeting (or DATE=…), write nothing
	@$(ALU) check $(DATE)

archive: $(STAMP) system ## rebuild every meeting and the index
	@$(ALU) build --all

index: $(STAMP) system ## rebuild archive/index.pdf
	@$(ALU) index

new-case: $(STAMP) ## add a case skeleton to a meeting: make new-case DATE=…
	@test -n "$(DATE)" || { echo "usage: make new-case DATE=YYYY-MM-DD" >&2; exit 2; }
	@$(ALU) new-case $(DATE)

new-meeting: $(STAMP) ## create a meeting folder: make new-meeting DATE=…
	@test -n "$(DATE)" || { echo "usage: make new-meeting DATE=YYYY-MM-DD" >&2; exit 2; }
	@$(ALU) new-meeting $(DATE)

schema: $(STAMP) ## regenerate meeting.schema.json (the JSON Schema editors read)
	$(ALU) schema > meeting.schema.json

templates: $(STAMP) ## regenerate the Word templates in templates/
	$(PY) scripts/make_templates.py templates

lint: $(STAMP) ## ruff
	$(VENV)/bin/ruff check .

bench: $(STAMP) system ## benchmarks (one run): build, warm rebuild, watch, check DATE, search, full and no-op rebuild, attachments
	@uptime
	$(PY) bench/bench_build.py
	$(PY) bench/bench_check.py
	$(PY) bench/bench_archive.py
	$(PY) bench/bench_normalise.py --big
	@uptime

system: ## install LibreOffice, fonts, poppler, qpdf, Ghostscript and Tesseract with apt when missing (as root)
	@scripts/ensure-system $(APT_PACKAGES)

$(STAMP): pyproject.toml
	@scripts/ensure-python
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

clean: ## remove the virtual environment and caches (not the archive)
	rm -rf $(VENV) .pytest_cache .ruff_cache
