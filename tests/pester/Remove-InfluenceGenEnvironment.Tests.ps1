#Requires -Modules Pester
# Pester 5 spec of Remove-InfluenceGenEnvironment (real removals run in tests/unit/Environments).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy/InfluenceGen.Deploy.psd1') -Force
}

Describe 'Remove-InfluenceGenEnvironment' {
    It 'is exported with help examples and is ConfirmImpact High' {
        Get-Command Remove-InfluenceGenEnvironment | Should -Not -BeNullOrEmpty
        (Get-Help Remove-InfluenceGenEnvironment -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
    }
    It 'refuses the fixed environment <_>, even with -Force' -ForEach @('dev', 'staging', 'production', 'local') {
        { Remove-InfluenceGenEnvironment -Name $_ -Force -ErrorAction Stop } | Should -Throw -ErrorId 'FixedEnvironment,*'
    }
    It 'refuses a name that is not a review environment' {
        { Remove-InfluenceGenEnvironment -Name qa -Force -ErrorAction Stop } | Should -Throw -ErrorId 'NotAReviewEnvironment,*'
    }
}
