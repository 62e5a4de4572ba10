# The Odoo test image of the test and quality jobs: Odoo (the base), plus what Invoke-OdooUnitTest and
# Invoke-OdooLint need besides it — pwsh with InfluenceGen.Deploy (taken from the pipeline's build
# image, so there is one place that installs PowerShell) and flake8 / pylint.
# Build it from the repository root after the build image:
#   pwsh -c 'Build-InfluenceGenImage -Dockerfile dockerfiles/odoo-test.Dockerfile -Name odoo-test -Tag 17.0 -BuildArg @{ PWSH_IMAGE = "$env:CI_REGISTRY_IMAGE/pwsh-build:$env:CI_COMMIT_SHA" } -Push'
# ODOO_IMAGE is the official Odoo image by default; the tests build it on a stand-in (debian + the
# fake odoo of tests/unit/Odoo/Testing/testdata) because Odoo cannot be installed on the test machines.
ARG ODOO_IMAGE=odoo:17.0
ARG PWSH_IMAGE=pwsh-build:latest

FROM ${PWSH_IMAGE} AS pwsh

FROM ${ODOO_IMAGE}
USER root
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends flake8 pylint ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=pwsh /usr/share/dotnet /usr/share/dotnet
COPY --from=pwsh /opt/pwsh /opt/pwsh
COPY --from=pwsh /usr/local/share/powershell/Modules /usr/local/share/powershell/Modules
ENV DOTNET_ROOT=/usr/share/dotnet \
    PATH=/opt/pwsh:/usr/share/dotnet:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
    POWERSHELL_TELEMETRY_OPTOUT=1 \
    POWERSHELL_UPDATECHECK=Off
RUN pwsh -NoProfile -NonInteractive -c 'Import-Module InfluenceGen.Deploy; $null = Get-Command Invoke-OdooUnitTest' \
 && command -v odoo && command -v flake8 && command -v pylint
USER odoo
