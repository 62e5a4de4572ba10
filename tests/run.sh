#!/usr/bin/env bash
# The README's test command. On a fresh machine it installs what the tests need (apt, npm,
# NuGet), starts the real servers they talk to on 127.0.0.1, runs every test, stops the servers,
# and ends with one line: "N passed, N failed".
#
# Servers are started by tests/setup/NN-name.sh, in order. Each setup script:
#   - installs what it needs (idempotent; large installs cached under $IG_CACHE, outside the clone),
#   - appends `export VAR=value` lines for the tests to $IG_TEST_ENV,
#   - writes its own stop commands to $IG_TEST_STATE/cleanup/NN-name.sh.
#
# `bash tests/run.sh --fast` runs only the fast tests (xunit trait Category=Fast: no server, no child pwsh): a build
# and a few seconds of tests, nothing installed or started. The full run runs them first too, before the servers'
# variables are loaded, which keeps the trait honest: a "fast" test that needs a server fails there.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# One xunit run: xunit NAME [dotnet test args]; adds its counts to xunit_passed / xunit_failed / xunit_skipped.
xunit_passed=0; xunit_failed=0; xunit_skipped=0
xunit() {
  local name=$1 status counters total executed failed; shift
  set +e
  dotnet test tests/unit/InfluenceGen.Deploy.Tests.csproj -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
  status=$?
  set -e
  if [ -f "$results/$name.trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$results/$name.trx" | head -n 1)
    get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
    total=$(get total); executed=$(get executed)
    failed=$(( $(get failed || echo 0) + $(get error || echo 0) + $(get timeout || echo 0) ))
    [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1 # dotnet test failed without a counted test
    xunit_passed=$(( xunit_passed + $(get passed) ))
    xunit_skipped=$(( xunit_skipped + ${total:-0} - ${executed:-0} ))
    xunit_failed=$(( xunit_failed + failed ))
  else
    echo "(no xunit results were written for $name: dotnet test exited $status)" >&2
    xunit_failed=$(( xunit_failed + 1 ))
  fi
}

if [ "${1:-}" = --fast ]; then
  shift
  results="$(mktemp -d /tmp/ig-fast.XXXXXX)"
  dotnet build tests/unit/InfluenceGen.Deploy.Tests.csproj -c Release -nologo -v quiet
  xunit fast --filter "Category=Fast" "$@"
  echo "${xunit_passed} passed, ${xunit_failed} failed"
  [ "$xunit_failed" -eq 0 ] && [ "$xunit_passed" -gt 0 ]
  exit
fi

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

for script in tests/setup/[0-9]*.sh; do
  [ -e "$script" ] || continue
  echo "== setup: $script"
  bash "$script"
done
echo "== build"
dotnet build Deploy.sln -c Release -nologo -v quiet
results="$IG_TEST_STATE/results"
mkdir -p "$results"

if [ $# -eq 0 ]; then
  echo "== test (xunit, fast: without the servers' variables)"
  xunit fast --filter "Category=Fast"
fi

# shellcheck disable=SC1090
source "$IG_TEST_ENV"
echo "== test (xunit)"
if [ $# -eq 0 ]; then xunit servers --filter "Category!=Fast"; else xunit selected "$@"; fi

# The Pester specs, under the real pwsh and Pester 5, against the same servers; JUnit as a GitLab job writes it.
# Skipped when the arguments select a subset of the xunit tests (e.g. --filter); IG_PESTER=1 forces them.
pester_passed=0; pester_failed=0
if [ $# -eq 0 ] || [ "${IG_PESTER:-0}" = 1 ]; then
  echo "== test (pester)"
  set +e
  pwsh -NoProfile -NonInteractive -File tests/pester/Invoke-Specs.ps1 -OutputPath "$results/pester-junit.xml" | tee "$results/pester.log"
  set -e
  line=$(grep -E '^pester: [0-9]+ passed, [0-9]+ failed' "$results/pester.log" | tail -n 1)
  if [ -n "$line" ]; then
    pester_passed=$(echo "$line" | sed -E 's/^pester: ([0-9]+) passed.*/\1/')
    pester_failed=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
  else
    pester_failed=1; echo "(the Pester run printed no result line)" >&2
  fi
fi

echo "xunit: ${xunit_passed:-0} passed, ${xunit_failed} failed; pester: ${pester_passed} passed, ${pester_failed} failed"
passed=$(( ${xunit_passed:-0} + pester_passed ))
failed=$(( xunit_failed + pester_failed ))
if [ "${xunit_skipped:-0}" -gt 0 ]; then
  echo "${passed} passed, ${failed} failed, ${xunit_skipped} skipped"
else
  echo "${passed} passed, ${failed} failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
