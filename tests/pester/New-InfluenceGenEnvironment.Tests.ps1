#Requires -Modules Pester
# Pester 5 spec of New-InfluenceGenEnvironment (real creations run in tests/unit/Environments).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy/InfluenceGen.Deploy.psd1') -Force
}

Describe 'New-InfluenceGenEnvironment' {
    It 'is exported with help examples' {
        Get-Command New-InfluenceGenEnvironment | Should -Not -BeNullOrEmpty
        (Get-Help New-InfluenceGenEnvironment -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
    }
    It 'takes only names of the form review/slug' {
        { New-InfluenceGenEnvironment -Name staging -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'NotAReviewEnvironment,*'
        { New-InfluenceGenEnvironment -Name 'review/Bad_Slug!' -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidReviewName,*'
    }
    It 'derives the review names from dev in the one resolver' {
        $cfg = Get-InfluenceGenConfiguration -Environment review/feature-x
        ($cfg | Where-Object Name -eq 'OdooDatabase').Value | Should -Be 'influencegen_rv_feature_x'
        ($cfg | Where-Object Name -eq 'DeployRoot').Value | Should -Be '/opt/influencegen/review/feature-x'
        ($cfg | Where-Object Name -eq 'OdooDatabase').Source | Should -BeLike 'derived*'
    }
}
