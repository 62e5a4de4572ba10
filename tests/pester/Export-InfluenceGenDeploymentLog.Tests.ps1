#Requires -Modules Pester
# Pester 5 spec of Export-InfluenceGenDeploymentLog (runs in the pipeline's pwsh image; the xunit suite parses it here).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy/InfluenceGen.Deploy.psd1') -Force
}

Describe 'Export-InfluenceGenDeploymentLog' {
    It 'is exported with help examples' {
        Get-Command Export-InfluenceGenDeploymentLog | Should -Not -BeNullOrEmpty
        (Get-Help Export-InfluenceGenDeploymentLog -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
    }
    It 'fails with UnknownEnvironment for an environment nobody defined' {
        { Export-InfluenceGenDeploymentLog -Environment nowhere -Format Csv -OutFile x.csv -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownEnvironment,*'
    }
}
