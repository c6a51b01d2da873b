#!/usr/bin/env bash
# Measures the live engine (issue 13) under Wine, x64: time from command to patch applied, and how long the
# other threads stay suspended, for a patch of 1 function and one of 20 functions, while four threads call them
# in a tight loop (engine/proof/bench.c, built by engine/build.sh into engine/bin/proof/x64).
#
#   bench/live-benchmark.sh [ROUNDS]        (default 7 rounds of apply + rollback per patch)
#
# Prints per patch the median and the range of: the wall time of `hotpatch live apply` (JVM and wine start-up
# included), the injector's time from its start to done (injection, request, answer), the engine's time inside
# the process (verify, map, fix up, switch, read back) with its main phases, and the time the other threads were
# suspended.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${1:-7}
work=$(mktemp -d)
cleanup() { touch "$work/stop"; sleep 1; rm -rf "$work"; }
trap cleanup EXIT
export HOTPATCH_JAVA_OPTS="-Dhotpatch.configDir=$work/config"
export WINEDEBUG=-all
bin=$root/engine/bin/proof/x64
hp="$root/hotpatch"
"$hp" create "$bin/bench_v1.exe" "$bin/bench_v3.exe" -o "$work/one.hpi" >/dev/null 2>&1
"$hp" create "$bin/bench_v1.exe" "$bin/bench_v2.exe" -o "$work/twenty.hpi" >/dev/null 2>&1
anchor=$work/config/development-root.pem

wine "$bin/bench_v1.exe" "Z:${work//\//\\}\\stop" >"$work/target.out" 2>&1 &
for _ in $(seq 100); do grep -q '^pid' "$work/target.out" 2>/dev/null && break; sleep 0.1; done
pid=$(awk '/^pid/ {print $2}' "$work/target.out" | tr -d '\r')
sleep 1
echo "live benchmark: bench_v1.exe (Windows pid $pid) under $(wine --version), 4 busy threads, $(nproc) cores," \
     "$rounds rounds; $(date -u +%Y-%m-%dT%H:%MZ)"
"$hp" live status --pid "$pid" >/dev/null   # loads the engine into the process once

for patch in one twenty; do
    : >"$work/$patch.tsv"
    for _ in $(seq "$rounds"); do
        t0=$(date +%s%N)
        json=$("$hp" live apply --pid "$pid" "$work/$patch.hpi" --trust "$anchor" --json)
        t1=$(date +%s%N)
        /usr/bin/python3 -c 'import json,sys
d = json.loads(sys.argv[1]); t = [f for f in d["facts"] if f["kind"] == "timing"][0]
assert d["ok"], d["messages"]
p = [f for f in d["facts"] if f["kind"] == "phases"][0]
print((int(sys.argv[2]) - int(sys.argv[3])) // 1000, t["total_us"], t["engine_us"], t["suspended_us"], t["attempts"],
      p["verify_us"], p["base_us"], p["map_us"], p["stop_us"], sep="\t")' \
            "$json" "$t1" "$t0" >>"$work/$patch.tsv"
        "$hp" live rollback --pid "$pid" "$work/$patch.hpi" >/dev/null
    done
    /usr/bin/python3 -c 'import statistics,sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1])]
names = ["hotpatch live apply, wall", "injector, start to done", "engine, in the process", "threads suspended",
         None, "engine: read and verify patch", "engine: find and hash base", "engine: map, fix up, import",
         "of the suspension: stopping"]
print(f"{sys.argv[2]}:")
for i, name in enumerate(names):
    if name is None:
        continue
    col = sorted(r[i] / 1000 for r in rows)
    print(f"  {name:28} median {statistics.median(col):8.2f} ms   range {col[0]:.2f} - {col[-1]:.2f} ms")
label = "suspension attempts"
print(f"  {label:28} {sorted(r[4] for r in rows)}")' "$work/$patch.tsv" \
        "$([[ $patch == one ]] && echo '1 function' || echo '20 functions')"
done
