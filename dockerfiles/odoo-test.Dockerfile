# The Odoo build/test image used by the test and quality jobs: Odoo 17, flake8 and pylint, and
# PowerShell 7 with InfluenceGen.Deploy, so Invoke-OdooUnitTest runs Odoo as a local command.
# Build it from the repository root after `dotnet build Deploy.sln -c Release`:
#   docker build -f dockerfiles/odoo-test.Dockerfile -t $CI_REGISTRY_IMAGE/odoo-test:17.0 .
FROM odoo:17.0
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends flake8 pylint curl ca-certificates \
 && curl -fsSL https://github.com/PowerShell/PowerShell/releases/download/v7.4.6/powershell_7.4.6-1.deb_amd64.deb -o /tmp/pwsh.deb \
 && apt-get install -y /tmp/pwsh.deb && rm /tmp/pwsh.deb \
 && rm -rf /var/lib/apt/lists/*
COPY out/InfluenceGen.Deploy /opt/microsoft/powershell/7/Modules/InfluenceGen.Deploy
USER odoo
