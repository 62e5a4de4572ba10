#!/usr/bin/env bash
# Benchmark: Build-InfluenceGenImage against the docker CLI the old docker_images.sh used
# (`docker build` + `docker login` + `docker push`, classic builder DOCKER_BUILDKIT=0), same context,
# same engine (tests/setup/30-docker.sh), same registry (31-registry.sh: docker-registry with htpasswd),
# in one run:
#   cold:      build with no cache + push into an empty registry (registry storage wiped before each)
#   unchanged: rebuild of the same context (every step cached) + push (every layer already there)
# Prints the seconds of each and the ratio ours/cli (targets: cold <= 1.1, unchanged <= 1.0).
# Ours is timed as a CI job runs it: a fresh PowerShell process for the one line, module import included.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export IG_CACHE="${IG_CACHE:-/var/cache/influencegen-tests}"
export IG_TEST_STATE="$(mktemp -d /tmp/ig-bench.XXXXXX)"; export IG_TEST_ENV="$IG_TEST_STATE/env.sh"
mkdir -p "$IG_TEST_STATE/cleanup"; : > "$IG_TEST_ENV"
cleanup() { for s in $(ls -r "$IG_TEST_STATE/cleanup/" 2>/dev/null); do bash "$IG_TEST_STATE/cleanup/$s" >/dev/null 2>&1 || true; done; rm -rf "$IG_TEST_STATE"; }
trap cleanup EXIT
for s in 30-docker 31-registry 32-base-images; do bash "tests/setup/$s.sh" >/dev/null; done
# shellcheck disable=SC1090
source "$IG_TEST_ENV"
pwsh=$(bash build.sh)   # the pinned pwsh 7.6.9, precompiled as the build image ships it (dockerfiles/pwsh-readytorun.sh)
# For comparison: the same pwsh as the NuGet tool ships it (IL only, JIT-compiled on every start).
version=$(sed -n 's/.*"version": *"\([0-9.]*\)".*/\1/p' .config/dotnet-tools.json | head -n 1)
pwsh_il=$(PWSH_READYTORUN=false bash dockerfiles/pwsh-readytorun.sh "${NUGET_PACKAGES:-$HOME/.nuget/packages}/powershell/$version/tools/net10.0/any/unix" "$repo/out/pwsh")
export PSModulePath="$repo/out${PSModulePath:+:$PSModulePath}"
export DOCKER_HOST="$DOCKER_TEST_HOST" DOCKER_BUILDKIT=0 DOCKER_CONFIG="$IG_TEST_STATE/docker-config"
reg="$REGISTRY_TEST_HOST"

# The context: 300 files of 64 KiB (~19 MiB), a .dockerignore'd folder, a Dockerfile with a RUN step.
ctx="$IG_TEST_STATE/ctx"; mkdir -p "$ctx/data" "$ctx/ignored"
for i in $(seq -w 1 300); do head -c 65536 /dev/urandom > "$ctx/data/f$i.bin"; done
head -c 4000000 /dev/urandom > "$ctx/ignored/big.bin"
printf 'ignored\n' > "$ctx/.dockerignore"
printf 'FROM %s\nCOPY data/ /data/\nRUN cat /data/* | sha256sum > /sum\n' "$IG_TEST_DEBIAN_IMAGE" > "$ctx/Dockerfile"

now() { date +%s.%N; }
wipe() { rm -rf "${REGISTRY_TEST_DATA:?}"/*; }
cli() {   # what docker_images.sh did
  local nocache=$1 t0; t0=$(now)
  docker build $nocache -q -t "$reg/bench/cli:1" "$ctx" >/dev/null 2>&1
  printf '%s' "$REGISTRY_TEST_PASSWORD" | docker login -u "$REGISTRY_TEST_USER" --password-stdin "$reg" >/dev/null 2>&1
  docker push -q "$reg/bench/cli:1" >/dev/null
  echo "$(now) - $t0" | bc
}
ours() {
  local nocache=$1 t0 p=${2:-$pwsh}; t0=$(now)
  CI_REGISTRY_USER="$REGISTRY_TEST_USER" CI_REGISTRY_PASSWORD="$REGISTRY_TEST_PASSWORD" \
    "$p" -NoProfile -NonInteractive -c "Build-InfluenceGenImage '$ctx' -Name bench/ours -Registry $reg -Tag 1 $nocache -Push" >/dev/null
  echo "$(now) - $t0" | bc
}
# PowerShell's module analysis cache for both pwsh copies, written once as the build image does at build time
# (dockerfiles/pwsh-module-cache.sh; ~14 s each, not timed). One more unchanged run below goes without it.
bash dockerfiles/pwsh-module-cache.sh "$pwsh" 2>/dev/null
bash dockerfiles/pwsh-module-cache.sh "$pwsh_il" 2>/dev/null
# Warm-up (engine, page cache, the host's first start), not timed.
"$pwsh" -NoProfile -c 'Get-Command Build-InfluenceGenImage' >/dev/null
wipe; cli --no-cache >/dev/null; ours -NoCache >/dev/null
docker rmi -f "$reg/bench/cli:1" "$reg/bench/ours:1" >/dev/null

"$pwsh_il" -NoProfile -c 'Get-Command Build-InfluenceGenImage' >/dev/null
wipe; cold_cli=$(cli --no-cache)
wipe; cold_ours=$(ours -NoCache)
wipe; cold_il=$(ours -NoCache "$pwsh_il")
# The last wipe removed the CLI's and the first run's pushes: push both once more, untimed, so that the unchanged
# runs find every layer and manifest in the registry, as the scenario says.
cli "" >/dev/null; ours "" >/dev/null
# One unchanged run is ~0.4 s, where one scheduling hiccup of the shared cores is a tenth: the median of 5, the CLI
# and ours alternating.
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
wc_=(); wo_=()
for i in 1 2 3 4 5; do wc_+=("$(cli "")"); wo_+=("$(ours "")"); done
warm_cli=$(median "${wc_[@]}")
warm_ours=$(median "${wo_[@]}")
warm_il=$(ours "" "$pwsh_il")
# The same without a module analysis cache (a pwsh that never wrote one, as every job line before the image had it).
warm_nocache=$(PSModuleAnalysisCachePath="$IG_TEST_STATE/no-such-cache" ours "")
# The same unchanged rebuild + push timed inside one PowerShell session (what an admin's shell or a multi-line job
# pays once pwsh runs): the median of 3 after a warm-up.
inside=$(CI_REGISTRY_USER="$REGISTRY_TEST_USER" CI_REGISTRY_PASSWORD="$REGISTRY_TEST_PASSWORD" "$pwsh" -NoProfile -NonInteractive -c "
  \$null = Build-InfluenceGenImage '$ctx' -Name bench/ours -Registry $reg -Tag 1 -Push
  \$t = 1..3 | ForEach-Object { (Measure-Command { \$null = Build-InfluenceGenImage '$ctx' -Name bench/ours -Registry $reg -Tag 1 -Push }).TotalSeconds } | Sort-Object
  \$t[1]")
bare=$( t0=$(now); "$pwsh" -NoProfile -NonInteractive -c 1 >/dev/null; echo "$(now) - $t0" | bc )
bare_il=$( t0=$(now); "$pwsh_il" -NoProfile -NonInteractive -c 1 >/dev/null; echo "$(now) - $t0" | bc )
load=$(cut -d' ' -f1-3 /proc/loadavg)
ratio() { echo "scale=2; $1 / $2" | bc; }
printf '%-34s %8s %8s %8s\n' "scenario" "cli s" "ours s" "ours/cli"
printf '%-34s %8.2f %8.2f %8s\n' "cold build + push" "$cold_cli" "$cold_ours" "$(ratio "$cold_ours" "$cold_cli")"
printf '%-34s %8.2f %8.2f %8s\n' "unchanged rebuild + push (median 5)" "$warm_cli" "$warm_ours" "$(ratio "$warm_ours" "$warm_cli")"
printf '%-34s %8.2f %8.2f %8s\n' "unchanged, inside one pwsh session" "$warm_cli" "$inside" "$(ratio "$inside" "$warm_cli")"
printf '%-34s %8.2f %8.2f %8s\n' "cold, pwsh as NuGet ships it (IL)" "$cold_cli" "$cold_il" "$(ratio "$cold_il" "$cold_cli")"
printf '%-34s %8.2f %8.2f %8s\n' "unchanged, pwsh as shipped (IL)" "$warm_cli" "$warm_il" "$(ratio "$warm_il" "$warm_cli")"
printf '%-34s %8.2f %8.2f %8s\n' "unchanged, no module analysis cache" "$warm_cli" "$warm_nocache" "$(ratio "$warm_nocache" "$warm_cli")"
printf '(a bare `pwsh -c 1` took %.2f s of the whole-process figures, %.2f s as IL; load average %s)\n' "$bare" "$bare_il" "$load"
