#!/usr/bin/env bash
# Installs what the build needs, builds with warnings as errors, and runs every test:
# all suites in the developer build, the engine, server and CLI again under ASan/UBSan, the sync suites
# against the portable local file code (the one Windows and macOS use), and a short libFuzzer
# run of the metadata readers.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
jobs=$(nproc)
# ccache lets the portable stage reuse what the developer build compiled with the same flags
# (relative paths, the build directory left out of the hash), so it builds only what differs.
if command -v ccache >/dev/null 2>&1; then
    export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
    export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fi

echo "== developer build (warnings are errors) =="
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$jobs"
ctest --preset dev -j "$jobs"

echo "== the engine, server and CLI under AddressSanitizer and UBSan =="
# Within CI's 45 minutes: the desktop app (label gui, with its end-to-end test) and the long
# randomized and crash runs (the convergence tests, label slow) run in the developer build and the
# portable stage, not again here. `cmake --preset asan && ctest --preset asan` runs them all.
cmake --preset asan -DNUBO_BUILD_GUI=OFF >/dev/null
cmake --build --preset asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$jobs" -LE slow -E 'Convergence\.'

echo "== sync suites with the portable local file code (NUBO_PORTABLE_ONLY) =="
# Only what the portable tests run, with the developer build's nubo-server (the server does not
# use the client's local code): not nubocmd, not the encrypted suites.
cmake --preset portable -DNUBO_PORTABLE_TEST_SERVER="$PWD/build/dev/src/server/nubo-server" >/dev/null
cmake --build --preset portable -j "$jobs" --target nubo_sync_reconcile_tests nubo_sync_local_tests \
    nubo_sync_watcher_tests nubo_sync_portable_tests
ctest --preset portable -j "$jobs"

echo "== fuzzing smoke run =="
bash test/fuzz/run_fuzzers.sh "${NUBO_FUZZ_SECONDS:-15}"
