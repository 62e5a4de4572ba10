#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of the module's conceptual help (module/en-US/about_*.help.txt, shipped in the module's en-US/ folder):
# Get-Help finds each topic under real pwsh, and each says what it is for.
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    $moduleFolder = Join-Path $repo 'out/InfluenceGen.Deploy'
    Import-Module $moduleFolder -Force
    $topics = 'about_InfluenceGen_Deploy', 'about_InfluenceGen_Configuration', 'about_InfluenceGen_Deploy_Model', 'about_InfluenceGen_Errors'
    function Get-TopicText([string] $Name) { (Get-Help $Name | Out-String -Width 200) }
}

Describe 'Conceptual help (about_InfluenceGen*)' {
    It 'ships every topic in the built module''s en-US folder' {
        foreach ($t in $topics) { Join-Path $moduleFolder "en-US/$t.help.txt" | Should -Exist }
    }

    It 'Get-Help about_InfluenceGen* lists every topic' {
        $found = @(Get-Help 'about_InfluenceGen*' | ForEach-Object Name)
        foreach ($t in $topics) { $found | Should -Contain $t }
    }

    It 'about_InfluenceGen_Deploy names every cmdlet of the module and points to the other topics' {
        $text = Get-TopicText about_InfluenceGen_Deploy
        $text | Should -Match 'from a commit to production'
        foreach ($c in Get-Command -Module InfluenceGen.Deploy -CommandType Cmdlet) { $text | Should -Match ([regex]::Escape($c.Name)) }
        foreach ($t in $topics | Where-Object { $_ -ne 'about_InfluenceGen_Deploy' }) { $text | Should -Match $t }
    }

    It 'about_InfluenceGen_Configuration gives the order of precedence and the environments file' {
        $text = Get-TopicText about_InfluenceGen_Configuration
        $text | Should -Match 'explicit parameter\s+wins, then the GitLab CI variable'
        $text | Should -Match 'INFLUENCEGEN_ENVIRONMENTS_FILE'
        $text | Should -Match 'Secrets are refused in this file'
    }

    It 'about_InfluenceGen_Deploy_Model describes the release layout, the steps and the rollback' {
        $text = Get-TopicText about_InfluenceGen_Deploy_Model
        $text | Should -Match ([regex]::Escape('current -> releases/<release-id>'))
        $text | Should -Match 'deployments\.jsonl'
        $text | Should -Match 'RollbackIncomplete'
    }

    It 'about_InfluenceGen_Errors lists every error id the module can write' {
        $text = Get-TopicText about_InfluenceGen_Errors
        $catalogue = (Get-Command New-OdooAddonPackage).ImplementingType.Assembly.GetType('InfluenceGen.Deploy.Infrastructure.ErrorIds', $true)
        $ids = @($catalogue.GetFields() | Where-Object IsLiteral | ForEach-Object Name)
        $ids.Count | Should -BeGreaterThan 150
        $missing = @($ids | Where-Object { $text -notmatch "(?m)^\s+$_\s*$" })
        $missing | Should -BeNullOrEmpty
    }
}

Describe 'The README''s one example per cmdlet' {
    BeforeAll {
        # Each "### Get-Help <Cmdlet>" heading of the README's Cmdlet reference is followed by one powershell block.
        $lines = Get-Content (Join-Path $repo 'README.md')
        $script:examples = @{}
        $name = $null; $inBlock = $false
        foreach ($line in $lines) {
            if ($line -match '^### Get-Help (\S+)$') { $name = $Matches[1]; continue }
            if ($name -and $line -eq '```powershell') { $inBlock = $true; $script:examples[$name] = ''; continue }
            if ($inBlock -and $line -eq '```') { $inBlock = $false; $name = $null; continue }
            if ($inBlock) { $script:examples[$name] += $line + "`n" }
        }
    }

    It 'has one for every cmdlet, and each calls that cmdlet with parameters it has' {
        foreach ($c in Get-Command -Module InfluenceGen.Deploy -CommandType Cmdlet) {
            $script:examples.Keys | Should -Contain $c.Name
            $tokens = $null; $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($script:examples[$c.Name], [ref] $tokens, [ref] $errors)
            $errors | Should -BeNullOrEmpty -Because "the README example of $($c.Name) must parse"
            $calls = @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true) | Where-Object { $_.GetCommandName() -eq $c.Name })
            $calls.Count | Should -BeGreaterThan 0 -Because "the README example under $($c.Name) must call it"
            foreach ($call in $calls) {
                foreach ($p in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                    $known = @($c.Parameters.Keys) + @($c.Parameters.Values | ForEach-Object Aliases)
                    $known | Should -Contain $p.ParameterName -Because "$($c.Name) -$($p.ParameterName) in the README"
                }
            }
        }
    }
}
