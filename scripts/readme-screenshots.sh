#!/usr/bin/env bash
# `npm run screenshots`: the README's pictures of the console, taken by the Chromium tests (test/browser,
# which write full-page PNGs to test-results/) and cut to their first screen as JPEGs in docs/screenshots/.
# Needs Debian's chromium and fonts-wqy-microhei (as the browser tests do) and ImageMagick's convert.
#   --no-run   use the PNGs already in test-results/
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

shots=(
  console-lights        # 红黄绿灯
  console-calendar      # 截止日历
  console-unit-home     # 本单位待办
  console-cycle-detail  # a cycle: ladder, timeline, submit form
  console-cycle-evidence
  console-review        # 评查整改
  console-review-item   # 整改事项
  console-schedules     # 计划任务
  console-admin-units-preview
)

convert_bin="$(command -v /usr/bin/convert || command -v convert || true)"
[ -n "$convert_bin" ] && "$convert_bin" -version 2>/dev/null | grep -q ImageMagick ||
  { echo "[screenshots] ERROR: ImageMagick's convert is needed (apt-get install -y imagemagick)" >&2; exit 1; }

if [ "${1:-}" != "--no-run" ]; then
  TEMPORAL_CLI="$(bash scripts/temporal-cli.sh)" npx --no-install vitest run --project browser
fi

mkdir -p docs/screenshots
for s in "${shots[@]}"; do
  src="test-results/$s.png"
  [ -f "$src" ] || { echo "[screenshots] ERROR: $src is missing (did its browser test run?)" >&2; exit 1; }
  # The first screen (1000 px) at the test's own width, scaled to 1280 px when wider.
  width="$("$convert_bin" "$src" -format %w info:)"
  "$convert_bin" "$src" -crop "${width}x1000+0+0" +repage -resize '1280x>' -strip -quality 80 "docs/screenshots/$s.jpg"
done
ls -l docs/screenshots >&2
