#Requires -Modules Pester
# Pester 5 spec of Backup-OdooDatabase (runs in the pipeline's pwsh image; the xunit suite parses it here).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy/InfluenceGen.Deploy.psd1') -Force
}

Describe 'Backup-OdooDatabase' {
    It 'is exported with help examples' {
        Get-Command Backup-OdooDatabase | Should -Not -BeNullOrEmpty
        (Get-Help Backup-OdooDatabase -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
    }
    It 'fails with UnknownEnvironment for an environment nobody defined' {
        { Backup-OdooDatabase -Environment nowhere -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownEnvironment,*'
    }
}
