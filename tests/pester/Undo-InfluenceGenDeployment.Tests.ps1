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
    It 'under pwsh -NonInteractive without -Confirm:$false says to pass -Force or -Confirm:$false' {
        $pwsh = (Get-Process -Id $PID).Path
        $module = Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy'
        $work = Join-Path ([System.IO.Path]::GetTempPath()) ('igundo-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $work | Out-Null
        try {
            $out = & $pwsh -NoProfile -NonInteractive -WorkingDirectory $work -c "Import-Module '$module'; Undo-InfluenceGenDeployment -Environment local" 2>&1 | Out-String
            $LASTEXITCODE | Should -Be 1
            $out | Should -BeLike '*Undo-InfluenceGenDeployment must ask before it can roll back to the previous release on local*Pass -Force or -Confirm:$false*'
        }
        finally { Remove-Item -Recurse -Force $work }
    }
    It 'keeps the old -LockTimeout name as an alias of -LockTimeoutSec' {
        (Get-Command Undo-InfluenceGenDeployment).Parameters['LockTimeoutSec'].Aliases | Should -Contain 'LockTimeout'
    }
}
