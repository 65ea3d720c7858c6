#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Nubo needs to build, test and run its demo.
# Idempotent: installs only what is missing, and says what that is.
set -euo pipefail

packages=(
    # toolchain
    cmake ninja-build g++ pkg-config git ccache
    # libraries
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-l10n-tools qt6-svg-dev qtkeychain-qt6-dev
    nlohmann-json3-dev libssl-dev libsqlite3-dev zlib1g-dev libicu-dev libboost-dev libpugixml-dev
    # tests and benchmarks: GoogleTest, the openssl tool (reference figures), clang for libFuzzer,
    # and the official Nextcloud command-line client as an independent peer of nubo-server
    libgtest-dev libgmock-dev openssl curl clang-19 libclang-rt-19-dev nextcloud-desktop-cmd
    # the hostile-server test's proxy (standard library only); sqlite3 to tamper with a test server
    python3 sqlite3
    # the keychain test: a private D-Bus session (dbus-run-session) with gnome-keyring's Secret Service
    dbus-daemon gnome-keyring
    # the desktop app's tests: a real X server per test (xvfb-run needs xauth)
    xvfb xauth
    # Qt's own texts in German and French (standard buttons and dialogs) for the app's translations
    qt6-translations-l10n
    # the desktop integration's tests (test/desktop): desktop-file-validate, appstreamcli
    desktop-file-utils appstream
    # the proxy test: private tinyproxy instances (own port and config; the system service is unused)
    tinyproxy
    # the desktop app's end-to-end test (test/e2e): AT-SPI to drive it, a tray host, headless
    # Chromium through selenium for the browser login, xdotool for the tray click, import for screenshots
    at-spi2-core python3-pyatspi python3-selenium chromium chromium-driver trayer xdotool imagemagick
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup: all ${#packages[@]} build dependencies are installed"
    exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
