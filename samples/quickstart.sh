#!/usr/bin/env bash
# The README's quick start: build the module and restore the pinned pwsh (build.sh), package the sample
# addons (samples/quickstart.ps1), then deploy them to the local environment and show the ledger.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
pwsh=$(bash "$repo/build.sh")
export IG_PWSH="$pwsh" PSModulePath="$repo/out${PSModulePath:+:$PSModulePath}"
echo "== 1. Package the sample addons"
"$pwsh" -NoProfile -NonInteractive -File "$repo/samples/quickstart.ps1"
echo "== 2. Deploy them to the local environment (stand-in odoo, see samples/quickstart-deploy.sh) and show the ledger"
exec bash "$repo/samples/quickstart-deploy.sh"
