# Every target bootstraps .venv itself from the lock file.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The production topology runs from the production lock only, installed as the Dockerfile does.
PROD_VENV := .venv-production
PROD_STAMP := $(PROD_VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM_PATH ?= $(CHROMIUM)
# Defined before the rules that need it (a prerequisite is expanded when its rule is read).
VNU_JAR := tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar
# JUnit XML of every run, and the traces and screenshots of failed browser tests (git-ignored).
RESULTS := test-results

.PHONY: install serve test test-unit test-postgres test-e2e test-production production i18n \
	bench lint chromium nginx guides statement

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Espace needs Python 3.11 or newer: set PYTHON=python3.11 (or newer)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

$(PROD_STAMP): requirements-production.lock pyproject.toml
	test -x $(PROD_VENV)/bin/python || $(PYTHON) -m venv $(PROD_VENV)
	$(PROD_VENV)/bin/python -m pip install -q --disable-pip-version-check --require-hashes \
		-r requirements-production.lock
	$(PROD_VENV)/bin/python -m pip install -q --disable-pip-version-check --no-deps \
		--no-build-isolation -e .
	touch $(PROD_STAMP)

## Serve on http://127.0.0.1:8000 with SQLite, the demo registry and the dev mailbox.
serve: $(STAMP)
	$(BIN)/espace migrate
	$(BIN)/espace demo
	$(BIN)/espace serve

## The whole suite: unit + HTTP on SQLite and (when TEST_DATABASE_URL is set) on PostgreSQL,
## side by side (the PostgreSQL run mostly waits on the database; the production virtualenv
## meanwhile, mostly downloads), then the browser tests, then the production smoke.
## The PostgreSQL run runs the tests that use the database (tests/conftest.py): one
## database per run, emptied after each test; the others run on SQLite only.
test: $(STAMP) chromium
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory lint && \
	$(MAKE) --no-print-directory -j3 --output-sync=target test-unit test-postgres $(PROD_STAMP) && \
	$(MAKE) --no-print-directory test-e2e && \
	$(MAKE) --no-print-directory test-production; \
	status=$$?; echo "== make test: $$(( $$(date +%s) - start )) s, $$([ $$status = 0 ] && echo passed || echo FAILED)"; \
	exit $$status

## The SQLite run is busy on the CPU: in one process (UNIT_WORKERS=0), it leaves the other core
## to the PostgreSQL run; more workers only pay their start again when both runs share 2 cores.
UNIT_WORKERS ?= 0
test-unit: $(STAMP)
	@echo "== unit and HTTP tests on SQLite (tests, components)"
	TEST_DATABASE_URL= $(BIN)/python -m pytest tests components -q -p no:cacheprovider -p no:playwright \
		-n $(UNIT_WORKERS) --dist loadfile --junitxml=$(RESULTS)/unit.xml

## The PostgreSQL run mostly waits on the server's answers: two workers (each on a database of
## its own) wait side by side; --dist loadfile keeps each file's tests in one worker, in order
## (tests/test_test_database.py's pair needs it; xdist's loadgroup does nothing on pytest 9.2).
PG_WORKERS ?= 2
test-postgres: $(STAMP)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== unit and HTTP tests on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(BIN)/python -m pytest tests -q -p no:cacheprovider -p no:playwright \
			-n $(PG_WORKERS) --dist loadfile --junitxml=$(RESULTS)/postgres.xml; \
	else echo "== TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

## Browser tests mostly wait (on the server, on the browser): three workers, each with its
## own server (on a copy of one prepared database) and browser, share the two cores best.
## The unit and HTTP runs go without pytest-playwright (-p no:playwright): no browser, and
## the plugin would empty test-results/ at their start.
E2E_WORKERS ?= 3
test-e2e: $(STAMP) chromium $(VNU_JAR)
	@echo "== browser tests (Chromium $(CHROMIUM_PATH), JS on and off, fr and en, axe, Nu HTML Checker)"
	@$(BIN)/python -m pytest e2e -q -p no:cacheprovider -n $(E2E_WORKERS) \
		--junitxml=$(RESULTS)/e2e.xml --output=$(RESULTS)/e2e \
		--tracing=retain-on-failure --screenshot=only-on-failure; status=$$?; \
	echo "== browser test results: $(RESULTS)/e2e.xml (JUnit); a trace and a screenshot of each" \
		"failed test in $(RESULTS)/e2e/<test>/ (open with .venv/bin/playwright show-trace)"; \
	exit $$status

## The production topology (deploy/topology.py: nginx + TLS, two `espace serve` on PostgreSQL,
## SMTP) and both journeys through it in Chromium, from the production lock's virtualenv.
test-production: $(STAMP) $(PROD_STAMP) chromium nginx
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== production smoke (nginx, TLS, 2 processes, PostgreSQL, SMTP, Chromium)"; \
		start=$$(date +%s); \
		$(BIN)/python -m pytest deploy/smoke -q -p no:cacheprovider \
			--junitxml=$(RESULTS)/production.xml --output=$(RESULTS)/production \
			--tracing=retain-on-failure --screenshot=only-on-failure; status=$$?; \
		echo "== production smoke: $$(( $$(date +%s) - start )) s"; exit $$status; \
	else echo "== TEST_DATABASE_URL not set: production smoke skipped"; fi

## The same topology, to try by hand (the certificate is a throw-away one: Ctrl-C stops).
production: $(STAMP) $(PROD_STAMP) nginx
	$(BIN)/python -m deploy.topology

nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; \
		else echo "nginx is missing: install Debian's 'nginx' package (sudo apt-get install nginx)"; exit 1; fi; \
	fi

## The Nu HTML Checker the browser tests run over every page state (npm's vnu-jar, locked in
## tools/vnu/package-lock.json; it needs Java: Debian's default-jre-headless).
$(VNU_JAR): tools/vnu/package-lock.json
	@command -v java >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
		else echo "Java is missing: install Debian's 'default-jre-headless' package"; exit 1; fi; }
	@command -v npm >/dev/null || { echo "npm is missing: install Debian's 'npm' package"; exit 1; }
	npm ci --prefix tools/vnu --no-audit --no-fund --ignore-scripts
	touch $(VNU_JAR)

chromium:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else echo "Chromium is missing: install Debian's 'chromium' package (sudo apt-get install chromium) or set CHROMIUM_PATH"; exit 1; fi; \
	fi

## The illustrated guides, from the guide journeys run in a fresh server (e2e/guides.py):
## docs/guides/<portal>.<lang>.html and .pdf, their WebP screens beside them.
guides: $(STAMP) chromium
	$(BIN)/python -m e2e.guides

## The accessibility statements' data from the last e2e run (test-results/accessibility.json).
statement: $(STAMP)
	$(BIN)/python -m e2e.audit

## Extract messages and update the fr / en catalogs (then translate what is new in fr).
i18n: $(STAMP)
	$(BIN)/python -m web.i18n_catalogs

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	@echo "== ruff"
	$(BIN)/ruff check -q web tests e2e bench components deploy
