#!/usr/bin/env bash
# Proof by execution on a real library: SQLite built twice with three known edits (bench/sqlite-edits.sh builds
# them), `hotpatch create` v1 -> v2 (signed with a throw-away development key), `hotpatch apply --trust` onto v1,
# then bench/sqlite-harness.c run under Wine against v1, v2 and the patched v1. PASS when the patched v1 prints
# exactly what v2 prints and v1 prints something else.
#
# Usage: bench/sqlite-apply.sh [work-dir]   (default: the sqlite-edits work dir; run bench/sqlite-edits.sh first)
set -euo pipefail
export LC_ALL=C TZ=UTC WINEDEBUG=-all
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/hotpatch-bench/sqlite}
v1=$work/gcc/v1/sqlite3.dll v2=$work/gcc/v2/sqlite3.dll
[[ -f $v1 && -f $v2 ]] || { echo "sqlite-apply: $v1 or $v2 is missing; run bench/sqlite-edits.sh first." >&2; exit 1; }
for tool in wine x86_64-w64-mingw32-gcc /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "sqlite-apply: $tool is missing (Debian: wine, gcc-mingw-w64-x86-64, time)." >&2; exit 1; }
done
run=$(mktemp -d) && trap 'rm -rf "$run"' EXIT
export XDG_CONFIG_HOME=$run/config                 # a development key for this run only
x86_64-w64-mingw32-gcc -O2 -o "$run/harness.exe" "$root/bench/sqlite-harness.c"
/usr/bin/time -f "create: %e s, %M KB peak" "$root/hotpatch" create "$v1" "$v2" -o "$run/sqlite.hpi" 2>&1 | grep -v WARNING
"$root/hotpatch" inspect "$run/sqlite.hpi" | grep -E "^  (size|functions)"
/usr/bin/time -f "apply: %e s" "$root/hotpatch" apply "$v1" "$run/sqlite.hpi" -o "$run/patched.dll" \
    --trust "$XDG_CONFIG_HOME/hotpatch/development-root.pem"
for v in v1 v2 patched; do
  mkdir -p "$run/$v" && cp "$run/harness.exe" "$run/$v/"
done
cp "$v1" "$run/v1/sqlite3.dll"; cp "$v2" "$run/v2/sqlite3.dll"; cp "$run/patched.dll" "$run/patched/sqlite3.dll"
for v in v1 v2 patched; do (cd "$run/$v" && timeout 300 wine harness.exe > out.txt 2>&1 || true); done
echo "--- v2 prints:"; cat "$run/v2/out.txt"
if [[ -s $run/patched/out.txt ]] && cmp -s "$run/patched/out.txt" "$run/v2/out.txt" && ! cmp -s "$run/v1/out.txt" "$run/v2/out.txt"; then
  echo "PASS: v1 + patch prints exactly what v2 prints (and v1 prints something else)"
else
  echo "FAIL: v1 + patch prints:"; cat "$run/patched/out.txt"; exit 1
fi
