# The two commands of the README: `make run` and `make test`. Both set up
# everything they need (system packages, virtual environment, translations)
# and, with no DATABASE_URL, start and stop the embedded PostgreSQL.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WITH_DB := $(PY) -m devtools.devdb run --

.PHONY: setup run dev test lint bench messages

$(VENV)/.installed: requirements.txt requirements-dev.txt system-packages.txt scripts/setup-system.sh
	./scripts/setup-system.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	DEBUG=true $(PY) manage.py compilemessages -v 0 \
		--ignore=.venv --ignore=.pgdata --ignore=media --ignore=staticfiles

# `make run` serves the way production does: DEBUG off, gunicorn, static files
# collected and served by whitenoise, the app's own error pages. The signing key
# it needs is made once per checkout, in .secret_key (not in git). Beside the
# server runs the background worker that runs imports and batch printing
# (django-tasks' database queue); Ctrl-C stops both, and the embedded database.
.secret_key:
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

run: setup .secret_key
	DEBUG=false HTTPS=false SECRET_KEY="$$(cat .secret_key)" $(WITH_DB) sh -c '\
		$(PY) manage.py migrate --no-input -v 0 && \
		$(PY) manage.py seed_demo && \
		$(PY) manage.py collectstatic --no-input -v 0 && \
		{ $(PY) manage.py db_worker --no-reload & } && \
		trap "kill $$! 2>/dev/null; wait" EXIT INT TERM && \
		$(VENV)/bin/gunicorn archive_site.wsgi --bind 127.0.0.1:$${PORT:-8000} \
			--workers 2 --threads 4 --worker-class gthread --access-logfile -'

# For developing: runserver with auto-reload and Django's debug pages; the worker
# reloads on code changes too.
dev: setup
	DEBUG=true HTTPS=false $(WITH_DB) sh -c '\
		$(PY) manage.py migrate --no-input -v 0 && \
		$(PY) manage.py seed_demo && \
		{ $(PY) manage.py db_worker --reload & } && \
		trap "kill $$! 2>/dev/null; wait" EXIT INT TERM && \
		$(PY) manage.py runserver $${PORT:-8000}'

test: setup
	DEBUG=false HTTPS=false SECRET_KEY=test-only $(WITH_DB) sh -c '\
		$(PY) manage.py makemigrations --check --dry-run -v 0 && \
		$(PY) -m pytest -n 2 $(PYTEST_ARGS)'

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The page, load and judgement benchmarks run at the generator's default scale
# (20 000 customers, 500 000 objections); the import, export and printing ones at
# sizes that keep the whole run within 20 minutes on a 2-core machine. Their full
# sizes (20 000 customers and 100 000 objections imported, 200 000 exported, 50-part
# batch ×3, 200 judgement calls, 15 s per load case): `make bench BENCH_SIZES=`.
BENCH_SIZES ?= BENCH_IMPORT_CUSTOMERS=5000 BENCH_IMPORT_OBJECTIONS=20000 BENCH_STOCK_ROWS=1000 \
	BENCH_EXPORT=100000 BENCH_STOCK_EXPORT=5000 BENCH_RUNS=3 BENCH_BATCH_RUNS=1 \
	BENCH_CALLS=100 BENCH_LOAD_SECONDS=10

bench: setup
	env $(BENCH_SIZES) ARCHIVE_DB_NAME=archive_bench DEBUG=false HTTPS=false SECRET_KEY=bench-only $(WITH_DB) sh -c '\
		$(PY) manage.py migrate --no-input -v 0 && \
		$(PY) manage.py collectstatic --no-input -v 0 && $(PY) -m bench $(BENCH)'

# Refresh the English catalogue after adding or changing Chinese source strings.
messages: setup
	DEBUG=true $(PY) manage.py makemessages -l en \
		--ignore=.venv --ignore=.pgdata --ignore=tests --ignore=media --ignore=staticfiles --ignore=bench
