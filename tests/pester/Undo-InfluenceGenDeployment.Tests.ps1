#Requires -Modules Pester
# Pester 5 spec of Undo-InfluenceGenDeployment (runs in the pipeline's pwsh image; the xunit suite parses it here).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy/InfluenceGen.Deploy.psd1') -Force
}

Describe 'Undo-InfluenceGenDeployment' {
    It 'is exported with help examples' {
        Get-Command Undo-InfluenceGenDeployment | Should -Not -BeNullOrEmpty
        (Get-Help Undo-InfluenceGenDeployment -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
    }
    It 'fails with UnknownEnvironment for an environment nobody defined' {
        { Undo-InfluenceGenDeployment -Environment nowhere -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownEnvironment,*'
    }
    It 'keeps the old -LockTimeout name as an alias of -LockTimeoutSec' {
        (Get-Command Undo-InfluenceGenDeployment).Parameters['LockTimeoutSec'].Aliases | Should -Contain 'LockTimeout'
    }
}
