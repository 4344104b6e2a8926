# actviz_widgets developer tasks.  Needs only python3 (>= 3.10) and make.
#
#   make venv    create .venv (reused if present) and install the package
#                in editable mode with the [test,lab,app,browser,fast] extras
#   make test    unit tests (both cores, random order), browser tests
#                (tests/browser), then both editions of the lessons in every
#                language (notebooks/learner, notebooks/teacher, notebooks/zh/...)
#                under nbval; the browser tests need Debian's chromium
#                (/usr/bin/chromium) and are skipped, saying so, without it
#   make browser only the end-to-end browser tests (tests/browser)
#   make test-floors
#                unit tests in a second environment (build/venv-floors) at
#                the lowest versions pyproject.toml declares (numpy,
#                matplotlib, ipywidgets, ...) on the oldest supported Python
#                (found on the PATH or in pyenv;
#                or FLOORS_PYTHON=/path/to/python3.10): a floor stays true
#   make editions
#                rebuild both editions of every lesson from notebooks/source
#                and execute them (after editing a lesson or the widgets)
#   make lab     start JupyterLab on the learner's edition, notebooks/learner
#                  LANG=zh            the Chinese lessons, notebooks/zh/learner
#                                     (also chosen by a zh_* locale; LANG=en
#                                     for English there)
#                  NO_BROWSER=1       do not open a browser (headless machines)
#                  LAB_ARGS='...'     extra arguments for `jupyter lab`,
#                                     e.g. LAB_ARGS='--port 8899'
#                Running as root adds --allow-root (Jupyter refuses root otherwise).
#   make app LESSON=notebooks/learner/02_....ipynb
#                serve one lesson as a standalone Voila page (no code, just
#                the widgets: for projecting in class); NO_BROWSER=1 and
#                APP_ARGS='...' (e.g. APP_ARGS='--port=8867') as for lab
#   make screenshots
#                run the browser tests and copy each lesson's first-widget
#                screenshot into docs/images/ (the README's pictures)
#   make bench   run every benchmarks/bench_*.py
#   make clean   remove .venv and caches

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv test test-floors browser editions lab app screenshots bench clean

help:
	@sed -n '3,35s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP)

# Reinstall whenever pyproject.toml changes.  pip is upgraded only if it is
# too old for editable installs from pyproject.toml (PEP 660 needs >= 21.3).
$(STAMP): pyproject.toml
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "could not create $(VENV) with $(PYTHON); on Debian/Ubuntu: apt-get install python3-venv" >&2; \
	  exit 1; }
	$(VPY) -m pip install --quiet 'pip>=21.3'
	$(VPY) -m pip install -e '.[test,lab,app,browser,fast]'
	@# An editable install skips the wheel's data files: put JupyterLab's setting
	@# (save widget state with the notebook) where a wheel install puts it.
	mkdir -p $(VENV)/share/jupyter/lab/settings/overrides.d
	cp actviz_widgets/jupyter/actviz_widgets.json $(VENV)/share/jupyter/lab/settings/overrides.d/
	touch $@

# Shell snippet: run $(1); pytest's exit code 5 ("no tests collected")
# counts as success, any other non-zero code fails the target.
pytest_ok = rc=0; $(1) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "(no tests collected: ok)"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

# The lessons: one source each (notebooks/source), built into the learner's
# edition (placeholders; what `make lab` opens) and the teacher's (solutions)
# by tools/build_editions.py.  The same layout may repeat per language
# (notebooks/zh/{source,learner,teacher}).  The browser tests open the
# learner's edition.
EDITIONS = $(wildcard notebooks/learner notebooks/teacher notebooks/*/learner notebooks/*/teacher)
export ACTVIZ_LESSONS_DIR ?= notebooks/learner

# Unit tests render with the Agg backend; the notebooks run in a kernel that
# must pick its own (inline) backend, so MPLBACKEND is removed for nbval.
# nbval compares every stored output strictly, both editions: the learner's
# with its "not answered yet" replies, the teacher's with the solutions.
# The unit tests run on both cores (pytest-xdist, a test file per worker) in a
# random order (pytest-randomly prints "Using --randomly-seed=N": replay a
# failure with -p randomly -p "randomly_seed=N"); then the browser tests, one
# JupyterLab and one Chromium for all; then nbval, whose cells must run in
# order (no shuffling), a notebook per worker.
XDIST = -n 2 --dist loadfile
test: $(STAMP)
	@echo "MPLBACKEND=Agg $(VPY) -m pytest tests --ignore=tests/browser $(XDIST)"
	@$(call pytest_ok,MPLBACKEND=Agg $(VPY) -m pytest tests --ignore=tests/browser $(XDIST))
	@echo "$(VPY) -m pytest tests/browser -p no:randomly"
	@$(call pytest_ok,$(VPY) -m pytest tests/browser -p no:randomly)
	@if [ -z "$(EDITIONS)" ]; then echo "no built lessons: skipping nbval"; exit 0; fi; \
	sanitize=""; \
	if [ -f notebooks/sanitize.cfg ]; then sanitize="--nbval-sanitize-with notebooks/sanitize.cfg"; fi; \
	echo "env -u MPLBACKEND -u ACTVIZ_GRADING $(VPY) -m pytest --nbval $(EDITIONS) $$sanitize $(XDIST) -p no:randomly"; \
	$(call pytest_ok,env -u MPLBACKEND -u ACTVIZ_GRADING $(VPY) -m pytest --nbval $(EDITIONS) $$sanitize $(XDIST) -p no:randomly)

# The versions the package claims, tested: the unit tests (not the browser
# tests, not nbval) with every dependency at its declared floor
# (tools/floor_pins.py reads them from pyproject.toml), wheels only so that
# nothing compiles.  The package is installed without dependencies so that
# pip check can then confirm the floors satisfy what it declares.
FLOORS_VENV   := build/venv-floors
# Libraries the floors depend on, released after them and warning about what
# the floors call (the suite treats warnings as errors): held at the last
# release before the warning.  pyparsing 3.3 deprecates oneOf, which
# matplotlib 3.10.0 uses.
FLOORS_HELD   := 'pyparsing<3.3'
# Tests that run the lessons in a kernel (like nbval) need ipykernel, whose
# releases need a newer traitlets than the floor: they belong to make test.
FLOORS_DESELECT := --deselect tests/test_editions.py::test_under_an_autograder_the_teachers_edition_passes_and_the_learners_fails
FLOORS_PYTHON ?= $(shell $(PYTHON) tools/floor_pins.py --find-python 2>/dev/null)

test-floors:
	@test -n "$(FLOORS_PYTHON)" || { \
	  echo "test-floors needs python$$($(PYTHON) tools/floor_pins.py --python), the oldest" \
	       "Python pyproject.toml supports; set FLOORS_PYTHON=/path/to/python" >&2; exit 1; }
	@test -x $(FLOORS_VENV)/bin/python || $(FLOORS_PYTHON) -m venv $(FLOORS_VENV)
	$(PYTHON) tools/floor_pins.py > $(FLOORS_VENV)/floors.txt
	@echo "floors: $$(tr '\n' ' ' < $(FLOORS_VENV)/floors.txt)on $$($(FLOORS_VENV)/bin/python --version)"
	$(FLOORS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  --only-binary=:all: -r $(FLOORS_VENV)/floors.txt $(FLOORS_HELD) pytest hypothesis nbformat \
	  pytest-xdist
	$(FLOORS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  --no-deps --force-reinstall .
	$(FLOORS_VENV)/bin/python -m pip check
	@$(call pytest_ok,MPLBACKEND=Agg $(FLOORS_VENV)/bin/python -m pytest tests \
	  --ignore=tests/browser -q -p no:cacheprovider $(XDIST) $(FLOORS_DESELECT))

# Rebuild both editions of every lesson from its source and execute them all.
editions: $(STAMP)
	$(VPY) tools/build_editions.py --execute --force

LAB_FLAGS = $(if $(filter 1 yes true,$(NO_BROWSER)),--no-browser) \
            $(if $(filter 0,$(shell id -u)),--allow-root)

# The lessons' language follows LANG: only zh (or a zh_CN.UTF-8-like locale)
# picks Chinese, any other value (en_US.UTF-8, C, unset) English.
LESSONS_DIR = $(if $(filter zh%,$(LANG)),notebooks/zh/learner,notebooks/learner)

# git keeps no empty folders: a clone without lessons yet has no notebooks/learner.
lab: $(STAMP)
	@mkdir -p $(LESSONS_DIR)
	$(VENV)/bin/jupyter lab $(LESSONS_DIR) $(strip $(LAB_FLAGS)) $(LAB_ARGS)

# The browser tests alone (they also run inside `make test`).
browser: $(STAMP)
	@$(call pytest_ok,$(VPY) -m pytest -m browser tests/browser)

# Voila runs the lesson in a fresh kernel per visitor and shows only its
# outputs.  As for nbval, the kernel must pick its own matplotlib backend.
APP_FLAGS = $(if $(filter 1 yes true,$(NO_BROWSER)),--no-browser)

app: $(STAMP)
	@if [ -z "$(LESSON)" ]; then \
	  echo "usage: make app LESSON=notebooks/learner/<lesson>.ipynb [NO_BROWSER=1] [APP_ARGS='--port=8867']" >&2; \
	  echo "lessons:" >&2; ls notebooks/learner/*.ipynb >&2 2>/dev/null || echo "  (none yet)" >&2; \
	  exit 2; fi
	@test -f "$(LESSON)" || { echo "no such lesson: $(LESSON)" >&2; exit 2; }
	env -u MPLBACKEND $(VENV)/bin/voila "$(LESSON)" $(strip $(APP_FLAGS)) $(APP_ARGS)

# Each lesson's first widget, as the browser tests saw it, becomes the
# README's picture of it (test-artifacts/screenshots -> docs/images).
screenshots: $(STAMP)
	$(VPY) -m pytest -m browser tests/browser/test_lessons.py tests/browser/test_voila.py
	$(VPY) tools/refresh_screenshots.py

bench: $(STAMP)
	@set -e; set -- benchmarks/bench_*.py; \
	if [ ! -e "$$1" ]; then echo "no benchmarks/bench_*.py found"; exit 0; fi; \
	for script in "$$@"; do echo "== $$script"; $(VPY) "$$script"; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
