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
"$pwsh" -NoProfile -NonInteractive -c '
  $ErrorActionPreference = "Stop"
  $start = [datetime]::Now.AddSeconds(-1)
  # A command no module exports: PowerShell looks through (and analyses) every module on PSModulePath for it.
  $null = Get-Command -Name "Get-InfluenceGenNoSuchCommand" -ErrorAction Ignore
  $null = Get-Module -ListAvailable
  $files = if ($env:PSModuleAnalysisCachePath) { { Get-Item -LiteralPath $env:PSModuleAnalysisCachePath -ErrorAction Ignore } }
           else {
             $root = if ($env:XDG_CACHE_HOME) { $env:XDG_CACHE_HOME } else { Join-Path $HOME ".cache" }
             { Get-ChildItem -Path (Join-Path $root "powershell") -Filter "ModuleAnalysisCache-*" -ErrorAction Ignore }
           }
  # PowerShell writes the cache 10 s after the first module was analysed, once nothing changed for 3 s more.
  $deadline = [datetime]::Now.AddSeconds(45)
  while ([datetime]::Now -lt $deadline) {
    $written = & $files | Where-Object LastWriteTime -ge $start | Select-Object -First 1
    if ($written) { "pwsh-module-cache: $($written.FullName) ($($written.Length) bytes)"; exit 0 }
    Start-Sleep -Milliseconds 500
  }
  Write-Error "pwsh-module-cache: PowerShell did not write its module analysis cache within 45 s"
' >&2
