#!/usr/bin/env bash
# Starts a fresh nubo-server on loopback and measures it with nubo-bench-server.
#   bench/run_server_bench.sh [BUILD_DIR] [--seconds S] [--upload-mib M]
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$repo_root/build/release}"
[[ $# -gt 0 && "$1" != -* ]] && shift
# The server is not part of every build yet: switch it on in the benchmark's build.
if [[ "$build_dir" == "$repo_root/build/release" ]]; then
    (cd "$repo_root" && cmake --preset release -DNUBO_BUILD_SERVER=ON >/dev/null)
else
    cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNUBO_BUILD_SERVER=ON >/dev/null
fi
cmake --build "$build_dir" --target nubo-server nubo-bench-server >/dev/null
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$build_dir/src/server/nubo-server" --data "$work/data" --listen 127.0.0.1:0 --add-user alice:secret >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do
    port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/out")
    [[ -n "$port" ]] && break
    sleep 0.1
done
[[ -n "${port:-}" ]] || { echo "nubo-server did not start: $(cat "$work/err")" >&2; exit 1; }
"$build_dir/bench/nubo-bench-server" --port "$port" --pid "$pid" "$@"
