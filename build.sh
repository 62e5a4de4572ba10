#!/usr/bin/env bash
# Builds everything (Release), restores the pinned PowerShell (pwsh 7.6.9, a local .NET tool in
# .config/dotnet-tools.json), precompiles it as the build image does and prints the path of that pwsh. The importable module lands in
# out/InfluenceGen.Deploy/; put out/ on PSModulePath and the cmdlets auto-load, as in the build image:
#   pwsh=$(bash build.sh)
#   PSModulePath="$PWD/out" "$pwsh" -NoProfile -c 'New-OdooAddonPackage -Path samples/addons -OutFile odoo_addons.zip'
# (`dotnet pwsh …` from inside the checkout runs the same pwsh.)
set -euo pipefail
repo="$(cd "$(dirname "$0")" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off
cd "$repo"
dotnet tool restore >/dev/null
dotnet build "$repo/Deploy.sln" -c Release -nologo -v quiet >/dev/null
version=$(sed -n 's/.*"version": *"\([0-9.]*\)".*/\1/p' "$repo/.config/dotnet-tools.json" | head -n 1)
# The tool ships IL only: its ReadyToRun copy under out/pwsh/ (made once, ~1 min) is the pwsh the build image ships.
bash "$repo/dockerfiles/pwsh-readytorun.sh" "${NUGET_PACKAGES:-$HOME/.nuget/packages}/powershell/$version/tools/net10.0/any/unix" "$repo/out/pwsh"
