#!/usr/bin/env bash
# The README's quick start: build the module and the ig-pwsh host, then run samples/quickstart.ps1.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$repo/Deploy.sln" -c Release -nologo -v quiet >/dev/null
exec "$repo/src/InfluenceGen.Deploy.Host/bin/Release/net10.0/ig-pwsh" -NoProfile -File "$repo/samples/quickstart.ps1"
