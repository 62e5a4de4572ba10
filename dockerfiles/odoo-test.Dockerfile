# The Odoo test image of the test and quality jobs: Odoo (the base), plus what Invoke-OdooUnitTest and
# Invoke-OdooLint need besides it — pwsh with InfluenceGen.Deploy (taken from the pipeline's build
# image, so there is one place that installs PowerShell) and the linters: OCA's pylint-odoo, pylint and flake8 from
# PyPI, pinned in the module's lint/requirements.txt (module/lint/), in a venv (/opt/odoo-lint, first on PATH) that also
# sees Odoo.
# Build it from the repository root after the build image:
#   pwsh -c 'Build-InfluenceGenImage -Dockerfile dockerfiles/odoo-test.Dockerfile -Name odoo-test -Tag 17.0 -BuildArg @{ PWSH_IMAGE = "$env:CI_REGISTRY_IMAGE/pwsh-build:$env:CI_COMMIT_SHA" } -Push'
# ODOO_IMAGE is the official Odoo image by default; the tests build it on a stand-in (debian + the
# fake odoo of tests/unit/Odoo/Testing/testdata) because Odoo cannot be installed on the test machines.
ARG ODOO_IMAGE=odoo:17.0
ARG PWSH_IMAGE=pwsh-build:latest

FROM ${PWSH_IMAGE} AS pwsh

FROM ${ODOO_IMAGE}
USER root
COPY --from=pwsh /usr/local/share/powershell/Modules/InfluenceGen.Deploy/lint/requirements.txt /opt/odoo-lint-requirements.txt
# LINT_FROM=pypi (default): the pinned pylint-odoo, pylint and flake8. LINT_FROM=debian: Debian's pylint and flake8 without
# pylint-odoo, for builders that cannot reach PyPI (the test machines); Invoke-OdooLint then stops with LinterNotFound
# naming the pip line, rather than linting without OCA's checks.
ARG LINT_FROM=pypi
RUN apt-get update \
 && if [ "$LINT_FROM" = debian ]; then \
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends flake8 pylint \
      && mkdir -p /opt/odoo-lint/bin && ln -s /usr/bin/flake8 /usr/bin/pylint /opt/odoo-lint/bin/; \
    else \
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv ca-certificates \
      && python3 -m venv --system-site-packages /opt/odoo-lint \
      && /opt/odoo-lint/bin/pip install --no-cache-dir --disable-pip-version-check -r /opt/odoo-lint-requirements.txt; \
    fi \
 && rm -rf /var/lib/apt/lists/*
COPY --from=pwsh /usr/share/dotnet /usr/share/dotnet
COPY --from=pwsh /opt/pwsh /opt/pwsh
COPY --from=pwsh /usr/local/share/powershell/Modules /usr/local/share/powershell/Modules
ENV DOTNET_ROOT=/usr/share/dotnet \
    PATH=/opt/odoo-lint/bin:/opt/pwsh:/usr/share/dotnet:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
    POWERSHELL_TELEMETRY_OPTOUT=1 \
    POWERSHELL_UPDATECHECK=Off
RUN pwsh -NoProfile -NonInteractive -c 'Import-Module InfluenceGen.Deploy; $null = Get-Command Invoke-OdooUnitTest' \
 && command -v odoo && command -v flake8 && command -v pylint \
 && { [ "$LINT_FROM" = debian ] || /opt/odoo-lint/bin/python -c 'import pylint_odoo'; }
USER odoo
