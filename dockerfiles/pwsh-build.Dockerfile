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
ARG PWSH_READYTORUN=true
RUN dotnet tool install PowerShell --version "${POWERSHELL_VERSION}" --tool-path /opt/pwsh-tool
# The tool's assemblies are IL only: precompile them (ReadyToRun) so every `pwsh -c` line of a job starts in about
# half the time; the same script makes the pwsh the tests and benchmarks run (PWSH_READYTORUN=false: as shipped).
COPY dockerfiles/pwsh-readytorun.sh /tmp/pwsh-readytorun.sh
RUN pwsh="$(PWSH_READYTORUN="${PWSH_READYTORUN}" bash /tmp/pwsh-readytorun.sh "/opt/pwsh-tool/.store/powershell/${POWERSHELL_VERSION}/powershell/${POWERSHELL_VERSION}/tools/net10.0/any/unix" /tmp/pwsh-r2r)" \
 && mv "$(dirname "$pwsh")" /opt/pwsh \
 && rm -rf /opt/pwsh-tool /tmp/pwsh-r2r /tmp/pwsh-readytorun.sh /root/.nuget
# Pester is a NuGet package whose tools/ folder is the module: fetch it with a PackageDownload.
RUN mkdir -p /tmp/pester && cd /tmp/pester \
 && printf '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup><PackageDownload Include="Pester" Version="[%s]" /></ItemGroup></Project>' "${PESTER_VERSION}" > pester.csproj \
 && dotnet restore --packages /tmp/pester/packages -v quiet \
 && mkdir -p "/opt/modules/Pester/${PESTER_VERSION}" \
 && cp -r "/tmp/pester/packages/pester/${PESTER_VERSION}/tools/." "/opt/modules/Pester/${PESTER_VERSION}/" \
 && rm -rf /tmp/pester /root/.nuget
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
# PowerShell's module analysis cache, written once here (~14 s): without it every `pwsh -c` line sleeps 75 ms looking
# for the file and analyses the modules again, and no one-line job lives the 13 s PowerShell waits before writing it
# (dockerfiles/pwsh-module-cache.sh). At a fixed path, so that it serves whatever HOME a runner gives the job.
ENV PSModuleAnalysisCachePath=/var/cache/powershell/ModuleAnalysisCache
COPY dockerfiles/pwsh-module-cache.sh /tmp/pwsh-module-cache.sh
RUN mkdir -p /var/cache/powershell && bash /tmp/pwsh-module-cache.sh pwsh && rm /tmp/pwsh-module-cache.sh
CMD ["pwsh", "-NoProfile"]
