# opsync: `make demo` and `make test` are the two commands a newcomer needs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.installed-dev
# What mysqlclient needs to compile, and venv its pip (Debian/Ubuntu package names): it has no Linux
# wheel, and builds against Python's headers and MariaDB's client library.
SYSTEM_PACKAGES := pkg-config libmariadb-dev gcc python3-dev python3-venv
# Whether this Python can make a virtualenv with pip, and has the headers extensions compile against.
PYTHON_READY := $(PYTHON) -c "import ensurepip, os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))"

.PHONY: demo test lint format lock system-deps clean-demo

# What the demo writes is its user's alone: .env, the two SQLite databases (password hashes, sessions)
# and the log. A recipe's lines are shells of their own: each one says so.
PRIVATE := umask 077 &&

# Virtualenv, install, a demo FAC (SQLite), migrate (which makes the mirror of each table the mapping
# file declares, from FAC's columns: so FAC comes first), a sync of it, and where it stands.
demo: $(INSTALLED) .env
	@$(PRIVATE) if [ -f facturation.sqlite3 ]; then echo "La base FAC de démonstration facturation.sqlite3 existe déjà (make clean-demo pour la refaire)."; \
	else $(PY) manage.py build_demo_facturation; fi
	$(PRIVATE) $(PY) manage.py migrate --noinput -v 0
	$(PRIVATE) $(PY) manage.py sync_from_facturation
	$(PRIVATE) $(PY) manage.py sync_from_facturation --status
	@chmod -R go-rwx .env db.sqlite3 facturation.sqlite3 logs  # those an earlier demo left open
	@echo "Terminé : la base OPS de démonstration est db.sqlite3. Ensuite : $(PY) manage.py createsuperuser && $(PY) manage.py runserver ; et, dans un autre terminal, $(PY) manage.py sync_from_facturation --watch, qui tient OPS à jour comme cron le ferait (sans rien de planifié, le tableau de bord passe à l’orange au bout de 7 minutes)."

# On MariaDB, then the same suite on SQLite, whatever the first pass found: both results are shown,
# and the exit status is the first pass's failure, else the second's.
test: $(DEV_INSTALLED)
	@first=0; $(PY) -m pytest || first=$$?; \
	if [ "$$($(PY) -m tests.backend)" != mariadb ]; then exit $$first; fi; \
	echo "--- the same suite on SQLite, for what SQLite can show ---"; \
	second=0; OPSYNC_TEST_DB=sqlite $(PY) -m pytest -q || second=$$?; \
	echo "make test: MariaDB pass exit $$first, SQLite pass exit $$second"; \
	if [ $$first -ne 0 ]; then exit $$first; fi; exit $$second

# mypy checks what pyproject.toml's [tool.mypy] names, with django-stubs' plugin, which loads tests.settings:
# on SQLite, so that linting asks no server whether it answers.
lint: $(DEV_INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	OPSYNC_TEST_DB=sqlite $(VENV)/bin/mypy

format: $(DEV_INSTALLED)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean-demo:
	rm -f db.sqlite3 facturation.sqlite3

.env:
	install -m 600 .env.example .env
	echo "SYNC_MAPPING_FILE=deploy/mapping.demo.toml" >> .env
	@echo ".env créé à partir de .env.example (réglages de développement : DEBUG=true, SQLite, et la table navires que déclare deploy/mapping.demo.toml)."

# Production's packages only, each pinned with its hashes (requirements.txt, compiled by `make lock`).
$(INSTALLED): requirements.txt
	@$(MAKE) --no-print-directory system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

# Then the test and lint tools, locked the same way (requirements-dev.txt).
$(DEV_INSTALLED): $(INSTALLED) requirements-dev.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@

# Recompile the lock files from requirements.in and requirements-dev.in. Every pin stays as it is
# unless asked: `make lock UPGRADE=django` moves Django (and what it needs) to its newest release
# that the .in file allows.
LOCK := $(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: $(DEV_INSTALLED)
	$(LOCK) $(if $(UPGRADE),--upgrade-package $(UPGRADE)) -o requirements.txt requirements.in
	$(LOCK) $(if $(UPGRADE),--upgrade-package $(UPGRADE)) -o requirements-dev.txt requirements-dev.in

# mysqlclient compiles against the MariaDB client library and Python's headers: install them when we can.
system-deps:
	@if (pkg-config --exists libmariadb 2>/dev/null || pkg-config --exists mysqlclient 2>/dev/null) \
		&& $(PYTHON_READY) 2>/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing $(SYSTEM_PACKAGES) for mysqlclient"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	else \
		echo "mysqlclient needs the MariaDB client and Python headers: run  sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; \
	fi
