# Portal TKDN-IK. `make run` starts the portal with demo data; `make test` runs the whole suite.
# Both install what they need (system packages with apt-get when missing, a virtualenv, Python packages).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Development values for `make run` (settings.py defaults are production-safe).
# E-mails go to files under var/mail/ (one log line each), not base64 into the terminal; logs are
# readable lines (LOG_FORMAT=text), not JSON.
RUN_ENV := DEBUG=true SECURE_SSL_REDIRECT=false EMAIL_URL=filemail:// LOG_FORMAT=text

.PHONY: backup restore bench install install-test system-deps run test test-fast lint format migrations-check messages demo vendor clean

# System libraries: libpq for psycopg2 (built from source), Pango/fonts for WeasyPrint, Chromium
# for the browser tests. Installed only when missing, so a re-run costs nothing.
SYSTEM_PACKAGES := gcc libpq-dev python3-dev libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
	fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 shared-mime-info
TEST_SYSTEM_PACKAGES := chromium gettext poppler-utils wrk softhsm2

# Install the named Debian packages that are missing; nothing when all are present.
define ensure_apt
	@missing=""; for pkg in $(1); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

# Install a Debian package when a command is missing (java, npm: a machine may have them from
# elsewhere, e.g. Node.js's own packages, which the Debian package would conflict with).
define ensure_command
	@command -v $(1) >/dev/null 2>&1 || { \
	  echo "Installing $(2) (for $(1))"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(2); }
endef

# The Nu HTML checker of tests/test_html_validity.py: vnu-jar from npm, pinned by
# package-lock.json, run on the JRE. Reinstalled only when the lock changed.
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

system-deps:
	$(call ensure_apt,$(SYSTEM_PACKAGES))

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock changed (a stamp file records the last install). The lock pins
# every package that pyproject.toml declares (with its ranges); tests/test_project.py checks that.
$(VENV)/.installed: requirements.lock | $(VENV)/bin/activate
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

install: system-deps $(VENV)/.installed

install-test: install
	$(call ensure_apt,$(TEST_SYSTEM_PACKAGES))
	$(call ensure_command,java,default-jre-headless)
	$(call ensure_command,npm,npm)
	@$(MAKE) --no-print-directory $(VNU_JAR)

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_demo
	@echo "Portal: http://$(HOST):$(PORT)/   Admin: http://$(HOST):$(PORT)/admin/   (Ctrl-C stops web and worker)"
	@$(RUN_ENV) bash -c 'trap "kill \$$(jobs -p) 2>/dev/null; wait" INT TERM EXIT; \
	  $(VENV)/bin/celery -A tkdnportal worker --loglevel=INFO --concurrency=1 \
	    --max-tasks-per-child=50 --beat --schedule var/celerybeat-schedule & \
	  $(PY) manage.py runserver $(HOST):$(PORT) & \
	  wait -n'


test: install-test
	$(PY) manage.py makemigrations --check --dry-run --settings=tkdnportal.settings_test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	$(VENV)/bin/pytest

test-fast: install
	$(VENV)/bin/pytest -m "not slow"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run --settings=tkdnportal.settings_test

demo: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_demo

# Extract translatable strings into locale/en (translate the new msgstr) and compile them.
messages: install-test
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var --ignore=tests
	msgfmt --check -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

# Backup and restore of the PostgreSQL database and the media folder (docs/operations.md).
# DATABASE_URL and MEDIA_ROOT as in production; BACKUP_DIR defaults to ./backups.
BACKUP_DIR ?= backups
STAMP := $(shell date -u +%Y%m%dT%H%M%SZ)
backup:
	@test -n "$(DATABASE_URL)" || { echo "DATABASE_URL must name the PostgreSQL database"; exit 2; }
	@test -d "$(MEDIA_ROOT)" || { echo "MEDIA_ROOT must be the media folder"; exit 2; }
	mkdir -p "$(BACKUP_DIR)"
	pg_dump --format=custom --no-owner --no-privileges --file="$(BACKUP_DIR)/db-$(STAMP).dump" "$(DATABASE_URL)"
	tar -czf "$(BACKUP_DIR)/media-$(STAMP).tar.gz" -C "$(MEDIA_ROOT)" .
	@echo "Backup: $(BACKUP_DIR)/db-$(STAMP).dump $(BACKUP_DIR)/media-$(STAMP).tar.gz"

# make restore DB_DUMP=backups/db-….dump MEDIA_TAR=backups/media-….tar.gz (into an empty or old database)
restore:
	@test -n "$(DATABASE_URL)" -a -f "$(DB_DUMP)" -a -f "$(MEDIA_TAR)" || { echo "usage: make restore DATABASE_URL=… MEDIA_ROOT=… DB_DUMP=… MEDIA_TAR=…"; exit 2; }
	pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --dbname="$(DATABASE_URL)" "$(DB_DUMP)"
	mkdir -p "$(MEDIA_ROOT)"
	tar -xzf "$(MEDIA_TAR)" -C "$(MEDIA_ROOT)"
	@echo "Restored $(DB_DUMP) and $(MEDIA_TAR)"

# The benchmark suite (bench/README.md): PostgreSQL and Redis on 127.0.0.1, results appended there.
bench: install-test
	$(PY) bench/run.py $(BENCH_ARGS)

# Refresh the vendored front-end assets from the npm registry (run by a developer, not at run time).
# axe-core goes to tests/browser/vendor/: the browser tests inject it, users are never served it.
vendor:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	npm install --prefix "$$tmp" --no-audit --no-fund --ignore-scripts bootstrap@5.3.9 htmx.org@2.0.11 chart.js@4.6.1 \
	  axe-core@4.14.1 >/dev/null; \
	nm="$$tmp/node_modules"; mkdir -p static/vendor/bootstrap static/vendor/htmx; \
	cp "$$nm"/bootstrap/dist/css/bootstrap.min.css* "$$nm"/bootstrap/dist/js/bootstrap.bundle.min.js* \
	   "$$nm"/bootstrap/LICENSE static/vendor/bootstrap/; \
	cp "$$nm"/htmx.org/dist/htmx.min.js "$$nm"/htmx.org/LICENSE static/vendor/htmx/; \
	mkdir -p static/vendor/chartjs; \
	cp "$$nm"/chart.js/dist/chart.umd.min.js* "$$nm"/chart.js/LICENSE.md static/vendor/chartjs/; \
	mkdir -p tests/browser/vendor/axe-core; \
	cp "$$nm"/axe-core/axe.min.js "$$nm"/axe-core/LICENSE tests/browser/vendor/axe-core/

clean:
	rm -rf var/ .pytest_cache node_modules/
