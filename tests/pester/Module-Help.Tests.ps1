#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of the module's help as Get-Help shows it under real pwsh: every parameter of every cmdlet
# described and its pipeline input right, INPUTS/OUTPUTS filled, [OutputType] declared, an online link that
# lands on a README heading, and every example parses and binds to parameters the cmdlet has.
BeforeDiscovery {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $cmdlets = @(Get-Command -Module InfluenceGen.Deploy -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters
    # GitLab's heading anchors: lower case, punctuation but '-' dropped, spaces to '-'.
    $anchors = Get-Content (Join-Path $repo 'README.md') | Where-Object { $_ -match '^#{1,6} ' } |
        ForEach-Object { (($_ -replace '^#+ ', '').ToLowerInvariant() -replace '[^\p{L}\p{Nd} _-]', '' -replace ' ', '-') }

    # The module's command calls in an example, also inside pwsh -c '...'.
    function Get-ExampleCall([string] $Code) {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
        if ($errors) { throw "does not parse: $($errors[0].Message) in: $Code" }
        foreach ($call in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $name = $call.GetCommandName()
            if ($name -eq 'pwsh') {
                $i = [array]::FindIndex([object[]] $call.CommandElements, [Predicate[object]] { $args[0] -is [System.Management.Automation.Language.CommandParameterAst] -and $args[0].ParameterName -in 'c', 'Command' })
                if ($i -ge 0) { Get-ExampleCall $call.CommandElements[$i + 1].Value }
            }
            elseif ($name -and (Get-Command $name -Module InfluenceGen.Deploy -ErrorAction Ignore)) { $call }
        }
    }
}

Describe 'Help of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $command = Get-Command $Name
        $help = Get-Help $Name -Full
    }

    It 'describes every parameter' {
        $described = @{}
        foreach ($p in $help.parameters.parameter) { $described[$p.name] = ($p.description | Out-String).Trim() }
        foreach ($p in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $described[$p] | Should -Not -BeNullOrEmpty -Because "-$p of $Name needs help"
        }
        # ... and no help for a parameter the cmdlet does not have.
        foreach ($p in $described.Keys) { $command.Parameters.Keys | Should -Contain $p }
    }

    It 'says which parameters take pipeline input' {
        foreach ($p in $help.parameters.parameter) {
            $sets = $command.Parameters[$p.name].ParameterSets.Values
            $byValue = $sets.ValueFromPipeline -contains $true
            $byName = $sets.ValueFromPipelineByPropertyName -contains $true
            if ($byValue -or $byName) { $p.pipelineInput | Should -BeLike 'True*' -Because "-$($p.name) of $Name takes pipeline input" }
            else { $p.pipelineInput | Should -Be 'False' -Because "-$($p.name) of $Name takes no pipeline input" }
            if ($byValue) { $p.pipelineInput | Should -BeLike '*ByValue*' }
            if ($byName) { $p.pipelineInput | Should -BeLike '*ByPropertyName*' }
        }
    }

    It 'declares [OutputType] and lists it under OUTPUTS, with INPUTS filled' {
        $command.OutputType | Should -Not -BeNullOrEmpty
        $outputs = @($help.returnValues.returnValue.type.name)
        foreach ($t in $command.OutputType.Name) { $outputs | Should -Contain $t }
        @($help.inputTypes.inputType.type.name | Where-Object { $_ }) | Should -Not -BeNullOrEmpty
    }

    It 'has an online help link to a README heading' {
        $command.HelpUri | Should -BeLike 'https://gitlab.com/influencegen/deploy/-/blob/main/README.md#*'
        $anchors | Should -Contain ($command.HelpUri -replace '^.*#', '')
        @($help.relatedLinks.navigationLink.uri) | Should -Contain $command.HelpUri
    }

    It 'has examples whose code parses and uses only parameters the cmdlet has' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 1
        foreach ($example in $help.examples.example) {
            $calls = @(Get-ExampleCall $example.code)
            $calls.Count | Should -BeGreaterOrEqual 1 -Because "an example of $Name calls the module: $($example.code)"
            foreach ($call in $calls) {
                $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($call, $true)
                $binding.BindingExceptions.Keys | Should -BeNullOrEmpty -Because "$($call.Extent.Text) must bind ($(@($binding.BindingExceptions.Values.BindingException.Message) -join '; '))"
            }
        }
    }

    It 'points its examples at files that exist' {
        $text = ($help.examples.example | ForEach-Object { $_.code; $_.remarks | Out-String }) -join "`n"
        foreach ($doc in [regex]::Matches($text, '(?<![\w/.-])(?:docs/)?[\w./-]+\.md\b').Value) {
            Test-Path (Join-Path $repo $doc) | Should -BeTrue -Because "an example of $Name refers to $doc"
        }
    }
}
