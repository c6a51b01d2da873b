#!/usr/bin/env bash
# Builds hpcore.dll (host/hp_emulated.c and the portable core, no imports) for x86 and x64 with mingw-w64 gcc and
# for ARM64 with clang and lld, with the engine's own compiler flags (engine/build.sh): OUT/{x86,x64,arm64}/.
#
#   engine/host/build-emulated.sh OUT-DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: engine/host/build-emulated.sh OUT-DIR}
mkdir -p "$out"/{x86,x64,arm64}
src=("$here"/../core/hp_util.c "$here"/../core/hp_pe.c "$here"/../core/hp_tables.c "$here"/../core/hp_apply.c
     "$here/hp_emulated.c")
flags=(-std=c11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-stack-protector -shared -nostdlib)
x86_64-w64-mingw32-gcc "${flags[@]}" -Wl,--disable-auto-image-base -Wl,-e,0 -o "$out/x64/hpcore.dll" "${src[@]}" -lgcc
i686-w64-mingw32-gcc "${flags[@]}" -Wl,--disable-auto-image-base -Wl,--kill-at -Wl,-e,0 -o "$out/x86/hpcore.dll" \
    "${src[@]}" -lgcc
clang --target=aarch64-w64-mingw32 -isystem /usr/share/mingw-w64/include "${flags[@]}" -fuse-ld=lld -Wl,-e,hp_emu_entry \
    -o "$out/arm64/hpcore.dll" "${src[@]}" "$here/../win/arm64/chkstk.S"
