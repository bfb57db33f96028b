#!/bin/sh
# test_chromium.sh FIXTURE PNG_COLOURS - opens a 20-segment sweep's
# report.html in headless Chromium: --dump-dom must show the six inline SVG
# plots, and a screenshot must show the curves' colours (png_colours).
# Skipped (exit 77) only when chromium is not installed.
set -u
fixture=$1
png_colours=$2

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "skipped: chromium is not installed (Debian package: chromium)"
  exit 77
fi
# gnuplot is a dependency of relaxrun's tests: without it this test fails.
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "FAIL: gnuplot is not on PATH (Debian package: gnuplot-nox): no plots to render"
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rr-report-chromium-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$fixture" "$work/run" 20 || fail "report_fixture"
url="file://$work/run/report.html"

# A fresh profile per run; nothing may reach the network.
browse() { # browse OUT_OPTION... : runs Chromium once on the report
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --user-data-dir="$(mktemp -d "$work/profile-XXXXXX")" \
    "$@" "$url" 2>>"$work/chromium.log"
}

# 1. Structure: the DOM after load holds every plot as inline SVG.
browse --dump-dom >"$work/dom.html" || { cat "$work/chromium.log"; fail "chromium --dump-dom"; }
svgs=$(grep -o '<svg role="img"' "$work/dom.html" | wc -l)
paths=$(grep -o '<path' "$work/dom.html" | wc -l)
echo "dom: $svgs inline SVG plots, $paths paths"
[ "$svgs" -eq 6 ] || fail "expected 6 inline SVG plots in the DOM, found $svgs"
[ "$paths" -ge 60 ] || fail "expected plotted paths in the DOM, found $paths"
grep -q 'activation_energy' "$work/dom.html" || fail "results missing from the DOM"
grep -q 'Not drawn' "$work/dom.html" && fail "a plot was not drawn"

# 2. Rendering: the screenshot shows the curves.  The automatic sweep plot
# runs from #253a9c (315 K) to #c62828 (410 K); the overlay's second curve
# is #ff7f0e.  The page's own CSS uses none of these colours.
browse --screenshot="$work/shot.png" --window-size=1200,3000 >/dev/null ||
  { cat "$work/chromium.log"; fail "chromium --screenshot"; }
[ -s "$work/shot.png" ] || fail "no screenshot"
if [ -n "${RR_REPORT_SHOT:-}" ]; then cp "$work/shot.png" "$RR_REPORT_SHOT"; fi
"$png_colours" "$work/shot.png" 253a9c 300 c62828 300 ff7f0e 300 ||
  fail "the plots did not render in the screenshot"
echo "ok: report.html renders its plots in Chromium"
