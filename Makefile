# Two commands for a fresh machine (Python 3.11): `make book` and `make test`.
# Both create and fill the virtual environment .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONHASHSEED := 0
export HF_HUB_OFFLINE := 1

.PHONY: book test lint unit exercises-check notebooks pages exercises timings clean

$(STAMP): requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## Build the book into _build/html (open _build/html/index.html).
book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Open _build/html/index.html in a browser."

## Run every test: lint, unit tests, exercise notebooks up to date, all notebooks
## executed with nbval, the book build, and a headless-Chromium look at the pages.
test: lint unit exercises-check notebooks book pages

lint: $(STAMP)
	$(VENV)/bin/ruff check utils tests solutions
	$(VENV)/bin/ruff format --check utils tests

unit: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest tests -q

exercises-check: $(STAMP)
	$(PY) utils/make_exercises.py --check

notebooks: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest --nbval-lax --nbval-cell-timeout=300 -p no:cacheprovider -q notebooks solutions

pages: $(STAMP)
	$(PY) utils/check_pages.py

## Regenerate notebooks/ from solutions/ (never edit notebooks/ by hand).
exercises: $(STAMP)
	$(PY) utils/make_exercises.py

## Re-run every notebook: store the solution outputs the book shows, and write the
## run-time table of the teachers' page (book/timings_table.md).
timings: $(STAMP)
	$(PY) utils/timings.py --store

clean:
	rm -rf _build
