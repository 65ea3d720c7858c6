#!/usr/bin/env bash
# Builds (if needed) and runs the e2ee cipher benchmark.
#
#   bench/run_e2ee_bench.sh [BUILD_DIR] [benchmark options...]
#
# BUILD_DIR defaults to build/release (relative to the repository root). When it does not
# exist yet, or was never configured successfully, it is configured with
# `cmake --preset release` (plus -B for a directory other than build/release).
# Everything after it is passed to nubo-bench-e2ee, e.g. --size-mib 256 --skip-kdf.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

build_dir="build/release"
if [[ $# -gt 0 && "$1" != -* ]]; then
    build_dir="$1"
    shift
fi
# A relative build dir is taken relative to the caller's directory if it exists there,
# otherwise relative to the repository root.
if [[ "$build_dir" != /* ]]; then
    if [[ -d "$build_dir" ]]; then
        build_dir="$(cd "$build_dir" && pwd)"
    else
        build_dir="$repo_root/$build_dir"
    fi
fi

# Configure when the directory is missing or a previous configure did not finish.
if [[ ! -f "$build_dir/CMakeCache.txt" || ( ! -f "$build_dir/build.ninja" && ! -f "$build_dir/Makefile" ) ]]; then
    echo "configuring $build_dir (cmake --preset release)" >&2
    if [[ "$build_dir" == "$repo_root/build/release" ]]; then
        (cd "$repo_root" && cmake --preset release)
    else
        # Same settings as the preset, in the requested directory.
        (cd "$repo_root" && cmake --preset release -B "$build_dir")
    fi
fi

# Ninja rebuilds only what changed, so this is cheap when the binary is up to date.
cmake --build "$build_dir" --target nubo-bench-e2ee

bench="$build_dir/bench/nubo-bench-e2ee"
if [[ ! -x "$bench" ]]; then
    echo "error: $bench was not built" >&2
    exit 1
fi
exec "$bench" "$@"
