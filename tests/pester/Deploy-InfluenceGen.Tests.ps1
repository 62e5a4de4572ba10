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
}
