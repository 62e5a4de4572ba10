#Requires -Modules Pester
# Pester 5 spec of Restore-OdooDatabase (runs in the pipeline's pwsh image; the xunit suite parses it here).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy/InfluenceGen.Deploy.psd1') -Force
}

Describe 'Restore-OdooDatabase' {
    It 'is exported with help examples' {
        Get-Command Restore-OdooDatabase | Should -Not -BeNullOrEmpty
        (Get-Help Restore-OdooDatabase -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
    }
    It 'fails with UnknownEnvironment for an environment nobody defined' {
        { Restore-OdooDatabase -Environment nowhere -Path x.dump -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownEnvironment,*'
    }
}
