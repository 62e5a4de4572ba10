#!/usr/bin/env bash
# Builds everything (Release) and prints the path of the host to run one-liners with:
#   out/InfluenceGen.Deploy/   the importable module folder
#   out/host/ig-pwsh           the console host, published ReadyToRun (starts in ~0.5 s instead of ~1.2 s)
# The benchmarks and the quick start use it; `dotnet build Deploy.sln` alone gives the JIT-compiled host
# under src/InfluenceGen.Deploy.Host/bin/<config>/net10.0/.
set -euo pipefail
repo="$(cd "$(dirname "$0")" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$repo/Deploy.sln" -c Release -nologo -v quiet >/dev/null
if ! dotnet publish "$repo/src/InfluenceGen.Deploy.Host/InfluenceGen.Deploy.Host.csproj" -c Release -r linux-x64 \
      --self-contained false -p:PublishReadyToRun=true -o "$repo/out/host" -nologo -v quiet >/dev/null 2>&1; then
  echo "build.sh: the ReadyToRun publish failed (crossgen package unavailable?); using the JIT-compiled host" >&2
  dotnet publish "$repo/src/InfluenceGen.Deploy.Host/InfluenceGen.Deploy.Host.csproj" -c Release -o "$repo/out/host" -nologo -v quiet >/dev/null
fi
echo "$repo/out/host/ig-pwsh"
