#!/usr/bin/env bash
# Builds every sample scenario under testdata/scenarios into <out>/<arch>/<scenario>/{v1,v2}.{exe,dll,pdb}.
#
#   testdata/build.sh [out-dir [scenario...]]   (default out-dir: testdata/bin; default: every scenario)
#
# x64 and x86: mingw-w64 gcc/g++ -O2, an EXE (main + library) and a DLL (library only, exports via HP_EXPORT),
#              linked -static (no libgcc/libstdc++ DLLs needed under wine), DWARF removed, COFF symbols kept.
# arm64:       clang -O2 -ffreestanding + lld-link, a freestanding DLL (no CRT, no entry point) and its PDB.
# msvc family (expect.json "toolchain": "msvc"): clang in cl mode + lld-link, the MSVC ABI (C++ exceptions with
#              __CxxFrameHandler3, SEH, RTTI, /guard:cf), PDB only (no COFF symbols), no static CRT: an x64 EXE
#              (entry main, msvcrt/vcruntime140 from Wine) and DLLs for x64, x86 and ARM64, each with vN.<kind>.pdb.
# Which architectures and artifacts a scenario gets is read from its expect.json ("architectures").
# The output is bit-for-bit reproducible: no timestamps (--no-insert-timestamp, /Brepro), and every compiler
# and linker runs inside a scratch copy of the sources with relative paths only.
set -euo pipefail
export LC_ALL=C TZ=UTC

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/bin}
only=("${@:2}")
mkdir -p "$out"
out=$(cd "$out" && pwd)

require() { # tool debian-package
    command -v "$1" >/dev/null 2>&1 ||
        { echo "build.sh: '$1' is missing; install the Debian package '$2' (apt-get install $2)" >&2; exit 1; }
}
require x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
require x86_64-w64-mingw32-g++ g++-mingw-w64-x86-64
require i686-w64-mingw32-gcc gcc-mingw-w64-i686
require i686-w64-mingw32-g++ g++-mingw-w64-i686
require x86_64-w64-mingw32-objcopy binutils-mingw-w64-x86-64
require i686-w64-mingw32-objcopy binutils-mingw-w64-i686
require clang clang
require clang++ clang
require lld-link lld
require llvm-dlltool llvm
require /usr/bin/python3 python3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

MINGW_FLAGS=(-O2 -Wall -I. -static -Wl,--no-insert-timestamp)
CLANG_FLAGS=(--target=aarch64-pc-windows-msvc -O2 -Wall -ffreestanding -I. -DHP_DLL
             -g -gcodeview -ffile-compilation-dir=.)
CLANGXX_FLAGS=(-fno-rtti -fno-exceptions)
LLD_FLAGS=(/dll /noentry /nodefaultlib /Brepro /debug /pdbaltpath:%_PDB% '/pdbsourcepath:C:\src')
# msvc family: cl-mode options as MSVC release builds use them (/O2 /EHsc /guard:cf, RTTI on), CodeView in the
# objects (/Z7) for the PDB, no COFF symbol table in the image (lld-link writes none without /debug:dwarf).
CL_FLAGS=(--driver-mode=cl /O2 /EHsc /GS- /Z7 /Brepro /guard:cf /Zc:threadSafeInit- /W3 /I. /Imsvc -DHP_DLL
          /clang:-ffile-compilation-dir=.)
MSVC_LINK_FLAGS=(/nodefaultlib /Brepro /guard:cf /debug '/pdbsourcepath:C:\src')

# artifacts <scenario> <arch>: the artifact kinds (exe, dll) expect.json lists for that architecture.
artifacts() {
    /usr/bin/python3 -c 'import json, sys
print(" ".join(json.load(open(sys.argv[1]))["architectures"].get(sys.argv[2], [])))' \
        "$here/scenarios/$1/expect.json" "$2"
}

# library_sources: the library's sources in link order (the file link_order if present, else sorted by name).
library_sources() {
    if [[ -f link_order ]]; then cat link_order; return; fi
    local f
    for f in *.c *.cpp *.S; do
        if [[ -e $f && $f != main.* ]]; then echo "$f"; fi
    done
}

build_mingw() { # arch kinds...
    local arch=$1; shift
    local prefix; [[ $arch == x64 ]] && prefix=x86_64-w64-mingw32 || prefix=i686-w64-mingw32
    local cc=$prefix-gcc main=main.c
    if [[ -f main.cpp ]]; then cc=$prefix-g++ main=main.cpp; fi
    local -a lib; mapfile -t lib < <(library_sources)
    for kind in "$@"; do
        case $kind in
            exe) "$cc" "${MINGW_FLAGS[@]}" -o "$s.exe" "$main" "${lib[@]}" ;;
            dll) "$cc" "${MINGW_FLAGS[@]}" -DHP_DLL -shared -o "$s.dll" "${lib[@]}" ;;
        esac
        # Drop the DWARF that the static CRT brings along (most of the file) but keep every COFF symbol,
        # .file symbols included (ld's --strip-debug would drop those too). SOURCE_DATE_EPOCH=0 keeps
        # objcopy from writing the current time into TimeDateStamp; it recomputes the CheckSum.
        SOURCE_DATE_EPOCH=0 "$prefix-objcopy" -R '.debug_*' "$s.$kind"
    done
}

build_arm64() { # kinds... (only dll)
    [[ $* == dll ]] || { echo "build.sh: arm64 builds DLLs only, not '$*'" >&2; exit 1; }
    local -a lib objs; mapfile -t lib < <(library_sources)
    llvm-dlltool -m arm64 -d kernel32_arm64.def -l kernel32.lib
    for src in "${lib[@]}"; do
        case $src in
            *.c) clang "${CLANG_FLAGS[@]}" -c "$src" -o "${src%.*}.obj" ;;
            *.cpp) clang++ "${CLANG_FLAGS[@]}" "${CLANGXX_FLAGS[@]}" -c "$src" -o "${src%.*}.obj" ;;
        esac
        objs+=("${src%.*}.obj")
    done
    lld-link "${LLD_FLAGS[@]}" /out:"$s.dll" /implib:unused.lib "${objs[@]}" kernel32.lib
}

# toolchain <scenario>: "msvc" for the MSVC-ABI family, else "default" (mingw for x64/x86, clang for arm64).
toolchain() {
    /usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1])).get("toolchain", "default"))' "$here/scenarios/$1/expect.json"
}

# build_msvc <arch> <version> <kinds...>: the MSVC-ABI family. Import libraries come from the .def files of
# common/msvc, copied to msvc/ beside the sources (llvm-dlltool; -k drops x86's @N from the imported names); type_info's vtable and _fltused, which the static
# CRT would supply, come from crtdata.c; loadcfg.c is the load configuration (CFG and SafeSEH tables).
# The EXE calls the library directly (no dllexport: HP_DLL only for the DLL); its PDB is named vN.exe.pdb and
# the DLL's vN.dll.pdb, and the CodeView record names that file, so each image finds its own PDB beside it.
build_msvc() { # arch version kinds...
    local arch=$1 version=$2; shift 2
    local target machine dlltool defs alias
    case $arch in
        x64) target=x86_64-pc-windows-msvc machine=x64 dlltool=i386:x86-64 defs=def64 alias=hp_type_info_vtable ;;
        x86) target=i686-pc-windows-msvc machine=x86 dlltool=i386 defs=def32 alias=_hp_type_info_vtable ;;
        arm64) target=aarch64-pc-windows-msvc machine=arm64 dlltool=arm64 defs=def64 alias=hp_type_info_vtable ;;
    esac
    local -a lib libs support=(loadcfg.obj crtdata.obj); mapfile -t lib < <(library_sources)
    local def
    for def in msvc/"$defs"/*.def; do
        llvm-dlltool -m "$dlltool" -k -d "$def" -l "$(basename "$def" .def).lib"
        libs+=("$(basename "$def" .def).lib")
    done
    compile_msvc() { # source object [defines...]
        local src=$1 obj=$2; shift 2
        case $src in
            *.S) clang --target="$target" -DHP_DLL "$@" -c "$src" -o "$obj" ;;   # hand-written assembly
            *.cpp) clang "${CL_FLAGS[@]}" /std:c++17 --target="$target" "$@" /c "/Fo$obj" -- "$src" ;;
            *) clang "${CL_FLAGS[@]}" --target="$target" "$@" /c "/Fo$obj" -- "$src" ;;
        esac
    }
    compile_msvc msvc/loadcfg.c loadcfg.obj
    compile_msvc msvc/crtdata.c crtdata.obj
    local src
    local -a link=("${MSVC_LINK_FLAGS[@]}" "/machine:$machine" "/alternatename:??_7type_info@@6B@=$alias")
    for kind in "$@"; do
        local -a objs=()
        for src in "${lib[@]}"; do
            if [[ $kind == dll ]]; then compile_msvc "$src" "${src%.*}.obj"
            else compile_msvc "$src" "${src%.*}.obj" -UHP_DLL; fi
            objs+=("${src%.*}.obj")
        done
        case $kind in
            exe) compile_msvc main.c* main.obj -UHP_DLL
                 lld-link "${link[@]}" /subsystem:console /entry:main /out:"$s.exe" /pdb:"$s.exe.pdb" \
                     /pdbaltpath:"$version.exe.pdb" main.obj "${objs[@]}" "${support[@]}" "${libs[@]}" ;;
            dll) lld-link "${link[@]}" /dll /noentry /out:"$s.dll" /implib:unused.lib /pdb:"$s.dll.pdb" \
                     /pdbaltpath:"$version.dll.pdb" "${objs[@]}" "${support[@]}" "${libs[@]}" ;;
        esac
        cp "$s.$kind.pdb" "$version.$kind.pdb"
    done
}

for scenario_dir in "$here"/scenarios/*/; do
    s=$(basename "$scenario_dir")
    if (( ${#only[@]} )) && [[ " ${only[*]} " != *" $s "* ]]; then continue; fi
    for arch in x64 x86 arm64; do
        kinds=$(artifacts "$s" "$arch")
        [[ -n $kinds ]] || continue
        chain=$(toolchain "$s")
        mkdir -p "$out/$arch/$s"
        for v in v1 v2; do
            w=$work/$arch/$s/$v
            mkdir -p "$w"
            cp "$scenario_dir/$v"/* "$here/common/hp.h" "$here/common/kernel32_arm64.def" "$w/"
            if [[ $chain == msvc ]]; then cp -r "$here/common/msvc" "$w/msvc"; fi
            (
                cd "$w"
                # shellcheck disable=SC2086  # kinds is a word list
                if [[ $chain == msvc ]]; then build_msvc "$arch" "$v" $kinds
                elif [[ $arch == arm64 ]]; then build_arm64 $kinds
                else build_mingw "$arch" $kinds; fi
                # no_source_change: a post-link step adds rebuild noise (TimeDateStamp, CheckSum, PDB GUID).
                if [[ -f timestamp ]]; then
                    pdb=(); [[ ! -f $s.pdb ]] || pdb=("$s.pdb")
                    for f in "$s".exe "$s".dll; do
                        [[ ! -f $f ]] || /usr/bin/python3 "$here/tools/restamp.py" "$f" "$(cat timestamp)" "${pdb[@]}"
                    done
                fi
                for ext in exe dll pdb; do
                    [[ ! -f $s.$ext ]] || cp "$s.$ext" "$out/$arch/$s/$v.$ext"
                done
                for ext in exe.pdb dll.pdb; do
                    [[ ! -f $v.$ext ]] || cp "$v.$ext" "$out/$arch/$s/$v.$ext"
                done
            )
        done
        echo "built $arch/$s: $kinds"
    done
done
