# Quick start: package the sample addons and show the package and its addons.
# Runs under pwsh with the module on PSModulePath (samples/quickstart.sh puts out/ there), or after
# Import-Module ./out/InfluenceGen.Deploy.
$ErrorActionPreference = 'Stop'
$out = Join-Path $PSScriptRoot '../out/quickstart'
$null = New-Item -ItemType Directory -Force -Path $out

$package = New-OdooAddonPackage -Path (Join-Path $PSScriptRoot 'addons') -OutFile (Join-Path $out 'odoo_addons.zip')
$package | Format-Table
$package.Addons | Format-Table
