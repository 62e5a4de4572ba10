#!/usr/bin/env bash
# Writes PowerShell's module analysis cache for the modules on PSModulePath, so that every later `pwsh -c` line
# finds its commands without analysing the modules again.
#   usage: pwsh-module-cache.sh <pwsh>      (PSModulePath and PSModuleAnalysisCachePath as the environment gives)
#
# Why: a fresh pwsh reads that cache (ModuleAnalysisCache-<hash of $PSHOME> under ~/.cache/powershell, or
# $PSModuleAnalysisCachePath) before it resolves a module by name or auto-loads a command. When the file does not
# exist it tries three times with a 25 ms sleep between (75 ms of every process), then analyses the modules anew;
# and it writes what it learnt only 13 s after the last module was analysed, which a one-line CI job never lives to
# see. So without this step no `pwsh -c` line ever has the cache: measured on Build-InfluenceGenImage's unchanged
# line, ~0.69 s without, ~0.55 s with (bench/images.sh). The build image runs this once at build time
# (dockerfiles/pwsh-build.Dockerfile), bench/images.sh for the pwsh it times.
# The cache holds module paths, their manifests' write times and the command names they export; PowerShell drops an
# entry whose manifest changed, so a stale cache is only slower, never wrong.
set -euo pipefail
pwsh="$1"
# Where this pwsh keeps the cache (its own rule: $PSModuleAnalysisCachePath, else the cache folder and a hash of
# $PSHOME; read from PowerShell itself). Written afresh: a pwsh that finds a current cache analyses nothing, and then
# writes nothing.
cache=$("$pwsh" -NoProfile -NonInteractive -c '[psobject].Assembly.GetType("System.Management.Automation.AnalysisCacheData").GetField("s_cacheStoreLocation", [Reflection.BindingFlags]"NonPublic,Static").GetValue($null)')
[ -n "$cache" ] || { echo "pwsh-module-cache: cannot tell where $pwsh keeps its module analysis cache" >&2; exit 1; }
mkdir -p "$(dirname "$cache")"
rm -f "$cache"
IG_CACHE_FILE="$cache" "$pwsh" -NoProfile -NonInteractive -c '
  $ErrorActionPreference = "Stop"
  # A command no module exports: PowerShell looks through (and analyses) every module on PSModulePath for it.
  $null = Get-Command -Name "Get-InfluenceGenNoSuchCommand" -ErrorAction Ignore
  $null = Get-Module -ListAvailable
  # PowerShell writes the cache 10 s after the first module was analysed, once nothing changed for 3 s more.
  $deadline = [datetime]::Now.AddSeconds(45)
  while ([datetime]::Now -lt $deadline) {
    if (Test-Path -LiteralPath $env:IG_CACHE_FILE) {
      Start-Sleep -Milliseconds 500   # let it finish writing
      "pwsh-module-cache: $($env:IG_CACHE_FILE) ($((Get-Item -LiteralPath $env:IG_CACHE_FILE).Length) bytes)"; exit 0
    }
    Start-Sleep -Milliseconds 500
  }
  Write-Error "pwsh-module-cache: PowerShell did not write its module analysis cache $($env:IG_CACHE_FILE) within 45 s"
' >&2
