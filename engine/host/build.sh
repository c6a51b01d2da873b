#!/usr/bin/env bash
# Builds the engine's portable core for Linux, with AddressSanitizer and UndefinedBehaviorSanitizer (every finding
# aborts): the offline driver hp_offline, the unit tests test_core and the fuzz-corpus replayers replay_tables and
# replay_image (the libFuzzer harnesses of engine/fuzz with a plain main).
#
#   engine/host/build.sh OUT-DIR        (CC chooses the compiler; default cc)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: engine/host/build.sh OUT-DIR}
mkdir -p "$out"
cc=${CC:-cc}
flags=(-std=c11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer)
core=("$here"/../core/hp_util.c "$here"/../core/hp_pe.c "$here"/../core/hp_tables.c "$here"/../core/hp_apply.c "$here"/../core/hp_sig.c)
"$cc" "${flags[@]}" -o "$out/hp_offline" "${core[@]}" "$here/hp_offline.c" "$here/sha256.c"
"$cc" "${flags[@]}" -o "$out/test_core" "${core[@]}" "$here/test_core.c" "$here/sha256.c"
"$cc" "${flags[@]}" -o "$out/replay_tables" "${core[@]}" "$here/../fuzz/fuzz_tables.c" "$here/../fuzz/replay.c"
"$cc" "${flags[@]}" -o "$out/replay_image" "${core[@]}" "$here/../fuzz/fuzz_image.c" "$here/../fuzz/replay.c"
"$cc" "${flags[@]}" -o "$out/hp_sigcheck" "${core[@]}" "$here/hp_sigcheck.c" "$here/sha256.c"
