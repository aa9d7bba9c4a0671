#!/usr/bin/env bash
# The browser of the web app's tests: Debian's chromium (never a browser download).
#
#   scripts/chromium.sh    # prints the path of the chromium executable, installing it first if missing
#
# Installs the Debian package when no chromium is found and this runs as root (apt-get); exits 3 when
# there is none and it cannot be installed.
set -euo pipefail

find_chromium() {
    for candidate in "${CROSSREAD_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser \
        "$(command -v chromium 2>/dev/null || true)" "$(command -v chromium-browser 2>/dev/null || true)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! find_chromium; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
        find_chromium
    else
        echo "no chromium found and cannot install it (needs root and apt-get)" >&2
        exit 3
    fi
fi
