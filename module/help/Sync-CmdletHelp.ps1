<#
.SYNOPSIS
    Brings module/help/<Cmdlet>.xml (MAML) in line with the compiled cmdlets.
.DESCRIPTION
    For every cmdlet of the built module (out/InfluenceGen.Deploy): rewrites the syntax from its parameter sets;
    gives every parameter (WhatIf and Confirm included) its required/position/pipeline input/wildcards/aliases/type
    from the cmdlet's metadata, keeping the description written in the file (or taking one from -Description);
    fills INPUTS from the parameters that take pipeline input and OUTPUTS from [OutputType], keeping descriptions
    already written; sets the "Online Version" link to the cmdlet's HelpUri. Parameters the cmdlet no longer has are
    dropped. Fails, naming them, when a parameter has no description. tests/pester/Module-Help.Tests.ps1 checks the
    result; run this after adding or renaming a parameter, then write the new descriptions in the XML.
.EXAMPLE
    dotnet build Deploy.sln -c Release; pwsh -NoProfile -File module/help/Sync-CmdletHelp.ps1
.EXAMPLE
    pwsh -NoProfile -c "& module/help/Sync-CmdletHelp.ps1 -Description @{ 'Publish-N8nWorkflow/Force' = 'Prune even when ...' }"
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy'),
    [hashtable] $Description = @{}
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$common = [System.Management.Automation.PSCmdlet]::CommonParameters
$standard = @{
    WhatIf  = 'Shows what the cmdlet would do without doing it.'
    Confirm = 'Asks for confirmation before each change. -Confirm:$false never asks (scripts, CI jobs).'
}
$missing = [System.Collections.Generic.List[string]]::new()

function El([System.Xml.XmlDocument] $doc, [string] $qname, [string] $text) {
    $prefix, $local = $qname -split ':'
    $e = $doc.CreateElement($prefix, $local, $ns[$prefix])
    if ($PSBoundParameters.ContainsKey('text')) { $e.InnerText = $text }
    $e
}
function Para([System.Xml.XmlDocument] $doc, [string] $text) {
    $d = El $doc 'maml:description'
    [void] $d.AppendChild((El $doc 'maml:para' $text))
    $d
}
function TypeName([type] $t) {
    if ($t -eq [System.Management.Automation.SwitchParameter]) { return 'System.Management.Automation.SwitchParameter' }
    $t.FullName -replace '^System\.Nullable`1\[\[([^,]+),.*$', '$1'
}

foreach ($cmd in Get-Command -Module InfluenceGen.Deploy -CommandType Cmdlet | Sort-Object Name) {
    $file = Join-Path $PSScriptRoot "$($cmd.Name).xml"
    $doc = [System.Xml.XmlDocument]::new()
    $doc.Load($file)
    $m = [System.Xml.XmlNamespaceManager]::new($doc.NameTable)
    foreach ($k in $ns.Keys) { $m.AddNamespace($k, $ns[$k]) }
    $root = $doc.DocumentElement

    $old = @{}
    foreach ($p in $root.SelectNodes('command:parameters/command:parameter', $m)) {
        $old[$p.SelectSingleNode('maml:name', $m).InnerText] = $p.SelectSingleNode('maml:description', $m)
    }
    $names = @($cmd.Parameters.Keys | Where-Object { $_ -notin $common })
    # The cmdlet's declaration order (Get-Command's dictionary keeps it), positional ones first.
    $names = @($names | Sort-Object { $pos = @($cmd.Parameters[$_].ParameterSets.Values.Position | Where-Object { $_ -ge 0 }); if ($pos.Count) { ($pos | Measure-Object -Minimum).Minimum } else { 1000 } }, { [array]::IndexOf($names, $_) })

    function ParamElement([string] $name, [System.Management.Automation.ParameterSetMetadata[]] $sets, [bool] $full) {
        $meta = $cmd.Parameters[$name]
        $e = El $doc 'command:parameter'
        $required = @($sets | Where-Object { -not $_.IsMandatory }).Count -eq 0
        $position = @($sets.Position | Where-Object { $_ -ge 0 } | Select-Object -First 1)
        $byValue = @($sets | Where-Object ValueFromPipeline).Count -gt 0
        $byName = @($sets | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
        $pipeline = if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' }
        $e.SetAttribute('required', $required.ToString().ToLowerInvariant())
        $e.SetAttribute('position', $(if ($position.Count) { "$($position[0])" } else { 'named' }))
        $e.SetAttribute('pipelineInput', $pipeline)
        $e.SetAttribute('globbing', ([bool]($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })).ToString().ToLowerInvariant())
        $e.SetAttribute('aliases', $(if ($meta.Aliases.Count) { $meta.Aliases -join ', ' } else { 'none' }))
        [void] $e.AppendChild((El $doc 'maml:name' $name))
        if ($full) {
            $key = "$($cmd.Name)/$name"
            if ($Description.ContainsKey($key)) { [void] $e.AppendChild((Para $doc $Description[$key])) }
            elseif ($old[$name] -and $old[$name].InnerText.Trim()) { [void] $e.AppendChild($old[$name].CloneNode($true)) }
            elseif ($standard.ContainsKey($name)) { [void] $e.AppendChild((Para $doc $standard[$name])) }
            else { $missing.Add($key) }
        }
        $isSwitch = $meta.ParameterType -eq [System.Management.Automation.SwitchParameter]
        $value = El $doc 'command:parameterValue' ($meta.ParameterType.Name -replace '^Nullable`1$', (TypeName $meta.ParameterType).Split('.')[-1])
        $value.SetAttribute('required', (-not $isSwitch).ToString().ToLowerInvariant())
        if ($full -or -not $isSwitch) { [void] $e.AppendChild($value) }
        if ($full) {
            $type = El $doc 'dev:type'
            [void] $type.AppendChild((El $doc 'maml:name' (TypeName $meta.ParameterType)))
            [void] $e.AppendChild($type)
        }
        $e
    }

    # Syntax: one item per parameter set.
    $syntax = El $doc 'command:syntax'
    foreach ($set in $cmd.ParameterSets | Sort-Object { -not $_.IsDefault }, Name) {
        $item = El $doc 'command:syntaxItem'
        [void] $item.AppendChild((El $doc 'maml:name' $cmd.Name))
        foreach ($name in $names) {
            $inSet = @($cmd.Parameters[$name].ParameterSets.GetEnumerator() | Where-Object { $_.Key -eq $set.Name -or $_.Key -eq '__AllParameterSets' } | ForEach-Object Value)
            if ($inSet.Count -eq 0) { continue }
            [void] $item.AppendChild((ParamElement $name $inSet[0] $false))
        }
        [void] $syntax.AppendChild($item)
    }
    $parameters = El $doc 'command:parameters'
    foreach ($name in $names) {
        [void] $parameters.AppendChild((ParamElement $name @($cmd.Parameters[$name].ParameterSets.Values) $true))
    }

    # INPUTS: the types of the parameters that take pipeline input.
    $oldInputs = @{}
    foreach ($i in $root.SelectNodes('command:inputTypes/command:inputType', $m)) { $oldInputs[$i.SelectSingleNode('dev:type/maml:name', $m).InnerText] = $i.SelectSingleNode('maml:description', $m) }
    $inputs = El $doc 'command:inputTypes'
    $piped = @($names | ForEach-Object {
            $meta = $cmd.Parameters[$_]
            $how = @(if ($meta.ParameterSets.Values.ValueFromPipeline -contains $true) { 'by value' }
                if ($meta.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true) { 'by property name' + $(if ($meta.Aliases.Count) { " ($(@($_) + $meta.Aliases -join ', '))" } else { " ($_)" }) })
            if ($how) { [pscustomobject]@{ Name = $_; Type = (TypeName $meta.ParameterType); How = $how -join ' or ' } }
        })
    if ($piped.Count -eq 0) { $piped = @([pscustomobject]@{ Name = $null; Type = 'None'; How = $null }) }
    foreach ($p in $piped) {
        $it = El $doc 'command:inputType'
        $type = El $doc 'dev:type'
        [void] $type.AppendChild((El $doc 'maml:name' $p.Type))
        [void] $it.AppendChild($type)
        $text = if ($oldInputs[$p.Type] -and $oldInputs[$p.Type].InnerText.Trim()) { $null }
        elseif ($p.Name) { "-$($p.Name) takes it from the pipeline $($p.How)." } else { 'This cmdlet takes no pipeline input.' }
        [void] $it.AppendChild($(if ($text) { Para $doc $text } else { $oldInputs[$p.Type].CloneNode($true) }))
        [void] $inputs.AppendChild($it)
    }

    # OUTPUTS: [OutputType].
    $oldOutputs = @{}
    foreach ($r in $root.SelectNodes('command:returnValues/command:returnValue', $m)) { $oldOutputs[$r.SelectSingleNode('dev:type/maml:name', $m).InnerText] = $r.SelectSingleNode('maml:description', $m) }
    $outputs = El $doc 'command:returnValues'
    foreach ($t in $cmd.OutputType | Select-Object -ExpandProperty Name -Unique) {
        $rv = El $doc 'command:returnValue'
        $type = El $doc 'dev:type'
        [void] $type.AppendChild((El $doc 'maml:name' $t))
        [void] $rv.AppendChild($type)
        [void] $rv.AppendChild($(if ($oldOutputs[$t] -and $oldOutputs[$t].InnerText.Trim()) { $oldOutputs[$t].CloneNode($true) } else { Para $doc "One $($t.Split('.')[-1]) per result (Get-Member for its properties)." }))
        [void] $outputs.AppendChild($rv)
    }

    # Online version: the cmdlet's HelpUri.
    $links = El $doc 'command:relatedLinks'
    if ($cmd.HelpUri) {
        $link = El $doc 'maml:navigationLink'
        [void] $link.AppendChild((El $doc 'maml:linkText' 'Online Version:'))
        [void] $link.AppendChild((El $doc 'maml:uri' $cmd.HelpUri))
        [void] $links.AppendChild($link)
    }
    foreach ($l in $root.SelectNodes('command:relatedLinks/maml:navigationLink', $m)) {
        if ($l.SelectSingleNode('maml:linkText', $m).InnerText -ne 'Online Version:') { [void] $links.AppendChild($l.CloneNode($true)) }
    }

    # Replace in MAML order: details, description, syntax, parameters, inputTypes, returnValues, ..., examples, relatedLinks.
    foreach ($x in 'command:syntax', 'command:parameters', 'command:inputTypes', 'command:returnValues', 'command:relatedLinks') {
        foreach ($n in @($root.SelectNodes($x, $m))) { [void] $root.RemoveChild($n) }
    }
    $after = $root.SelectSingleNode('maml:description', $m)
    foreach ($n in $syntax, $parameters, $inputs, $outputs) { $after = $root.InsertAfter($n, $after) }
    [void] $root.AppendChild($links)

    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; IndentChars = '  '; OmitXmlDeclaration = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $writer = [System.Xml.XmlWriter]::Create($file, $settings)
    try { $doc.Save($writer) } finally { $writer.Dispose() }
    Add-Content -LiteralPath $file -Value '' -NoNewline
}
if ($missing.Count) { throw "Parameters without a description (write them in module/help/<Cmdlet>.xml or pass -Description): $($missing -join ', ')" }
