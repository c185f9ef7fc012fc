# KL14 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test install lint messages bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	mkdir -p var/celery/queue var/celery/control media
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py signing_demo
	$(BIN)/python manage.py seed_demo
	@echo "KL14 at http://127.0.0.1:$${PORT:-8000}/ — demo accounts: see README.md (password: $${DEMO_PASSWORD:-kl14-demo-2026})"
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-kl14.settings.local} \
	  KL14_SITE_URL=$${KL14_SITE_URL:-http://127.0.0.1:$${PORT:-8000}} \
	  $(BIN)/honcho --procfile Procfile.dev start --port $${PORT:-8000}

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	DJANGO_SETTINGS_MODULE=kl14.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m playwright --version >/dev/null
	$(BIN)/pytest -n $${KL14_TEST_WORKERS:-auto} $(PYTEST_ARGS)

messages: install
	$(BIN)/python manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

# BENCH_ARGS="--proposals 100000 --units 5000 --users 100000" make bench: a smaller country.
# It serves the app as docker-compose.yml does, behind nginx (installed here if missing, as root).
bench: install
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx)
	$(BIN)/python bench/reminders.py
	$(BIN)/python bench/import_province.py
	$(BIN)/python bench/national.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var staticfiles db.sqlite3
