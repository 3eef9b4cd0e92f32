# The two commands of the README: `make run` (the main job) and `make test` (the test suite).
# Both install missing system and Python packages first (scripts/setup.sh says what it installs).
SWIFT ?= swift
RUN_DIR ?= runs/tirer2022-fig4

.PHONY: setup presets build run test bench clean

setup:
	@bash scripts/setup.sh

# The shipped presets travel inside the binary: Sources/Report/ShippedPresets.swift from experiments/*.toml;
# and the git commit the binary is built from (Sources/CBuildInfo/generated_commit.h, for run provenance).
presets:
	@python3 scripts/embed-presets.py
	@bash scripts/build-info.sh

build: setup presets
	$(SWIFT) build -c release --product collapse

run: build
	.build/release/collapse reproduce tirer2022-fig4 --out $(RUN_DIR) --force

test: setup presets
	$(SWIFT) test

bench: build
	bash bench/run.sh

clean:
	rm -rf .build runs
