#!/usr/bin/env bash
# desktop.install_layout: installs component "desktop" of a configured build into a temporary
# prefix and checks every file landed where menus, software centres and icon themes look, then
# lets appstreamcli check the installed tree as a whole (the metainfo's launchable finds the
# .desktop file). Needs no build: the component holds only files from resources/.
#   install_layout_test.sh <cmake> <build dir> <appstreamcli>
set -euo pipefail

cmake=$1 build_dir=$2 appstreamcli=$3
prefix=$(mktemp -d "${TMPDIR:-/tmp}/nubo-desktop-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT

"$cmake" --install "$build_dir" --component desktop --prefix "$prefix"

expected=(
    share/applications/nubo.desktop
    share/metainfo/io.github.nubo.Nubo.metainfo.xml
    share/icons/hicolor/scalable/apps/nubo.svg
    share/icons/hicolor/scalable/apps/nubo-symbolic.svg
)
failed=0
for file in "${expected[@]}"; do
    if [[ -f $prefix/$file && -s $prefix/$file ]]; then
        echo "ok: $file"
    else
        echo "MISSING: $file" >&2
        failed=1
    fi
done

# Nothing else: the component is the desktop integration, not the binary or anything stray.
installed=$(cd "$prefix" && find . -type f -printf '%P\n' | sort)
wanted=$(printf '%s\n' "${expected[@]}" | sort)
if [[ $installed != "$wanted" ]]; then
    echo "unexpected files in component desktop:" >&2
    diff <(echo "$wanted") <(echo "$installed") >&2 || true
    failed=1
fi

"$appstreamcli" validate-tree --no-net --strict --pedantic --explain "$prefix" || failed=1

if [[ $failed -ne 0 ]]; then
    echo "FAILED" >&2
    exit 1
fi
echo "install layout ok"
