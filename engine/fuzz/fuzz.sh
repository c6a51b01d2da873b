#!/usr/bin/env bash
# Fuzzes the engine's parsers with clang's libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   engine/fuzz/fuzz.sh SECONDS [tables|image ...]     (default: both harnesses, one after the other)
#
# Each harness starts from its committed regression corpus (engine/fuzz/corpus/<harness>/, replayed by the normal
# tests) plus what earlier runs found (engine/target/fuzz/<harness>/corpus/, not committed), runs for SECONDS on
# one core, and prints libFuzzer's last status line. A crash leaves its input in engine/target/fuzz/<harness>/ and
# fails the script: fix the bug, then add the input to the committed corpus under a name that says what broke.
# Needs clang and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seconds=${1:?usage: engine/fuzz/fuzz.sh SECONDS [tables|image ...]}
shift
harnesses=("$@")
[[ ${#harnesses[@]} -gt 0 ]] || harnesses=(tables image)
out=$here/../target/fuzz
mkdir -p "$out"
core=("$here"/../core/hp_util.c "$here"/../core/hp_pe.c "$here"/../core/hp_tables.c "$here"/../core/hp_apply.c "$here"/../core/hp_sig.c)
for h in "${harnesses[@]}"; do
    mkdir -p "$out/$h/corpus"
    clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -o "$out/fuzz_$h" "${core[@]}" "$here/fuzz_$h.c"
    echo "fuzz.sh: $h for $seconds s"
    log=$out/$h/last.log
    status=0
    (cd "$out/$h" && "$out/fuzz_$h" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
        -print_final_stats=1 corpus "$here/corpus/$h") >"$log" 2>&1 || status=$?
    grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
    echo "fuzz.sh: $h corpus now $(ls "$out/$h/corpus" | wc -l) inputs"
    if [[ $status -ne 0 ]]; then
        echo "fuzz.sh: $h FAILED (exit $status); see $log" >&2
        grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5 >&2
        exit 1
    fi
done
