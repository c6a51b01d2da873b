#!/usr/bin/env bash
# Times `hotpatch diff --json OLD NEW` (JVM start included) on two consecutive releases of a large real x64 image,
# biome.exe 2.5.12 -> 2.5.13 (75 MB each, about 187,000 .pdata entries), fetched from npm at benchmark time
# (see bench/README.md). For each run and as the median it prints the wall time, the peak RSS, the CPU use, and the
# throughput: instructions and functions per second of wall time, summed over both images (the `instructions` and
# `functions` fields of the JSON's `old` and `new`), plus the verdict and the changed / new / deleted counts.
# Then two correctness checks on the same image, each run once: "self" (2.5.13 against itself) and "noise" (2.5.13
# against a copy restamped by testdata/tools/restamp.py: other TimeDateStamps, CodeView GUID and CheckSum); both
# must be nothing to patch (exit 3), else the script ends with exit status 1.
#
# Exit codes 0, 3 and 4 of `hotpatch diff` are results (something to patch, nothing to patch, not hotpatchable);
# any other stops the benchmark. HOTPATCH_JAVA_OPTS is passed on to the JVM by ./hotpatch.
#
# Usage: bench/diff-benchmark.sh [cache-dir] [runs]     (defaults: ${XDG_CACHE_HOME:-$HOME/.cache}/hotpatch-bench, 3)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/hotpatch-bench}
runs=${2:-3}
python=/usr/bin/python3   # Debian's Python (DEVELOPERS.md); the JSON is read with its standard library

[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "diff-benchmark: runs must be a positive number, not '$runs'." >&2; exit 2; }
for tool in /usr/bin/time "$python"; do
  [[ -x $tool ]] || { echo "diff-benchmark: $tool is missing (Debian packages: time, python3)." >&2; exit 1; }
done

binaries=$("$root/bench/fetch-binaries.sh" "$cache")
old=$(grep 'biomejs-cli-win32-x64-2.5.12/biome.exe' <<<"$binaries")
new=$(grep 'biomejs-cli-win32-x64-2.5.13/biome.exe' <<<"$binaries")
"$root/hotpatch" --version >/dev/null             # builds the CLI on first use, outside the timing

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One timed run: diff_run NAME OLD NEW. Leaves $work/NAME.{json,time,err,rc}; stops on exit codes other than 0, 3, 4.
diff_run() {
  local name=$1 rc=0
  /usr/bin/time -v -o "$work/$name.time" "$root/hotpatch" diff --json "$2" "$3" \
    >"$work/$name.json" 2>"$work/$name.err" || rc=$?
  echo "$rc" >"$work/$name.rc"
  if [[ $rc != 0 && $rc != 3 && $rc != 4 ]]; then
    echo "diff-benchmark: hotpatch diff $2 $3 failed with exit code $rc:" >&2
    cat "$work/$name.err" >&2
    exit 1
  fi
}

# Reads the runs named in argv[2:] from directory argv[1]; prints one line per run, then (with --median) the
# median of each figure over them.
report=$(cat <<'PYTHON'
import json, statistics, sys

def seconds(clock):                       # GNU time: "m:ss.ss" or "h:mm:ss"
    total = 0.0
    for part in clock.split(":"):
        total = total * 60 + float(part)
    return total

def figures(directory, name):
    timing = {}
    for line in open(f"{directory}/{name}.time"):
        key, _, value = line.strip().rpartition(": ")
        timing[key] = value
    doc = json.load(open(f"{directory}/{name}.json"))
    wall = seconds(timing["Elapsed (wall clock) time (h:mm:ss or m:ss)"])
    instructions = doc["old"]["instructions"] + doc["new"]["instructions"]
    functions = doc["old"]["functions"] + doc["new"]["functions"]
    return {"wall": wall, "rss": int(timing["Maximum resident set size (kbytes)"]) / 1024,
            "cpu": int(timing["Percent of CPU this job got"].rstrip("%")),
            "ips": instructions / wall, "fps": functions / wall, "instructions": instructions,
            "functions": functions, "verdict": doc["verdict"], "exit": int(open(f"{directory}/{name}.rc").read()),
            "summary": doc["summary"]}

def line(label, f):
    s = f["summary"]
    return (f"{label}: {f['wall']:6.2f} s wall, {f['rss']:5.0f} MB peak RSS, {f['cpu']:3d}% CPU, "
            f"{f['ips'] / 1e6:5.2f} M instructions/s, {f['fps'] / 1e3:6.1f} k functions/s; exit {f['exit']} "
            f"{f['verdict']}: {s['changed']} changed, {s['new']} new, {s['deleted']} deleted")

args = sys.argv[1:]
median = args[0] == "--median"
directory, names = (args[1], args[2:]) if median else (args[0], args[1:])
runs = [figures(directory, n) for n in names]
for n, f in zip(names, runs):
    print(line(f"  {n:<7}", f))
if median:
    m = {k: statistics.median(f[k] for f in runs) for k in ("wall", "rss", "cpu", "ips", "fps")}
    m["cpu"] = round(m["cpu"])
    last = runs[-1]
    if any((f["verdict"], f["summary"]) != (last["verdict"], last["summary"]) for f in runs):
        print("  WARNING: the runs do not agree on the verdict or the counts")
    m.update({k: last[k] for k in ("verdict", "exit", "summary")})
    print(line(f"  {'median':<7}", m))
    print(f"  (each diff reads {last['instructions']:,} instructions and {last['functions']:,} functions"
          " in the two images)")
PYTHON
)

commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo 'CPU model unknown')
memory=$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)
echo "hotpatch diff benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
echo "machine: $(nproc) cores ($cpu), $memory memory, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
echo "java: $(java -version 2>&1 | head -1); HOTPATCH_JAVA_OPTS='${HOTPATCH_JAVA_OPTS:-}'"
echo "measures: ./hotpatch diff --json OLD NEW under /usr/bin/time -v, JVM start included, JSON written to a file;"
echo "  wall time, peak RSS, CPU (100% = one core busy), throughput = (old + new) instructions or functions / wall time"
echo "pair: $old ($(stat -c %s "$old") bytes)"
echo "   -> $new ($(stat -c %s "$new") bytes)"

diff_run warmup "$old" "$new"                      # warms the page cache and checks the pair, outside the figures
names=()
for ((i = 1; i <= runs; i++)); do
  diff_run "run$i" "$old" "$new"
  names+=("run$i")
done
echo "biome x64 2.5.12 -> 2.5.13, $runs runs:"
"$python" -c "$report" --median "$work" "${names[@]}"
for name in "${names[@]}"; do
  cmp -s "$work/warmup.json" "$work/$name.json" || echo "  WARNING: the JSON of $name differs from the warm-up run's"
done

echo "checks on biome x64 2.5.13 (each must be nothing to patch, exit 3), one run each:"
cp "$new" "$work/biome.exe"
"$python" "$root/testdata/tools/restamp.py" "$work/biome.exe" 0x65000000
diff_run self "$new" "$new"
diff_run noise "$new" "$work/biome.exe"
"$python" -c "$report" "$work" self noise
status=0
for check in self noise; do
  if [[ $(cat "$work/$check.rc") != 3 ]]; then
    echo "FAILED: $check gave exit $(cat "$work/$check.rc"), not 3 (nothing to patch); see the differ's report." >&2
    status=1
  fi
done
exit $status
