# Quick start: package the sample addons and show the package and its addons.
# Runs under pwsh (Import-Module ./out/InfluenceGen.Deploy first) or under ig-pwsh, which imports it.
$out = [System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'quickstart')
$null = [System.IO.Directory]::CreateDirectory($out)

$package = New-OdooAddonPackage -Path ([System.IO.Path]::Combine($PSScriptRoot, 'addons')) -OutFile ([System.IO.Path]::Combine($out, 'odoo_addons.zip'))
$package | Out-Default
$package.Addons | Out-Default
