#!/usr/bin/env bash
# Builds the live apply engine for Windows: <out>/{x64,x86,arm64}/{hpengine.dll,hpinject.exe}, and the live
# proof program (proof/live.cpp) in its four versions: <out>/proof/x64/live_v{1,2,3,4}.exe, and the benchmark's
# program (proof/bench.c): <out>/proof/x64/bench_v{1,2,3}.exe, and the "not safe now" program (proof/stuck.c):
# <out>/proof/x64/stuck_v{1,2}.exe, and the relocated-base program (proof/relocated.c): <out>/proof/x64/relocated.exe.
#
#   engine/build.sh [out-dir]        (default out-dir: engine/bin)
#
# x64, x86: mingw-w64 gcc; arm64: clang --target=aarch64-w64-mingw32 with lld and import libraries made by
# llvm-dlltool from win/arm64/*.def (there is no ARM64 mingw runtime here). Freestanding: no C runtime, only
# kernel32, bcrypt, crypt32 and shell32 (the injector's command line). The output is bit-for-bit reproducible:
# no time stamps (--no-insert-timestamp), symbols stripped, and every compiler runs in a scratch copy of the
# sources with relative paths only. `engine/build.sh "$(mktemp -d)"` and a byte compare with engine/bin checks it.
set -euo pipefail
export LC_ALL=C TZ=UTC

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/bin}
mkdir -p "$out"
out=$(cd "$out" && pwd)

require() { # tool debian-package
    command -v "$1" >/dev/null 2>&1 ||
        { echo "build.sh: '$1' is missing; install the Debian package '$2' (apt-get install $2)" >&2; exit 1; }
}
require x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
require x86_64-w64-mingw32-g++ g++-mingw-w64-x86-64
require x86_64-w64-mingw32-objcopy binutils-mingw-w64-x86-64
require i686-w64-mingw32-gcc gcc-mingw-w64-i686
require clang clang
require ld.lld lld
require llvm-dlltool llvm

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
cp -r "$here/core" "$here/win" "$here/proof" "$work/src/"
cd "$work/src"

CORE=(core/hp_util.c core/hp_pe.c core/hp_tables.c core/hp_apply.c core/hp_sig.c)
ENGINE=("${CORE[@]}" win/hp_crt.c win/hp_verify.c win/hp_engine.c)
INJECT=(core/hp_util.c win/hp_crt.c win/hpinject.c)
CFLAGS=(-std=c11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-stack-protector -fno-ident)
LIBS=(-lkernel32 -lbcrypt -lcrypt32)

build_mingw() { # arch prefix entry-dll entry-exe [extra ldflags]
    local arch=$1 prefix=$2 dll_entry=$3 exe_entry=$4; shift 4
    mkdir -p "$out/$arch"
    "$prefix-gcc" "${CFLAGS[@]}" -shared -nostdlib -Wl,--no-insert-timestamp -Wl,--disable-auto-image-base -Wl,-e,"$dll_entry" -s "$@" \
        -o "$work/hpengine.dll" "${ENGINE[@]}" "${LIBS[@]}" -lgcc
    "$prefix-gcc" "${CFLAGS[@]}" -nostdlib -Wl,--no-insert-timestamp -Wl,-e,"$exe_entry" -s "$@" \
        -o "$work/hpinject.exe" "${INJECT[@]}" -lkernel32 -lshell32 -lgcc
    cp "$work/hpengine.dll" "$work/hpinject.exe" "$out/$arch/"
    echo "built $arch: hpengine.dll hpinject.exe"
}

build_arm64() {
    mkdir -p "$out/arm64" arm64lib
    local def
    for def in win/arm64/*.def; do
        llvm-dlltool -m arm64 -d "$def" -l "arm64lib/lib$(basename "$def" .def).a"
    done
    local -a flags=(--target=aarch64-w64-mingw32 -isystem /usr/share/mingw-w64/include "${CFLAGS[@]}" -fuse-ld=lld
                    -nostdlib -Larm64lib -Wl,--no-insert-timestamp -s)
    clang "${flags[@]}" -shared -Wl,-e,hp_dll_entry -o "$work/hpengine.dll" "${ENGINE[@]}" win/arm64/chkstk.S \
        "${LIBS[@]}"
    clang "${flags[@]}" -Wl,-e,hp_inject_main -o "$work/hpinject.exe" "${INJECT[@]}" win/arm64/chkstk.S \
        -lkernel32 -lshell32
    cp "$work/hpengine.dll" "$work/hpinject.exe" "$out/arm64/"
    echo "built arm64: hpengine.dll hpinject.exe"
}

# The proof program as the testdata samples are built (testdata/build.sh): -O2, static, DWARF removed, COFF symbols
# kept, objcopy with SOURCE_DATE_EPOCH=0 (which also recomputes the CheckSum).
build_proof() {
    mkdir -p "$out/proof/x64"
    local v
    for v in 1 2 3 4; do
        x86_64-w64-mingw32-g++ -O2 -Wall -static -Wl,--no-insert-timestamp -DVERSION=$v -o "live_v$v.exe" \
            proof/live.cpp
        SOURCE_DATE_EPOCH=0 x86_64-w64-mingw32-objcopy -R '.debug_*' "live_v$v.exe"
        cp "live_v$v.exe" "$out/proof/x64/"
    done
    for v in 1 2 3; do
        x86_64-w64-mingw32-gcc -O2 -Wall -static -Wl,--no-insert-timestamp -DVERSION=$v -o "bench_v$v.exe" \
            proof/bench.c
        SOURCE_DATE_EPOCH=0 x86_64-w64-mingw32-objcopy -R '.debug_*' "bench_v$v.exe"
        cp "bench_v$v.exe" "$out/proof/x64/"
    done
    for v in 1 2; do
        x86_64-w64-mingw32-gcc -O2 -Wall -static -Wl,--no-insert-timestamp -DVERSION=$v -o "stuck_v$v.exe" \
            proof/stuck.c
        SOURCE_DATE_EPOCH=0 x86_64-w64-mingw32-objcopy -R '.debug_*' "stuck_v$v.exe"
        cp "stuck_v$v.exe" "$out/proof/x64/"
    done
    x86_64-w64-mingw32-gcc -O2 -Wall -static -Wl,--no-insert-timestamp -o relocated.exe proof/relocated.c
    SOURCE_DATE_EPOCH=0 x86_64-w64-mingw32-objcopy -R '.debug_*' relocated.exe
    cp relocated.exe "$out/proof/x64/"
    echo "built proof/x64: live_v{1,2,3,4}.exe bench_v{1,2,3}.exe stuck_v{1,2}.exe relocated.exe"
}

build_mingw x64 x86_64-w64-mingw32 hp_dll_entry hp_inject_main
build_mingw x86 i686-w64-mingw32 _hp_dll_entry@12 _hp_inject_main -Wl,--kill-at
build_arm64
build_proof
