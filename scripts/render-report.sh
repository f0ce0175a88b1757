#!/usr/bin/env bash
# Renders an mlpath HTML report (.mlpath/reports/<exercise>.html) to a PNG
# with headless Chromium: a way to look at the report on a machine without a
# desktop, and what the learner-experience tests use to check it in a real
# browser.
#
#   scripts/render-report.sh .mlpath/reports/month2-mnist.html [out.png]
#
# On Debian/Ubuntu: sudo apt-get install -y chromium. Another Chrome works
# too: CHROMIUM=/path/to/chrome scripts/render-report.sh ...
# WIDTH and HEIGHT set the window size in CSS pixels (default 1000x2400).
# The command it runs is the plain one:
#   chromium --headless --no-sandbox --disable-gpu --screenshot=out.png file:///abs/report.html
set -euo pipefail

report=${1:?usage: scripts/render-report.sh <report.html> [out.png]}
[ -f "$report" ] || { echo "no such report: $report (mlpath check writes it; mlpath report <id> prints its path)" >&2; exit 2; }
report=$(realpath "$report")
out=${2:-${report%.html}.png}
out=$(realpath -m "$out")

browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$browser" ]; then
  echo "no Chromium found: install it (Debian: apt-get install -y chromium) or set CHROMIUM=/path/to/chrome" >&2
  exit 2
fi

# A throwaway profile: parallel runs must not fight over one.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# --no-sandbox: containers and CI runners usually run as root, where the sandbox refuses to start.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$profile" \
  --window-size="${WIDTH:-1000},${HEIGHT:-2400}" \
  --screenshot="$out" "file://$report" >/dev/null 2>&1

[ -s "$out" ] || { echo "Chromium wrote no screenshot to $out" >&2; exit 1; }
echo "$out"
