#!/usr/bin/env bash
# The README's test command. On a fresh machine it installs what the tests need (apt, npm,
# NuGet), starts the real servers they talk to on 127.0.0.1, runs every test, stops the servers,
# and ends with one line: "N passed, N failed".
#
# Servers are started by tests/setup/NN-name.sh, in order. Each setup script:
#   - installs what it needs (idempotent; large installs cached under $IG_CACHE, outside the clone),
#   - appends `export VAR=value` lines for the tests to $IG_TEST_ENV,
#   - writes its own stop commands to $IG_TEST_STATE/cleanup/NN-name.sh.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

export IG_CACHE="${IG_CACHE:-/var/cache/influencegen-tests}"
mkdir -p "$IG_CACHE"
export IG_TEST_STATE="$(mktemp -d /tmp/ig-test-state.XXXXXX)"
export IG_TEST_ENV="$IG_TEST_STATE/env.sh"
mkdir -p "$IG_TEST_STATE/cleanup"
: > "$IG_TEST_ENV"

cleanup() {
  local s
  for s in $(ls -r "$IG_TEST_STATE/cleanup/" 2>/dev/null); do
    bash "$IG_TEST_STATE/cleanup/$s" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for script in tests/setup/[0-9]*.sh; do
  [ -e "$script" ] || continue
  echo "== setup: $script"
  bash "$script"
done
# shellcheck disable=SC1090
source "$IG_TEST_ENV"

echo "== build"
dotnet build Deploy.sln -c Release -nologo -v quiet

echo "== test"
results="$IG_TEST_STATE/results"
set +e
dotnet test tests/unit/InfluenceGen.Deploy.Tests.csproj -c Release --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?
set -e

trx="$results/results.trx"
if [ ! -f "$trx" ]; then
  echo "0 passed, 1 failed"
  echo "(no test results were written: dotnet test exited $status)" >&2
  exit 1
fi
counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
skipped=$(( ${total:-0} - ${executed:-0} ))
failed=$(( ${failed:-0} + $(get error || echo 0) + $(get timeout || echo 0) ))
if [ "$skipped" -gt 0 ]; then
  echo "${passed:-0} passed, ${failed} failed, ${skipped} skipped"
else
  echo "${passed:-0} passed, ${failed} failed"
fi
[ "$failed" -eq 0 ] && [ "${passed:-0}" -gt 0 ] && [ "$status" -eq 0 ]
