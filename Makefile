# Two commands for a fresh machine (Python 3.11): `make book` and `make test`.
# Both create and fill the virtual environment .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONHASHSEED := 0
export HF_HUB_OFFLINE := 1

.PHONY: book test lint unit exercises-check notebooks notebooks-second-path pages exercises \
	timings robustness clean

$(STAMP): requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## Build the book into _build/html (open _build/html/index.html).
book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Open _build/html/index.html in a browser."

# A cell may take 3x its time on a 2-core laptop (the slowest, chapter 03's training, takes
# about 80 s here); the timeout leaves room for a machine 3x slower than that, under load.
CELL_TIMEOUT := 900
# A second numeric path: other CPU kernels (AVX2, not AVX-512) and one thread. Training
# outcomes move on it; the claims that nbval compares must not.
SECOND_PATH := ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 OMP_NUM_THREADS=1 \
	MKL_NUM_THREADS=1

## Run every test: lint, unit tests, exercise notebooks up to date, all notebooks
## executed with nbval (the solutions twice: default and a second numeric path), the
## book build, and a headless-Chromium look at the pages.
test: lint unit exercises-check notebooks notebooks-second-path book pages

lint: $(STAMP)
	$(VENV)/bin/ruff check utils tests solutions
	$(VENV)/bin/ruff format --check utils tests

unit: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest tests -q

exercises-check: $(STAMP)
	$(PY) utils/make_exercises.py --check

notebooks: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest --nbval-lax --nbval-cell-timeout=$(CELL_TIMEOUT) \
		-p no:cacheprovider -q notebooks solutions

notebooks-second-path: $(STAMP)
	$(SECOND_PATH) MPLBACKEND=Agg $(PY) -m pytest --nbval-lax \
		--nbval-cell-timeout=$(CELL_TIMEOUT) -p no:cacheprovider -q solutions

pages: $(STAMP)
	$(PY) utils/check_pages.py

## Regenerate notebooks/ from solutions/ (never edit notebooks/ by hand).
exercises: $(STAMP)
	$(PY) utils/make_exercises.py

## Re-run every notebook: store the solution outputs the book shows, and write the
## run-time table of the teachers' page (book/timings_table.md).
timings: $(STAMP)
	$(PY) utils/timings.py --store

## Rerun every chapter for five seeds; write the table book/robustness.md (~25 min,
## not part of CI).
robustness: $(STAMP)
	$(PY) utils/robustness.py

clean:
	rm -rf _build
