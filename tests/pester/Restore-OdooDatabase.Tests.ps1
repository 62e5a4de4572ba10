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
    It 'under pwsh -NonInteractive without -Confirm:$false says to pass -Force or -Confirm:$false (not the engine''s NonInteractive error)' {
        $pwsh = (Get-Process -Id $PID).Path
        $module = Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy'
        $work = Join-Path ([System.IO.Path]::GetTempPath()) ('igrestore-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $work | Out-Null
        try {
            $out = & $pwsh -NoProfile -NonInteractive -WorkingDirectory $work -c "Import-Module '$module'; Restore-OdooDatabase -Environment local -Path x.dump" 2>&1 | Out-String
            $LASTEXITCODE | Should -Be 1
            $out | Should -BeLike '*Restore-OdooDatabase must ask before it can replace with*x.dump*cannot ask (pwsh -NonInteractive). Pass -Force or -Confirm:$false*'
            $out | Should -Not -BeLike '*Read and Prompt functionality is not available*'
            # The same through -WhatIf: no question, no error.
            $plan = & $pwsh -NoProfile -NonInteractive -WorkingDirectory $work -c "Import-Module '$module'; Restore-OdooDatabase -Environment local -Path x.dump -WhatIf" 2>&1 | Out-String
            $LASTEXITCODE | Should -Be 0
            $plan | Should -BeLike '*What if: Performing the operation "replace with*x.dump*'
        }
        finally { Remove-Item -Recurse -Force $work }
    }
    It 'declares its output type' {
        (Get-Command Restore-OdooDatabase).OutputType.Name | Should -Contain 'InfluenceGen.Deploy.Cmdlets.OdooDatabaseBackup'
    }
}
