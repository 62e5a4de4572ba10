#!/usr/bin/env bash
# Makes a ReadyToRun copy of the pinned pwsh and prints its path: pwsh-readytorun.sh TOOL_DIR CACHE_DIR
#
# Why: PowerShell as a .NET tool (the NuGet package `PowerShell`, what .config/dotnet-tools.json pins and the
# build image installs) ships its assemblies as IL only, unlike PowerShell's own installers. Every CI line is a
# fresh `pwsh -c '…'`, so each one JIT-compiles System.Management.Automation and friends on start: a bare
# `pwsh -c 1` costs ~0.6-0.7 s on a quiet 2-core machine and seconds under load. crossgen2 precompiles them
# against the .NET runtime that runs them; the IL stays in each file, so a runtime that cannot use the code
# falls back to it (correct anywhere, just slower to start).
#
# TOOL_DIR   the tool's folder (…/powershell/<version>/tools/net10.0/any/unix, or a --tool-path folder)
# CACHE_DIR  the copy lands in CACHE_DIR/<pwsh.dll hash>-net<runtime>-<this script's hash>/, made atomically
#            (built beside it, renamed into place) and reused as long as the three are the same
#
# crossgen2 and the runtime pack come from NuGet at the version of the installed Microsoft.NETCore.App (the
# runtime pwsh will run on), restored with a PackageDownload into NUGET_PACKAGES (default ~/.nuget/packages).
# Used by build.sh, tests/setup/01-pwsh.sh and dockerfiles/pwsh-build.Dockerfile, so the pwsh the tests and the
# benchmarks run is the pwsh the build image ships. PWSH_READYTORUN=false copies the IL tool unchanged.
set -euo pipefail
tool="$(cd "${1:?TOOL_DIR}" && pwd)"; cache="${2:?CACHE_DIR}"
runtime=$(dotnet --list-runtimes | sed -n 's/^Microsoft\.NETCore\.App \([0-9][0-9.]*\) .*/\1/p' | tail -n 1)
mode=${PWSH_READYTORUN:-true}; [ -n "$runtime" ] || mode=false
out="$cache/$(sha256sum "$tool/pwsh.dll" | cut -c1-12)-net${runtime:-none}-$(sha256sum "$0" | cut -c1-8)"
[ "$mode" = false ] && out="$out-il"
if [ -d "$out" ]; then echo "$out/pwsh"; exit 0; fi
tmp="$out.tmp.$$"
trap 'rm -rf "$tmp" "$tmp.proj"' EXIT
rm -rf "$tmp"; mkdir -p "$cache"
cp -a "$tool/." "$tmp/"

compile() {
  local rid arch packages crossgen framework
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "pwsh-readytorun: $(uname -m) unsupported; pwsh stays IL" >&2; return 0 ;; esac
  rid="linux-$arch"
  packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
  crossgen="$packages/microsoft.netcore.app.crossgen2.$rid/$runtime/tools/crossgen2"
  framework="$packages/microsoft.netcore.app.runtime.$rid/$runtime/runtimes/$rid/lib/net${runtime%%.*}.0"
  if [ ! -x "$crossgen" ] || [ ! -f "$framework/System.Private.CoreLib.dll" ]; then
    mkdir -p "$tmp.proj"
    printf '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net%s.0</TargetFramework></PropertyGroup><ItemGroup><PackageDownload Include="Microsoft.NETCore.App.Crossgen2.%s" Version="[%s]" /><PackageDownload Include="Microsoft.NETCore.App.Runtime.%s" Version="[%s]" /></ItemGroup></Project>' \
      "${runtime%%.*}" "$rid" "$runtime" "$rid" "$runtime" > "$tmp.proj/r2r.csproj"
    dotnet restore "$tmp.proj/r2r.csproj" --packages "$packages" -nologo -v quiet >/dev/null \
      || { echo "pwsh-readytorun: crossgen2 $runtime is not on NuGet here; pwsh stays IL" >&2; return 0; }
  fi
  local compiled=0 dll name
  for dll in "$tool"/*.dll; do
    name=$(basename "$dll")
    # The framework's own names load from the shared framework, never from here; Roslyn (Add-Type only) is big
    # and off the start path.
    [ -f "$framework/$name" ] && continue
    case "$name" in Microsoft.CodeAnalysis*) continue ;; esac
    if "$crossgen" "$dll" -o "$tmp/$name.r2r" -r "$framework/" -r "$tool/" --targetos linux --targetarch "$arch" -O >/dev/null 2>&1; then
      mv -f "$tmp/$name.r2r" "$tmp/$name"; compiled=$((compiled + 1))
    else
      rm -f "$tmp/$name.r2r"   # this one stays IL (still correct)
    fi
  done
  echo "pwsh-readytorun: $compiled assemblies precompiled for .NET $runtime ($rid)" >&2
}
[ "$mode" = false ] || compile
chmod +x "$tmp/pwsh"
mv "$tmp" "$out"
echo "$out/pwsh"
