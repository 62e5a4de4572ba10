# Root module of InfluenceGen.Deploy (PowerShell 7.4+).
# The binary module and its dependencies (SSH.NET, AWSSDK, Docker.DotNet, Flurl, Newtonsoft.Json) are loaded
# into an AssemblyLoadContext of the module's own (src/InfluenceGen.Deploy.LoadContext), so another module's
# versions of the same assemblies cannot clash with ours.

# The engine's own Import-Module, whatever a session may have shadowed it with (GetCmdlet returns cmdlets only; the
# module-qualified name picks the engine's). Get-Command took ~13 ms of every fresh process's first cmdlet call, this ~3 ms.
$importModule = $ExecutionContext.InvokeCommand.GetCmdlet('Microsoft.PowerShell.Core\Import-Module')

$isReload = $true
if (-not ('InfluenceGen.Deploy.LoadContext.ModuleLoadContext' -as [type])) {
    $isReload = $false
    $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, 'InfluenceGen.Deploy.LoadContext.dll'))
}

# Throws (naming both folders) when another copy of the module was loaded into this process from elsewhere.
try {
    $moduleAssembly = [InfluenceGen.Deploy.LoadContext.ModuleLoadContext]::Initialize([System.IO.Path]::Combine($PSScriptRoot, 'bin'))
}
catch {
    $reason = if ($_.Exception.InnerException) { $_.Exception.InnerException } else { $_.Exception }
    throw [System.InvalidOperationException]::new($reason.Message)
}
$innerModule = & $importModule -Assembly $moduleAssembly -Force -PassThru:$isReload

if ($innerModule) {
    # A second import in one session (Import-Module -Force, or Remove-Module then Import-Module) gets the
    # engine's cached binary module back, whose cmdlets are not re-exported through this script module
    # (PowerShell issue #20710): export them again explicitly, or the module ends up with no commands.
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
        'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmdlet in $innerModule.ExportedCmdlets.Values) {
        $null = $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
    }
}
