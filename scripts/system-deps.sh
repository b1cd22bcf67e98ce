#!/bin/sh
# WeasyPrint needs Pango (with HarfBuzz) and a font; pdftoppm (poppler-utils) is used to
# look at rendered pages; the web survey's browser tests drive Debian's chromium (Playwright
# cannot download its own browser here). Install them from Debian/Ubuntu packages when missing.
set -e
missing=""
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing="$missing libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b"
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset" || missing="$missing libharfbuzz-subset0"
fc-list 2>/dev/null | grep -qi dejavu || missing="$missing fonts-dejavu-core"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages:$missing"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
    echo "missing system packages:$missing"
    echo "install them with: sudo apt-get install$missing   (see README: Requirements)"
fi
