#!/usr/bin/env bash
# The README's quick start: build the module and the ig-pwsh host, package the sample addons
# (samples/quickstart.ps1), then deploy them to the local environment and show the ledger.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$repo/Deploy.sln" -c Release -nologo -v quiet >/dev/null
echo "== 1. Package the sample addons"
"$repo/src/InfluenceGen.Deploy.Host/bin/Release/net10.0/ig-pwsh" -NoProfile -File "$repo/samples/quickstart.ps1"
echo "== 2. Deploy them to the local environment (stand-in odoo, see samples/quickstart-deploy.sh) and show the ledger"
exec bash "$repo/samples/quickstart-deploy.sh"
