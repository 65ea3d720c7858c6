#!/usr/bin/env bash
# The desktop app end to end (issue 10): a private X server (Xvfb) and D-Bus
# session (dbus-run-session, where gnome-keyring and the accessibility bus start), a fresh HOME and
# XDG folders, then desktop_e2e.py drives nubo through AT-SPI against a real nubo-server, with
# headless Chromium (selenium) as the browser of the login. Screenshots go to SCREENSHOT_DIR.
# Usage: desktop_e2e_test.sh NUBO NUBO_SERVER SCREENSHOT_DIR
set -euo pipefail
NUBO=$1 SERVER=$2 SHOTS=$3
HERE=$(cd "$(dirname "$0")" && pwd)

# Debian's python3 (where python3-pyatspi and python3-selenium live), not a pyenv or venv one.
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=$(command -v python3)
for tool in Xvfb dbus-run-session gnome-keyring-daemon trayer xdotool import chromedriver; do
    command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/setup.sh"; exit 1; }
done
"$PYTHON" -c 'import pyatspi, selenium' || { echo "missing python3-pyatspi or python3-selenium: run scripts/setup.sh"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nubo-e2e.XXXXXX")
XVFB_PID=
cleanup() {
    [[ -n $XVFB_PID ]] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/home" "$WORK/run" && chmod 700 "$WORK/run"
rm -rf "$SHOTS" && mkdir -p "$SHOTS"

# Nothing of the caller's session: its own HOME, config (empty: nubo starts with the wizard), data
# (the keyring), runtime folder (nubo's single-instance lock) and no desktop to talk to.
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_DATA_HOME=$WORK/home/.local/share \
       XDG_CACHE_HOME=$WORK/home/.cache XDG_RUNTIME_DIR=$WORK/run
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY XDG_CURRENT_DESKTOP XDG_SESSION_TYPE DESKTOP_SESSION \
      QT_QPA_PLATFORMTHEME SESSION_MANAGER || true
export LC_ALL=C.UTF-8 LANG=C.UTF-8 LANGUAGE=

# The X server picks a free display itself and says which once it accepts clients (-displayfd):
# no race with other X servers starting at the same time, as `xvfb-run -a` has.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 100); do
    [[ -s $WORK/display ]] && break
    kill -0 "$XVFB_PID" 2>/dev/null || break
    sleep 0.1
done
[[ -s $WORK/display ]] || { echo "Xvfb did not start:"; cat "$WORK/xvfb.log"; exit 1; }
export DISPLAY=:$(tr -d '[:space:]' <"$WORK/display")

set +e
dbus-run-session -- "$PYTHON" "$HERE/desktop_e2e.py" --nubo "$NUBO" --server "$SERVER" \
    --work "$WORK" --screenshots "$SHOTS"
status=$?
exit $status
