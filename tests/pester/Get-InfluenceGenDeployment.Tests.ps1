#Requires -Modules Pester
# Pester 5 spec of Get-InfluenceGenDeployment (runs in the pipeline's pwsh image; the xunit suite parses it here).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy/InfluenceGen.Deploy.psd1') -Force
}

Describe 'Get-InfluenceGenDeployment' {
    It 'is exported with help examples' {
        Get-Command Get-InfluenceGenDeployment | Should -Not -BeNullOrEmpty
        (Get-Help Get-InfluenceGenDeployment -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
    }
    It 'fails with UnknownEnvironment for an environment nobody defined' {
        { Get-InfluenceGenDeployment -Environment nowhere -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownEnvironment,*'
    }
}
