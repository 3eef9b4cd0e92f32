#!/usr/bin/env bash
# Builds the fuzz targets (libFuzzer with AddressSanitizer and LeakSanitizer) and runs each for a bounded
# time, starting from its committed seed corpus. Exits non-zero on any crash, trap, leak, timeout (an
# input that takes more than 10 s), or allocation above 1 GiB; libFuzzer saves the input that did it under
# Fuzz/.build/findings/ and prints its path. docs/robustness.md says what each target checks.
#
#   Fuzz/run.sh [SECONDS] [TARGET ...]     default: 20 s each, every target
#   Fuzz/run.sh 3600 TOML                  one target for an hour
#   FUZZ_JOBS=2 Fuzz/run.sh 600 NPZ        parallel workers (libFuzzer -fork)
#   Fuzz/run.sh --list                     the target names
#   Fuzz/.build/release/FuzzNPZ CRASH      replay one input (after a run has built the targets)
set -euo pipefail
cd "$(dirname "$0")"
all=(NPYHeader NPZ Safetensors TOML IDX CSVGz CIFAR Checkpoint MetricsCSV SummaryJSON)
if [[ ${1:-} == --list ]]; then printf '%s\n' "${all[@]}"; exit 0; fi
seconds=${1:-20}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")

echo "fuzz: building ${#targets[@]} target(s) (libFuzzer + ASan, release)"
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | grep -Ev 'ld.gold: warning: Cannot export local symbol' | tail -n 5

out=.build/findings
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=()
for t in "${targets[@]}"; do
    [[ -d corpus/$t ]] || { echo "fuzz: no target $t (known: ${all[*]})"; exit 2; }
    work=.build/corpus/$t
    mkdir -p "$work"
    dict=()
    [[ -f dict/$t.dict ]] && dict=(-dict="dict/$t.dict")
    fork=()
    [[ -n ${FUZZ_JOBS:-} ]] && fork=(-fork="$FUZZ_JOBS")
    echo "fuzz: $t for ${seconds}s"
    if FUZZ_TMP=$tmp SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
        LSAN_OPTIONS=suppressions=$PWD/lsan.supp:print_suppressions=0 ".build/release/Fuzz$t" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$out/$t-" "${dict[@]}" "${fork[@]}" "$work" "corpus/$t" \
        >"$out/$t.log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$out/$t.log" | tr '\n' ' ' | sed "s/^/fuzz: $t ok: /"; echo
    else
        echo "fuzz: $t FAILED; the last lines of $out/$t.log:"
        tail -n 40 "$out/$t.log"
        failed+=("$t")
    fi
done
if [[ ${#failed[@]} -gt 0 ]]; then echo "fuzz: failures in ${failed[*]}; inputs saved in Fuzz/$out/"; exit 1; fi
echo "fuzz: all ${#targets[@]} target(s) clean"
