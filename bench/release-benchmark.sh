#!/usr/bin/env bash
# One `hotpatch release` over N DLL pairs against N separate `hotpatch create` runs (issue 14): wall time, CPU time
# and peak memory of each, measured with GNU time. The pairs are the bundled samples' DLL pairs (x64, x86, ARM64),
# repeated under different paths until there are N (default 200). (Real binaries are not mixed in yet.)
# Usage: bench/release-benchmark.sh [N]     (needs /usr/bin/time; builds the tool first through ./hotpatch)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n=${1:-200}
[ -x /usr/bin/time ] || { echo "release-benchmark: /usr/bin/time is needed (Debian package time)." >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/old" "$work/new" "$work/cfg"
export HOTPATCH_JAVA_OPTS="-Dhotpatch.configDir=$work/cfg ${HOTPATCH_JAVA_OPTS:-}"
"$root/hotpatch" --version >/dev/null

mapfile -t pairs < <(cd "$root/testdata/bin" && ls */*/v1.dll)
i=0
while [ "$i" -lt "$n" ]; do
  p=${pairs[$((i % ${#pairs[@]}))]}
  d="set$((i / ${#pairs[@]}))/$(dirname "$p")"
  mkdir -p "$work/old/$d" "$work/new/$d"
  cp "$root/testdata/bin/$p" "$work/old/$d/lib.dll"
  cp "$root/testdata/bin/${p/v1./v2.}" "$work/new/$d/lib.dll"
  i=$((i + 1))
done
echo "release-benchmark: $n DLL pairs from the samples ($(du -sh "$work/new" | cut -f1) per tree) on $(nproc) cores"

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
  read -r wall user sys rss < <(tail -n 1 "$work/time")
  printf '%-28s wall %7.1f s   cpu %7.1f s (%3.0f%% of wall)   peak RSS %6d MB\n' "$label" "$wall" \
    "$(echo "$user + $sys" | bc)" "$(echo "($user + $sys) * 100 / $wall" | bc)" $((rss / 1024))
}

measure "release (one JVM, all cores)" "$root/hotpatch" release "$work/old" "$work/new" -o "$work/out" --quiet
cat > "$work/creates.sh" <<SCRIPT
#!/usr/bin/env bash
cd "$work/old"
for f in \$(find . -name lib.dll | sort); do
  mkdir -p "$work/out2/\$(dirname "\$f")"
  "$root/hotpatch" create "\$f" "$work/new/\$f" -o "$work/out2/\$f.hpatch" || true
done
SCRIPT
chmod +x "$work/creates.sh"
measure "$n separate create runs" "$work/creates.sh"
echo "release-benchmark: peak RSS of the separate runs is the largest single JVM; CPU is summed over all."
