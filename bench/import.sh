#!/usr/bin/env bash
# Import-Module cold time under the pinned pwsh 7.6.9: the whole process `pwsh -c 'Import-Module …'` minus a bare
# `pwsh -c 1`, median of N runs each (default 10), interleaved so both see the same machine load.
#   bash bench/import.sh [N]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-10}"
pwsh=$(bash "$repo/build.sh")
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off
bare=(); import=(); first=()
for _ in $(seq "$n"); do
  s=$(date +%s.%N); "$pwsh" -NoProfile -NonInteractive -c 1 >/dev/null; e=$(date +%s.%N)
  bare+=("$(awk "BEGIN{print $e-$s}")")
  s=$(date +%s.%N); "$pwsh" -NoProfile -NonInteractive -c "Import-Module '$repo/out/InfluenceGen.Deploy'" >/dev/null; e=$(date +%s.%N)
  import+=("$(awk "BEGIN{print $e-$s}")")
  s=$(date +%s.%N); "$pwsh" -NoProfile -NonInteractive -c "Import-Module '$repo/out/InfluenceGen.Deploy'; \$null = Get-InfluenceGenConfiguration -Environment dev" >/dev/null; e=$(date +%s.%N)
  first+=("$(awk "BEGIN{print $e-$s}")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
b=$(median "${bare[@]}"); i=$(median "${import[@]}"); f=$(median "${first[@]}")
printf 'pwsh -c 1:                              %.3f s (median of %s)\n' "$b" "$n"
printf "pwsh -c 'Import-Module …':              %.3f s\n" "$i"
printf "pwsh -c 'Import-Module …; first cmdlet': %.3f s\n" "$f"
printf 'Import-Module cold time: %.3f s; with a first cmdlet call: %.3f s\n' "$(awk "BEGIN{print $i-$b}")" "$(awk "BEGIN{print $f-$b}")"
