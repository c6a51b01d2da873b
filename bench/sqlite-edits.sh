#!/usr/bin/env bash
# Precision/recall check of `hotpatch diff` on a large real C library built twice with three known edits:
# SQLite's amalgamation (sqlite3.c from better-sqlite3 12.11.1, fetched with `npm pack`, SHA-256 pinned below),
# v1 as shipped and v2 with
#   1. sqlite3_strnicmp: the `}else if( zRight==0 ){` branch returns 2 instead of 1 (a constant);
#   2. sqlite3StrIHash: `h += UpperToLower[...]` becomes `h = h*3 + UpperToLower[...]` (code grows; the function is
#      static in effect and gcc inlines it into its callers);
#   3. sqlite3ErrStr's message table: SQLITE_BUSY's "database is locked" becomes "database is busy" (a string
#      literal behind a pointer table).
# Each edit is located by content, and must apply exactly once.
#
# Both versions are built as DLLs with x86_64-w64-mingw32-gcc -O2 -shared -DSQLITE_API=__declspec(dllexport)
# (both compilations in parallel, about 2 minutes; reused while the source, compiler and flags are the same), plus
# stripped copies (x86_64-w64-mingw32-strip). With --clang, also with clang --target=x86_64-w64-windows-gnu
# -fuse-ld=lld when that works on this machine (else it says why and skips it).
# Then `./hotpatch diff --json` on (v1, v2), (v1 stripped, v2 stripped), (v1, v1) and (v1, v1 restamped by
# testdata/tools/restamp.py), printing for each the exit code, verdict, counts, changed/new/deleted functions and
# wall time, the first difference of every changed function with the source call path from it to an edit, and
# PASS/FAIL checks (see bench/README.md). Exit status 0 when every check passes, 1 otherwise.
#
# Usage: bench/sqlite-edits.sh [--clang] [work-dir]   (default: ${XDG_CACHE_HOME:-$HOME/.cache}/hotpatch-bench/sqlite)
# The work dir keeps the sources, the builds and the JSON of the last run (results/).
set -euo pipefail
export LC_ALL=C TZ=UTC
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python=/usr/bin/python3   # Debian's Python (DEVELOPERS.md); only its standard library is used

package=better-sqlite3 version=12.11.1 member=package/deps/sqlite3/sqlite3.c
sqlite_sha256=60d2f39a3726cd6b9021da6f4e868608d66fbb6528a9f513dc8ffcc640493422   # of $member (SQLite 3.53.2)
cflags=(-O2 -shared '-DSQLITE_API=__declspec(dllexport)')

clang=0 work=
for arg in "$@"; do
  case $arg in
    --clang) clang=1 ;;
    -*) echo "usage: bench/sqlite-edits.sh [--clang] [work-dir]" >&2; exit 2 ;;
    *) [[ -z $work ]] || { echo "usage: bench/sqlite-edits.sh [--clang] [work-dir]" >&2; exit 2; }; work=$arg ;;
  esac
done
work=${work:-${XDG_CACHE_HOME:-$HOME/.cache}/hotpatch-bench/sqlite}

for tool in npm tar sha256sum x86_64-w64-mingw32-gcc x86_64-w64-mingw32-strip x86_64-w64-mingw32-nm /usr/bin/time "$python"; do
  command -v "$tool" >/dev/null ||
    { echo "sqlite-edits: $tool is missing (Debian packages: npm, gcc-mingw-w64-x86-64, time, python3)." >&2; exit 1; }
done
mkdir -p "$work"
work=$(cd "$work" && pwd)
scratch=()                                        # temporary directories, removed on exit
trap 'rm -rf "${scratch[@]}"' EXIT

# ---- 1. v1: sqlite3.c from the npm package, checked against the pin -------------------------------------------
hash_ok() { [[ -f $2 ]] && sha256sum --quiet --check --status - <<<"$1  $2"; }
if ! hash_ok "$sqlite_sha256" "$work/v1/sqlite3.c"; then
  echo "fetching $package@$version" >&2
  tmp=$(mktemp -d "$work/.tmp.XXXXXX")   # inside the work dir, so the final mv is a same-filesystem rename
  scratch+=("$tmp")
  (cd "$tmp" && npm pack --silent "$package@$version" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" "$member"
  if ! hash_ok "$sqlite_sha256" "$tmp/$member"; then
    echo "sqlite-edits: $package@$version $member does not match its pinned SHA-256; check the pin in $0." >&2
    exit 1
  fi
  mkdir -p "$work/v1"
  mv "$tmp/$member" "$work/v1/sqlite3.c"
fi

# ---- 2. v2: three edits located by content, each applied exactly once --------------------------------------------
mkdir -p "$work/v2"
"$python" - "$work/v1/sqlite3.c" "$work/v2/sqlite3.c.tmp" <<'PYTHON'
import re, sys
src = open(sys.argv[1], encoding="latin-1").read()

def fail(what):
    sys.exit(f"sqlite-edits: edit not applied: {what}; the pattern in bench/sqlite-edits.sh does not fit the pinned sqlite3.c")

def body(name):
    """(start, end) of the definition of function `name`: its head (no ';' before the '{') to the first '}' at
    column 0 after it."""
    heads = [m for m in re.finditer(r"^[A-Za-z_][^;{}\n]*\b" + name + r"\s*\([^;{}]*\)\s*\{", src, re.M)]
    if len(heads) != 1:
        fail(f"{len(heads)} definitions of {name}, expected 1")
    end = src.find("\n}\n", heads[0].end())
    return heads[0].start(), end + 3

def edit(what, pattern, replacement, scope=None):
    global src
    start, end = scope or (0, len(src))
    part = src[start:end]
    found = re.findall(pattern, part)
    if len(found) != 1:
        fail(f"{what}: the pattern {pattern!r} occurs {len(found)} times, expected once")
    src = src[:start] + re.sub(pattern, replacement, part) + src[end:]

edit("sqlite3_strnicmp returns 2 when zRight is NULL",
     r"(\}else if\( zRight==0 \)\{\s*return )1;", r"\g<1>2;", body("sqlite3_strnicmp"))
edit("sqlite3StrIHash multiplies",
     r"h \+= (UpperToLower\[\(unsigned char\)z\[0\]\];)", r"h = h*3 + \g<1>", body("sqlite3StrIHash"))
edit("SQLITE_BUSY message",
     r'(/\*\s*SQLITE_BUSY\s*\*/\s*)"database is locked",', r'\g<1>"database is busy",')
open(sys.argv[2], "w", encoding="latin-1").write(src)
PYTHON
mv "$work/v2/sqlite3.c.tmp" "$work/v2/sqlite3.c"
echo "v2 = v1 with these edits:"
diff "$work/v1/sqlite3.c" "$work/v2/sqlite3.c" | sed 's/^/  /' || true
changed_lines=$(diff "$work/v1/sqlite3.c" "$work/v2/sqlite3.c" | grep -c '^>' || true)
[[ $changed_lines == 3 ]] || { echo "sqlite-edits: v2 differs from v1 in $changed_lines lines, not 3." >&2; exit 1; }

# ---- 3. builds ------------------------------------------------------------------------------------------------
# build TOOLCHAIN VERSION COMMAND...: compiles $work/VERSION/sqlite3.c (relative paths, from its directory) into
# $work/TOOLCHAIN/VERSION/sqlite3.dll unless the stamp (source hash, compiler, command) says it is up to date.
build() {
  local toolchain=$1 v=$2; shift 2
  local out=$work/$toolchain/$v
  local stamp
  stamp="$(sha256sum <"$work/$v/sqlite3.c" | cut -d' ' -f1) $("$1" --version | head -1) $*"
  if [[ -f $out/sqlite3.dll && -f $out/build.stamp && $(cat "$out/build.stamp") == "$stamp" ]]; then
    return 0
  fi
  mkdir -p "$out"
  rm -rf "$out/sqlite3.dll" "$out/build.stamp" "$out/tmp"
  mkdir "$out/tmp"       # the output keeps its final name, which the linker writes into the export directory
  (cd "$work/$v" && "$@" -o "$out/tmp/sqlite3.dll" sqlite3.c) >"$out/build.log" 2>&1 || return 1
  mv "$out/tmp/sqlite3.dll" "$out/sqlite3.dll"
  rmdir "$out/tmp"
  echo "$stamp" >"$out/build.stamp"
}

# build_pair TOOLCHAIN STRIP COMMAND...: builds v1 and v2 in parallel, then the stripped and restamped copies.
build_pair() {
  local toolchain=$1 strip=$2; shift 2
  local start=$SECONDS pid1 pid2 rc1=0 rc2=0
  build "$toolchain" v1 "$@" & pid1=$!
  build "$toolchain" v2 "$@" & pid2=$!
  wait $pid1 || rc1=$?
  wait $pid2 || rc2=$?
  for v in v1 v2; do
    local rc=rc${v#v}
    if [[ ${!rc} != 0 ]]; then
      echo "sqlite-edits: the $toolchain build of $v failed:" >&2
      tail -20 "$work/$toolchain/$v/build.log" >&2
      return 1
    fi
    "$strip" -o "$work/$toolchain/$v/sqlite3-stripped.dll" "$work/$toolchain/$v/sqlite3.dll"
  done
  cp "$work/$toolchain/v1/sqlite3.dll" "$work/$toolchain/v1/sqlite3-restamped.dll"
  "$python" "$root/testdata/tools/restamp.py" "$work/$toolchain/v1/sqlite3-restamped.dll" 0x65000000
  echo "built $toolchain v1 and v2 in $((SECONDS - start)) s ($*): $(stat -c %s "$work/$toolchain/v1/sqlite3.dll")" \
       "and $(stat -c %s "$work/$toolchain/v2/sqlite3.dll") bytes, stripped $(stat -c %s "$work/$toolchain/v1/sqlite3-stripped.dll")" \
       "and $(stat -c %s "$work/$toolchain/v2/sqlite3-stripped.dll")"
}

echo "building (x86_64-w64-mingw32-gcc $(x86_64-w64-mingw32-gcc -dumpversion); about 2 minutes unless already built)..."
build_pair gcc x86_64-w64-mingw32-strip x86_64-w64-mingw32-gcc "${cflags[@]}"

toolchains=(gcc)
if [[ $clang == 1 ]]; then
  # Debian's clang finds mingw-w64's headers and import libraries but not its libgcc; point it there.
  clang_cmd=(clang --target=x86_64-w64-windows-gnu -fuse-ld=lld)
  libgcc=$(x86_64-w64-mingw32-gcc -print-libgcc-file-name 2>/dev/null || true)
  [[ ! -f $libgcc ]] || clang_cmd+=(-L"$(dirname "$libgcc")")
  probe=$(mktemp -d)
  scratch+=("$probe")
  printf '__declspec(dllexport) int probe(int x) { return x * 3; }\n' >"$probe/probe.c"
  strip_tool=$(command -v llvm-strip || command -v x86_64-w64-mingw32-strip)
  if ! command -v clang >/dev/null || ! command -v ld.lld >/dev/null; then
    echo "skipping the LLVM build: clang or lld is missing (Debian packages: clang, lld)."
  elif ! (cd "$probe" && "${clang_cmd[@]}" -O2 -shared -o probe.dll probe.c) >"$probe/log" 2>&1; then
    echo "skipping the LLVM build: ${clang_cmd[*]} cannot link a DLL on this machine:"
    sed 's/^/  /' "$probe/log" | head -5
  else
    echo "building with ${clang_cmd[*]} ($(clang --version | head -1))..."
    build_pair clang "$strip_tool" "${clang_cmd[@]}" "${cflags[@]}"
    toolchains+=(clang)
  fi
fi

# ---- 4. diffs ------------------------------------------------------------------------------------------------
"$root/hotpatch" --version >/dev/null             # builds the CLI on first use, outside the timing
results=$work/results
rm -rf "$results"
mkdir -p "$results"
runs=()
# diff_run NAME OLD NEW: leaves $results/NAME.{json,time,err,rc}; stops on exit codes other than 0, 3, 4.
diff_run() {
  local name=$1 rc=0
  /usr/bin/time -f '%e %M' -o "$results/$name.time" "$root/hotpatch" diff --json "$2" "$3" \
    >"$results/$name.json" 2>"$results/$name.err" || rc=$?
  echo "$rc" >"$results/$name.rc"
  printf '%s\t%s\t%s\n' "$2" "$3" "$name" >>"$results/runs.tsv"
  if [[ $rc != 0 && $rc != 3 && $rc != 4 ]]; then
    echo "sqlite-edits: hotpatch diff $2 $3 failed with exit code $rc:" >&2
    cat "$results/$name.err" >&2
    exit 1
  fi
  runs+=("$name")
}
for t in "${toolchains[@]}"; do
  d=$work/$t
  diff_run "$t-symbols" "$d/v1/sqlite3.dll" "$d/v2/sqlite3.dll"
  diff_run "$t-stripped" "$d/v1/sqlite3-stripped.dll" "$d/v2/sqlite3-stripped.dll"
  diff_run "$t-self" "$d/v1/sqlite3.dll" "$d/v1/sqlite3.dll"
  diff_run "$t-restamped" "$d/v1/sqlite3.dll" "$d/v1/sqlite3-restamped.dll"
done

# Symbol tables of the unstripped builds, to name the stripped pair's sub_RVA functions.
for t in "${toolchains[@]}"; do
  for v in v1 v2; do
    x86_64-w64-mingw32-nm "$work/$t/$v/sqlite3.dll" >"$results/$t-$v.nm"
  done
done

"$python" - "$results" "$work" "${toolchains[@]}" <<'PYTHON'
import json, re, struct, sys
from collections import deque

results, work, toolchains = sys.argv[1], sys.argv[2], sys.argv[3:]
EDITED = ("sqlite3_strnicmp", "sqlite3StrIHash", "sqlite3ErrStr")

# --- source call graph of v1: which function's source calls which (one translation unit, so gcc may inline any)
def call_graph(path):
    lines = open(path, encoding="latin-1").read().split("\n")
    head = re.compile(r"^(?!typedef\b|struct\b|union\b|enum\b|extern\b|return\b)[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\(")
    call = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
    alias = re.compile(r"^#\s*define\s+([A-Za-z_]\w*)\s+([A-Za-z_]\w*)\s*$")
    calls, aliases, current, i = {}, {}, None, 0
    while i < len(lines):
        line = lines[i]
        if current is None:
            a = alias.match(line)
            if a:
                aliases.setdefault(a.group(1), a.group(2))
            m = head.match(line)
            if m:
                j = i                                  # a definition reaches '{' before any ';'
                while j < len(lines) and j < i + 20 and "{" not in lines[j] and ";" not in lines[j]:
                    j += 1
                if j < len(lines) and "{" in lines[j] and ";" not in lines[j].split("{")[0]:
                    current = m.group(1)
                    calls.setdefault(current, set())
                    i = j
        if current is not None:
            if line.startswith("}"):
                current = None
            else:
                calls[current].update(call.findall(line))
        i += 1
    def resolve(name, depth=0):
        while name in aliases and name not in calls and depth < 5:
            name, depth = aliases[name], depth + 1
        return name
    return {f: {resolve(c) for c in cs if resolve(c) in calls and resolve(c) != f} for f, cs in calls.items()}

graph = call_graph(f"{work}/v1/sqlite3.c")

def paths_to_edits(name, limit=3):
    """Shortest source call path from `name` to each edited function, at most `limit` calls long."""
    base = re.sub(r"\.(constprop|isra|part|cold|lto_priv)\.?\d*.*$", "", name)
    found = {}
    if base in EDITED:
        found[base] = [base]
    seen, queue = {base: [base]}, deque([base])
    while queue:
        f = queue.popleft()
        path = seen[f]
        if len(path) > limit:
            continue
        for c in sorted(graph.get(f, ())):
            if c in seen:
                continue
            seen[c] = path + [c]
            if c in EDITED:
                found.setdefault(c, seen[c])
            else:
                queue.append(c)
    return found

def image_base(path):
    data = open(path, "rb").read(4096)
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    return struct.unpack_from("<Q", data, pe + 24 + 24)[0]

def symbols(t, v):
    base, names = image_base(f"{work}/{t}/{v}/sqlite3.dll"), {}
    for line in open(f"{results}/{t}-{v}.nm"):
        parts = line.split()
        if len(parts) == 3 and parts[1] in "Tt":
            names.setdefault(int(parts[0], 16) - base, parts[2])
    return names

def load(name):
    doc = json.load(open(f"{results}/{name}.json"))
    wall, rss = open(f"{results}/{name}.time").read().split()[-2:]
    doc["_exit"], doc["_wall"], doc["_rss"] = int(open(f"{results}/{name}.rc").read()), float(wall), int(rss) // 1024
    return doc

def by_status(doc, status):
    return [f for f in doc["functions"] if f["status"] == status]

def fname(f, names=None):
    n = f.get("name") or f.get("symbol") or "?"
    if names is not None:
        rva = f.get("old_rva") if f["status"] != "new" else f.get("new_rva")
        real = names[0 if f["status"] != "new" else 1].get(rva)
        if real and real != n:
            n += f" (={real})"
    return n

def summary(label, doc, names=None):
    s = doc["summary"]
    print(f"{label}: exit {doc['_exit']} {doc['verdict']}: {s['changed']} changed, {s['new']} new, "
          f"{s['deleted']} deleted, {s['same']} same; {doc['_wall']:.2f} s wall, {doc['_rss']} MB peak RSS")
    for status in ("changed", "new", "deleted"):
        fs = by_status(doc, status)
        if fs:
            print(f"  {status}: " + ", ".join(fname(f, names) for f in fs))
    for finding in doc.get("findings", []):
        print(f"  finding: {finding if isinstance(finding, str) else json.dumps(finding)}")

failures = 0
def check(ok, text):
    global failures
    print(f"{'PASS' if ok else 'FAIL'}: {text}")
    failures += not ok

for t in toolchains:
    sym, strip, same, stamp = (load(f"{t}-{k}") for k in ("symbols", "stripped", "self", "restamped"))
    names = (symbols(t, "v1"), symbols(t, "v2"))
    print(f"\n== {t} build ==")
    summary("v1 -> v2, with symbols     ", sym)
    summary("v1 -> v2, stripped         ", strip, names)
    summary("v1 -> v1                   ", same)
    summary("v1 -> v1 restamped         ", stamp)

    print(f"\nchanged with symbols ({t}): first difference (old | new) and the source call path to an edit")
    changed = by_status(sym, "changed")
    hash_users, unexplained = [], []
    for f in changed:
        d = f.get("first_difference")
        diff = f"#{d.get('index')}: {d.get('old')} | {d.get('new')}" if d else "NO FIRST DIFFERENCE"
        paths = paths_to_edits(fname(f))
        via = "; ".join(" -> ".join(p) for p in paths.values()) or "no call path to an edit within 3 calls"
        if "sqlite3StrIHash" in paths:
            hash_users.append(fname(f))
        if not paths:
            unexplained.append(fname(f))
        print(f"  {fname(f)} [{f['old_size']} -> {f['new_size']} bytes, {f['match']['method']}]: {diff}")
        print(f"      source: {via}")
    changed_names = {re.sub(r"\..*$", "", fname(f)) for f in changed}
    print()
    check("sqlite3_strnicmp" in changed_names, f"{t} with symbols: sqlite3_strnicmp is changed (edit 1)")
    check("sqlite3_errstr" in changed_names, f"{t} with symbols: sqlite3_errstr is changed (edit 3, sqlite3ErrStr inlined)")
    check(bool(hash_users), f"{t} with symbols: a function containing sqlite3StrIHash is changed (edit 2): "
          + (", ".join(hash_users) or "none"))
    missing = [fname(f) for f in changed if not f.get("first_difference")]
    check(not missing, f"{t} with symbols: every changed function has a first difference"
          + (f" (missing: {', '.join(missing)})" if missing else ""))
    if unexplained:
        print(f"  to judge by hand (no source call path to an edit): {', '.join(unexplained)}")
    s = sym["summary"]
    check(s["new"] == 0 and s["deleted"] == 0,
          f"{t} with symbols: no new or deleted functions ({s['new']} new, {s['deleted']} deleted)")
    check(same["_exit"] == 3, f"{t} v1 -> v1: nothing to patch (exit {same['_exit']})")
    check(stamp["_exit"] == 3, f"{t} v1 -> v1 restamped: nothing to patch (exit {stamp['_exit']})")
    a, b = s["changed"] + s["new"], strip["summary"]["changed"] + strip["summary"]["new"]
    check(b <= a + 2, f"{t} stripped: changed + new = {b}, at most 2 more than with symbols ({a})")

    # Where the stripped result departs from the symbols result, by name through the unstripped symbol tables.
    def real(f, side):
        return names[side].get(f.get("old_rva") if side == 0 else f.get("new_rva"))
    sym_changed = {fname(f) for f in changed}
    strip_changed = {real(f, 0) or fname(f) for f in by_status(strip, "changed")}
    extra = sorted(strip_changed - sym_changed)
    lost = sorted(sym_changed - strip_changed)
    if extra or lost:
        print(f"  stripped vs symbols: changed only when stripped: {', '.join(extra) or 'none'}; "
              f"changed only with symbols: {', '.join(lost) or 'none'}")

sys.exit(1 if failures else 0)
PYTHON
