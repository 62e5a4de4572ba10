#Requires -Modules Pester
# Pester 5 spec of Deploy-InfluenceGen (runs in the pipeline's pwsh image; the xunit suite parses it here).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy/InfluenceGen.Deploy.psd1') -Force
}

Describe 'Deploy-InfluenceGen' {
    It 'is exported with help examples' {
        Get-Command Deploy-InfluenceGen | Should -Not -BeNullOrEmpty
        (Get-Help Deploy-InfluenceGen -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
    }
    It 'fails with UnknownEnvironment for an environment nobody defined' {
        { Deploy-InfluenceGen -Environment nowhere -Package x.zip -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownEnvironment,*'
    }
    It 'refuses a Hosts entry it does not understand, naming the file and line (several Odoo servers)' {
        $file = Join-Path $TestDrive 'environments.json'
        Set-Content -LiteralPath $file -Value "{ `"environments`": { `"prod2`": {`n  `"Hosts`": [ `"odoo1`",`n    { `"Host`": `"odoo2`", `"Prot`": 22 } ] } } }"
        $err = { Deploy-InfluenceGen -Environment prod2 -Package x.zip -ConfigurationPath $file -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidConfigurationFile,*' -PassThru
        $err.Exception.Message | Should -Match ([regex]::Escape($file) + ':3:')   # the line of the bad field
        $err.Exception.Message | Should -Match 'unknown host field "Prot"'
    }
}
