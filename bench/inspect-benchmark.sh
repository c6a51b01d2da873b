#!/usr/bin/env bash
# Times `hotpatch inspect` (JVM start included) on a large real x64 image: biome.exe 2.5.13, 75 MB,
# 187,696 .pdata entries, fetched from npm at benchmark time (see bench/README.md). Prints the wall time and
# peak RSS of each run and the median wall time. Goal: under 2 s on a 2-core machine.
#
# Usage: bench/inspect-benchmark.sh [runs] [cache-dir]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=${1:-7}
cache=${2:-${XDG_CACHE_HOME:-$HOME/.cache}/hotpatch-bench}

image=$("$root/bench/fetch-binaries.sh" "$cache" | grep 'biomejs-cli-win32-x64-2.5.13/biome.exe')
"$root/hotpatch" --version >/dev/null            # builds on first use, outside the timing
"$root/hotpatch" inspect "$image" >/dev/null     # warms the page cache, as a second run on a workstation would

echo "inspect $(basename "$image") ($(stat -c %s "$image") bytes), $runs runs:"
times=()
for ((i = 1; i <= runs; i++)); do
  out=$( { /usr/bin/time -f '%e %M' "$root/hotpatch" inspect "$image" >/dev/null; } 2>&1 | tail -1)
  read -r wall rss <<<"$out"
  printf '  run %d: %s s wall, %d MB peak RSS\n' "$i" "$wall" $((rss / 1024))
  times+=("$wall")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
echo "median wall time: $median s"
