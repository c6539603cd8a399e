# Resoc: `make demo` to try it, `make test` to run the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast test-pg lint format messages clean browsers

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

# Debian's Chromium for the browser tests (browsers cannot be downloaded), Pango and fonts for
# WeasyPrint's PDFs.
SYSTEM_PACKAGES := chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
browsers:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Install these Debian packages for the browser tests and PDFs: $$missing"; exit 1; fi; fi

demo: install
	RESOC_DEMO=1 $(BIN)/resoc demo --port $(PORT)

test: install browsers
	$(BIN)/ruff check resoc benchmarks
	$(BIN)/ruff format --check resoc benchmarks
	mkdir -p var
	$(BIN)/resoc makemigrations --check --dry-run --settings=resoc.settings_test >/dev/null
	$(BIN)/pytest -n 2 --dist loadfile

test-fast: install
	$(BIN)/pytest -n 2 --dist loadfile -m "not browser"

lint: install
	$(BIN)/ruff check resoc benchmarks
	$(BIN)/ruff format --check resoc benchmarks

format: install
	$(BIN)/ruff check --fix resoc benchmarks
	$(BIN)/ruff format resoc benchmarks

messages: install
	cd resoc && ../$(BIN)/resoc makemessages -l sr_Latn -l sq -l bs --ignore '*/tests/*'
	cd resoc && ../$(BIN)/resoc compilemessages

clean:
	rm -rf $(VENV) var

# The suite on a throwaway PostgreSQL 15 cluster (as .ci/run does).
test-pg: install browsers
	@dir=$$(mktemp -d /tmp/resoc-pg.XXXXXX); url=$$(.ci/pg start $$dir); \
	DATABASE_URL=$$url $(BIN)/pytest -n 2 --dist loadfile; rc=$$?; .ci/pg stop $$dir; exit $$rc
