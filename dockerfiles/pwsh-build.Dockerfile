# The pipeline's build image: PowerShell 7.6.9 (the .NET tool from NuGet) on the .NET runtime, Pester 5,
# and InfluenceGen.Deploy, on a plain Debian — nothing else the jobs do not need.
# Build it from the repository root after `dotnet build Deploy.sln -c Release`:
#   pwsh -c 'Build-InfluenceGenImage -Dockerfile dockerfiles/pwsh-build.Dockerfile -Name pwsh-build -Push'
#
# Why a .NET SDK stage: pwsh as a .NET tool needs the .NET runtime, and Debian has no .NET package.
# The SDK image installs the tool and fetches Pester from NuGet (the only places it needs); the final
# image gets just the runtime (dotnet host + Microsoft.NETCore.App) copied from it, so any Debian (or
# Ubuntu) base works, including a minbase rootfs. Both images are build arguments (official ones by
# default); the tests pass a locally made Debian and SDK (tests/setup/32-base-images.sh).
ARG DOTNET_SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${DOTNET_SDK_IMAGE} AS tools
ARG POWERSHELL_VERSION=7.6.9
ARG PESTER_VERSION=5.7.1
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
RUN dotnet tool install PowerShell --version "${POWERSHELL_VERSION}" --tool-path /opt/pwsh
# Pester is a NuGet package whose tools/ folder is the module: fetch it with a PackageDownload.
RUN mkdir -p /tmp/pester && cd /tmp/pester \
 && printf '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup><PackageDownload Include="Pester" Version="[%s]" /></ItemGroup></Project>' "${PESTER_VERSION}" > pester.csproj \
 && dotnet restore --packages /tmp/pester/packages -v quiet \
 && mkdir -p "/opt/modules/Pester/${PESTER_VERSION}" \
 && cp -r "/tmp/pester/packages/pester/${PESTER_VERSION}/tools/." "/opt/modules/Pester/${PESTER_VERSION}/" \
 && rm -rf /tmp/pester /root/.nuget
# pwsh's own assemblies ship as IL only, so every `pwsh -c` of a job JIT-compiles ~5,500 methods before its
# first line runs. Precompile them (ReadyToRun, crossgen2 from NuGet at the version of the runtime copied below,
# against that runtime): a bare `pwsh -c 1` took 0.81 s of CPU before, 0.35 s after (README "Images"). The IL
# stays in each file, so a runtime that cannot use the code still runs it.
RUN set -e \
 && fw="$(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([0-9.]*\) \[\(.*\)\]$/\2\/\1/p' | tail -n 1)" \
 && version="$(basename "$fw")" \
 && case "$(uname -m)" in x86_64) rid=linux-x64 ;; aarch64) rid=linux-arm64 ;; *) exit 0 ;; esac \
 && mkdir -p /tmp/crossgen && cd /tmp/crossgen \
 && printf '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup><PackageDownload Include="Microsoft.NETCore.App.Crossgen2.%s" Version="[%s]" /></ItemGroup></Project>' "$rid" "$version" > crossgen.csproj \
 && dotnet restore --packages /tmp/crossgen/packages -v quiet \
 && crossgen2="/tmp/crossgen/packages/microsoft.netcore.app.crossgen2.$rid/$version/tools/crossgen2" \
 && cd "$(dirname "$(find /opt/pwsh/.store -path '*/any/unix/System.Management.Automation.dll' | head -n 1)")" \
 && for name in System.Management.Automation Microsoft.PowerShell.ConsoleHost Microsoft.PowerShell.Commands.Utility \
                Microsoft.PowerShell.Commands.Management Microsoft.PowerShell.Security pwsh; do \
      refs=""; for dll in *.dll; do [ "$dll" = "$name.dll" ] || refs="$refs -r:$dll"; done; \
      "$crossgen2" "$name.dll" -o:"/tmp/crossgen/$name.dll" --targetos:linux -O -r:"$fw/*.dll" $refs >/dev/null \
      && cp "/tmp/crossgen/$name.dll" "$name.dll"; \
    done \
 && rm -rf /tmp/crossgen /root/.nuget
# The runtime alone, without the SDK.
RUN root="$(dirname "$(readlink -f "$(command -v dotnet)")")" \
 && mkdir -p /opt/dotnet/shared \
 && cp -a "$root/dotnet" "$root/host" /opt/dotnet/ \
 && cp -a "$root/shared/Microsoft.NETCore.App" /opt/dotnet/shared/

FROM ${BASE_IMAGE}
# ca-certificates (with openssl's libssl) for HTTPS to n8n, JIRA, Slack; no ICU: invariant globalization.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=tools /opt/dotnet /usr/share/dotnet
COPY --from=tools /opt/pwsh /opt/pwsh
COPY --from=tools /opt/modules /usr/local/share/powershell/Modules
COPY out/InfluenceGen.Deploy /usr/local/share/powershell/Modules/InfluenceGen.Deploy
ENV DOTNET_ROOT=/usr/share/dotnet \
    PATH=/opt/pwsh:/usr/share/dotnet:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    POWERSHELL_TELEMETRY_OPTOUT=1 \
    POWERSHELL_UPDATECHECK=Off
# Fails the build unless pwsh starts and finds both modules (module auto-loading serves `pwsh -c`).
RUN pwsh -NoProfile -NonInteractive -c 'Import-Module Pester -MinimumVersion 5.0; Import-Module InfluenceGen.Deploy; "pwsh $($PSVersionTable.PSVersion), Pester $((Get-Module Pester).Version), InfluenceGen.Deploy $((Get-Module InfluenceGen.Deploy).Version)"'
CMD ["pwsh", "-NoProfile"]
