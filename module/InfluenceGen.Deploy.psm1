# Root module of InfluenceGen.Deploy.
# On PowerShell 7 the binary module and its dependencies are loaded into an AssemblyLoadContext of
# the module's own (see src/InfluenceGen.Deploy.LoadContext); on Windows PowerShell 5.1 (no ALC)
# the assembly is loaded directly. Only engine-core commands are used here, so this also loads in
# a hosted System.Management.Automation without the Utility module.
$binPath = [System.IO.Path]::Combine($PSScriptRoot, 'bin')
if ($PSVersionTable.PSEdition -eq 'Core') {
    if (-not ('InfluenceGen.Deploy.LoadContext.ModuleLoadContext' -as [type])) {
        $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, 'InfluenceGen.Deploy.LoadContext.dll'))
    }
    $moduleAssembly = [InfluenceGen.Deploy.LoadContext.ModuleLoadContext]::Initialize($binPath)
}
else {
    $moduleAssembly = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($binPath, 'InfluenceGen.Deploy.dll'))
}
Import-Module -Assembly $moduleAssembly -Force
