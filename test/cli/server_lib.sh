# Shared by the nubocmd test scripts (source it): starting nubo-server on a free loopback port,
# stopping child processes, and the checks that print "ok N - what" / "FAIL N - what" (they count
# in the caller's CHECK and FAILURES).

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
# WORK_DIR/data and output in WORK_DIR/server.{out,err}; sets SERVER_PID, PORT and URL (https://
# when the options include --tls-cert and --tls-key). Returns 1 (PORT empty) when it does not say
# where it listens within 10 s.
start_nubo_server() {
    local binary=$1 work=$2
    shift 2
    mkdir -p "$work/data"
    "$binary" --data "$work/data" --listen 127.0.0.1:0 "$@" >"$work/server.out" 2>"$work/server.err" &
    SERVER_PID=$!
    PORT=""
    SCHEME=""
    for _ in $(seq 100); do
        if [[ "$(wc -l <"$work/server.out" 2>/dev/null || echo 0)" -ge 1 ]]; then # a complete first line
            PORT=$(sed -n 's|^listening on https\{0,1\}://[^ ]*:\([0-9][0-9]*\)/\{0,1\}$|\1|p' "$work/server.out" | head -n 1)
            SCHEME=$(sed -n 's|^listening on \(https\{0,1\}\)://.*|\1|p' "$work/server.out" | head -n 1)
            break
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    URL="${SCHEME:-http}://127.0.0.1:$PORT"
    [[ -n "$PORT" ]]
}

# check "what" COMMAND...: runs the command, prints ok/FAIL
check() {
    local what=$1
    shift
    CHECK=$((CHECK + 1))
    if "$@"; then
        echo "ok $CHECK - $what"
    else
        echo "FAIL $CHECK - $what"
        FAILURES=$((FAILURES + 1))
    fi
}

# rc_is CODE OUTPUT_FILE: the last command's exit code (in RC) was CODE; shows the output if not.
rc_is() { [[ "$RC" == "$1" ]] || { echo "   exit code $RC, expected $1; output:"; sed 's/^/   | /' "$2"; false; }; }
# has TEXT FILE: FILE contains TEXT; shows the file if not.
has() { grep -q -- "$1" "$2" || { echo "   no '$1' in:"; sed 's/^/   | /' "$2"; false; }; }
