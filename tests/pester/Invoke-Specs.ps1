<#
.SYNOPSIS
    Runs every Pester spec in this folder under the pinned Pester 5, as the test command and a GitLab job do.
.DESCRIPTION
    Imports Pester from the NuGet package the test project restores (PackageDownload Pester 5.7.1), runs
    tests/pester/*.Tests.ps1 in one Invoke-Pester (one session, so the module is imported and re-imported as
    in a user's shell), writes the results as JUnit XML for GitLab, and prints one closing line
    "pester: N passed, N failed". Exits 1 when anything failed (a test, a block or a whole file).
.EXAMPLE
    pwsh -NoProfile -NonInteractive -File tests/pester/Invoke-Specs.ps1 -OutputPath pester-junit.xml
#>
[CmdletBinding()]
param(
    [string] $OutputPath = 'pester-junit.xml',
    [string] $PesterVersion = '5.7.1',
    [string[]] $Path = @($PSScriptRoot)
)
$ErrorActionPreference = 'Stop'
$packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
$pester = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
if (-not (Test-Path -LiteralPath $pester)) {
    throw "Pester $PesterVersion is not restored at '$pester': run 'dotnet restore tests/unit' (PackageDownload Pester)."
}
Import-Module $pester -RequiredVersion $PesterVersion

$config = New-PesterConfiguration
# pwsh -File passes '-Path a,b' as one string.
$config.Run.Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'JUnitXml'
$config.TestResult.OutputPath = $OutputPath
$result = Invoke-Pester -Configuration $config

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
"pester: $($result.PassedCount) passed, $failed failed"
if ($failed -gt 0) { exit 1 }
