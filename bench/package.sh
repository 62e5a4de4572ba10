#!/usr/bin/env bash
# Benchmark: New-OdooAddonPackage against `zip -r` (Info-ZIP, default level 6) on the same
# generated ~300 MB addon tree, in one run. Prints wall times, sizes and the ratios.
#   bash bench/package.sh [SIZE_MB]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
size="${1:-300}"
work="$(mktemp -d /tmp/ig-bench-package.XXXXXX)"
trap 'rm -rf "$work"' EXIT
command -v zip >/dev/null || { apt-get update -qq && apt-get install -y -qq zip >/dev/null; }
pwsh=$(bash "$repo/build.sh")   # the pinned pwsh 7.6.9 (.config/dotnet-tools.json)
export PSModulePath="$repo/out${PSModulePath:+:$PSModulePath}"
python3 "$repo/bench/gen_addons.py" "$work/addons" "$size"
sync
now() { date +%s.%N; }

# Warm the page cache for both equally.
cat $(find "$work/addons" -type f) > /dev/null

t0=$(now)
(cd "$work/addons" && zip -qr "$work/zip.zip" . -x '*/__pycache__/*' '*.pyc')
t1=$(now)
inside=$("$pwsh" -NoProfile -NonInteractive -c "\$s = [Diagnostics.Stopwatch]::StartNew(); \$null = New-OdooAddonPackage -Path '$work/addons' -OutFile '$work/ig.zip'; \$s.Elapsed.TotalSeconds")
t2=$(now)

calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }
zip_time=$(calc "$t1 - $t0"); ig_time=$(calc "$t2 - $t1")
zip_size=$(stat -c %s "$work/zip.zip"); ig_size=$(stat -c %s "$work/ig.zip")
printf 'tree: %s MB, %s files, %s cores\n' "$(du -sm "$work/addons" | cut -f1)" "$(find "$work/addons" -type f | wc -l)" "$(nproc)"
printf 'zip -r:               %6.2f s  %s bytes\n' "$zip_time" "$zip_size"
printf 'New-OdooAddonPackage: %6.2f s  %s bytes (the pwsh one-liner, engine start-up included)\n' "$ig_time" "$ig_size"
printf '  of which the cmdlet: %6.2f s\n' "$inside"
printf 'time ratio (one-liner): %.2fx   time ratio (cmdlet): %.2fx   size ratio: %.3fx   (targets: <= 0.60x, <= 1.05x)\n' \
  "$(calc "$ig_time / $zip_time")" "$(calc "$inside / $zip_time")" "$(calc "$ig_size / $zip_size")"
