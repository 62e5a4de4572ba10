#!/usr/bin/env bash
# The real PowerShell the pipeline runs: pwsh 7.6.9, pinned as a local .NET tool in .config/dotnet-tools.json,
# restored from NuGet (`dotnet tool restore`) and precompiled as the build image does (dockerfiles/pwsh-readytorun.sh). Puts `pwsh` on PATH for the tests, the Pester run and the
# gitlab-ci-local pipeline run (its shell jobs call `pwsh` by name), and restores Pester 5 (PackageDownload in
# the test project) for tests/pester/Invoke-Specs.ps1.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
dotnet tool restore >/dev/null
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
version=$(sed -n 's/.*"version": *"\([0-9.]*\)".*/\1/p' .config/dotnet-tools.json | head -n 1)
# The tool ships IL only; its ReadyToRun copy (cached) is the pwsh the build image ships and starts in about half the time.
pwsh=$(bash dockerfiles/pwsh-readytorun.sh "$packages/powershell/$version/tools/net10.0/any/unix" "$IG_CACHE/pwsh")
bin="$IG_TEST_STATE/bin"
mkdir -p "$bin"
ln -sfn "$pwsh" "$bin/pwsh"
"$bin/pwsh" -NoProfile -NonInteractive -c '$PSVersionTable.PSVersion.ToString()' | sed 's/^/pwsh /'
dotnet restore tests/unit/InfluenceGen.Deploy.Tests.csproj -nologo -v quiet >/dev/null
[ -f "$packages/pester/5.7.1/tools/Pester.psd1" ] || { echo "Pester 5.7.1 was not restored" >&2; exit 1; }
{
  echo "export IG_PWSH=$bin/pwsh"
  echo "export PATH=$bin:\$PATH"
  echo "export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off"
} >> "$IG_TEST_ENV"
