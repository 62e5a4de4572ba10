# The pipeline's build image: PowerShell 7 with InfluenceGen.Deploy baked in, plus Pester for the specs.
# Build it from the repository root after `dotnet build Deploy.sln -c Release`:
#   docker build -f dockerfiles/pwsh-build.Dockerfile -t $CI_REGISTRY_IMAGE/pwsh-build:latest .
FROM mcr.microsoft.com/powershell:7.4-debian-12
RUN pwsh -NoProfile -c 'Install-Module Pester -MinimumVersion 5.5 -Force -Scope AllUsers' \
 && apt-get update && apt-get install -y --no-install-recommends zip unzip openssh-client postgresql-client \
 && rm -rf /var/lib/apt/lists/*
COPY out/InfluenceGen.Deploy /opt/microsoft/powershell/7/Modules/InfluenceGen.Deploy
# Module auto-loading makes every cmdlet available to `pwsh -c` without Import-Module.
ENV POWERSHELL_TELEMETRY_OPTOUT=1
