#!/usr/bin/env bash
# Prints the path of a ReadyToRun copy of the pinned pwsh (build.sh's), precompiled the way
# dockerfiles/pwsh-build.Dockerfile precompiles the build image's pwsh: crossgen2 over System.Management.Automation,
# ConsoleHost, Commands.*, Security and pwsh, against the .NET runtime pack of the SDK's version (both restored by the
# module build, src/InfluenceGen.Deploy/ReadyToRun.targets). Made once, cached under $IG_CACHE/pwsh-r2r.
#   pwsh=$(bash bench/pwsh-r2r.sh)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
pwsh=$(bash "$repo/build.sh")
any="$(cd "$(dirname "$pwsh")/.." && pwd)"                       # …/powershell/<v>/tools/net10.0/any
nuget="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
ver=$(cd "$repo" && dotnet msbuild src/InfluenceGen.Deploy/InfluenceGen.Deploy.csproj -getProperty:BundledNETCoreAppPackageVersion)
crossgen2="$nuget/microsoft.netcore.app.crossgen2.linux-x64/$ver/tools/crossgen2"
fw="$nuget/microsoft.netcore.app.runtime.linux-x64/$ver/runtimes/linux-x64/lib/net${ver%%.*}.0"
[ -x "$crossgen2" ] && [ -d "$fw" ] || { echo "crossgen2 $ver not restored (dotnet build Deploy.sln first)" >&2; exit 1; }
dest="${IG_CACHE:-/var/cache/influencegen-tests}/pwsh-r2r/$(basename "$(dirname "$(dirname "$(dirname "$any")")")")-$ver"
if [ ! -x "$dest/unix/pwsh" ]; then
  tmp="$dest.tmp.$$"; rm -rf "$tmp"; mkdir -p "$(dirname "$dest")"; cp -r "$any" "$tmp"
  (cd "$tmp/unix"
   for name in System.Management.Automation Microsoft.PowerShell.ConsoleHost Microsoft.PowerShell.Commands.Utility \
               Microsoft.PowerShell.Commands.Management Microsoft.PowerShell.Security pwsh; do
     refs=(); for dll in *.dll; do [ "$dll" = "$name.dll" ] || refs+=("-r:$dll"); done
     "$crossgen2" "$name.dll" -o:"../$name.r2r" --targetos:linux -O -r:"$fw/*.dll" "${refs[@]}" >/dev/null
     mv "../$name.r2r" "$name.dll"
   done
   chmod +x pwsh)
  rm -rf "$dest"; mv "$tmp" "$dest"
fi
echo "$dest/unix/pwsh"
