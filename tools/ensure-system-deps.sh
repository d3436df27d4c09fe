#!/bin/sh
# Ensure the system packages the test suite needs are present:
#   - Debian's Chromium at /usr/bin/chromium (Playwright drives it; no browser downloads here)
#   - a Java runtime (>= 11) for the Nu HTML Checker (vnu.jar)
#   - DejaVu fonts, so screenshots render text
# Installs them with apt-get when running as root. When they cannot be installed:
# exits 1 under CI=true, otherwise warns and exits 0 (those tests then skip locally).
# A fast no-op when everything is already present.
set -u

CHROMIUM=/usr/bin/chromium
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

missing_pkgs() {
    pkgs=""
    [ -x "$CHROMIUM" ] || pkgs="$pkgs chromium"
    command -v java >/dev/null 2>&1 || pkgs="$pkgs default-jre-headless"
    [ -e "$FONT" ] || pkgs="$pkgs fonts-dejavu-core"
    echo "$pkgs"
}

pkgs=$(missing_pkgs)
[ -z "$pkgs" ] && exit 0

echo "ensure-system-deps: missing system packages:$pkgs"

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-system-deps: installing with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    # Wait for another apt/dpkg process instead of failing on its lock.
    apt_opts="-o DPkg::Lock::Timeout=900 -o Acquire::Retries=3"
    # shellcheck disable=SC2086
    if apt-get $apt_opts update -q \
        && apt-get $apt_opts install -y -q --no-install-recommends $pkgs; then
        :
    else
        echo "ensure-system-deps: apt-get failed" >&2
    fi
    pkgs=$(missing_pkgs)
    [ -z "$pkgs" ] && { echo "ensure-system-deps: all system packages present"; exit 0; }
fi

msg="ensure-system-deps: still missing:$pkgs (need root and apt-get to install them:
  apt-get update && apt-get install -y --no-install-recommends$pkgs)"
if [ "${CI:-}" = "true" ]; then
    echo "ERROR: $msg" >&2
    echo "ERROR: browser and HTML-validity tests cannot run in CI without them." >&2
    exit 1
fi
echo "WARNING: $msg" >&2
echo "WARNING: browser and HTML-validity tests will be skipped." >&2
exit 0
