#Requires -Modules Pester
# Pester 5 spec of Copy-OdooDatabase (the real copies run in tests/unit/Environments against two PostgreSQL clusters).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy/InfluenceGen.Deploy.psd1') -Force
}

Describe 'Copy-OdooDatabase' {
    It 'is exported with help examples and is ConfirmImpact High' {
        Get-Command Copy-OdooDatabase | Should -Not -BeNullOrEmpty
        (Get-Help Copy-OdooDatabase -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
        (Get-Command Copy-OdooDatabase).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'High'
    }
    It 'refuses production as the destination, whatever the parameters' {
        { Copy-OdooDatabase -From staging -To production -Neutralize -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'DestinationIsProduction,*'
        { Copy-OdooDatabase -From staging -To prod -Force -WhatIf -ErrorAction Stop } |
            Should -Throw -ErrorId 'DestinationIsProduction,*'
    }
    It 'fails with UnknownEnvironment for an environment nobody defined' {
        { Copy-OdooDatabase -From nowhere -To staging -Force -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownEnvironment,*'
    }
}
