# Shared by the nubocmd test scripts (source it): starting nubo-server on a free loopback port
# and stopping child processes.

# stop_pid PID: SIGTERM, up to 10 s, then SIGKILL; reaps it.
stop_pid() {
    local pid=$1
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
}

# start_nubo_server BINARY WORK_DIR [server options...]: starts it on 127.0.0.1:0 with data in
# WORK_DIR/data and output in WORK_DIR/server.{out,err}; sets SERVER_PID, PORT and URL. Returns 1
# (PORT empty) when it does not say where it listens within 10 s.
start_nubo_server() {
    local binary=$1 work=$2
    shift 2
    mkdir -p "$work/data"
    "$binary" --data "$work/data" --listen 127.0.0.1:0 "$@" >"$work/server.out" 2>"$work/server.err" &
    SERVER_PID=$!
    PORT=""
    for _ in $(seq 100); do
        if [[ "$(wc -l <"$work/server.out" 2>/dev/null || echo 0)" -ge 1 ]]; then # a complete first line
            PORT=$(sed -n 's|^listening on http://[^ ]*:\([0-9][0-9]*\)/\{0,1\}$|\1|p' "$work/server.out" | head -n 1)
            break
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    URL="http://127.0.0.1:$PORT"
    [[ -n "$PORT" ]]
}
