#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of Complete-ChangeRequest (no JIRA needed for these; the comment and transition
# conversation is covered by the xunit tests against a fake JIRA v2 and v3).
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $cred = [pscredential]::new('ci@influencegen.example', (ConvertTo-SecureString 'pester-token' -AsPlainText -Force))
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('iggate-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $work | Out-Null
    $cfg = Join-Path $work 'environments.json'
    Set-Content -Path $cfg -Value '{ "global": { "JiraBaseUrl": "http://127.0.0.1:9/", "JiraFlavor": "cloud", "ChangeManagementProjectKey": "CHG" } }'
}
AfterAll { Remove-Item -Recurse -Force $work }

Describe 'Complete-ChangeRequest' {
    It 'changes nothing with -WhatIf' {
        Complete-ChangeRequest CHG-42 -Credential $cred -ConfigurationPath $cfg -ReleaseId r1 -WhatIf | Should -BeNullOrEmpty
    }

    It 'binds a deployment record by property name' {
        $record = [pscustomobject]@{ ChangeRequestId = 'CHG-42'; Environment = 'production'; ReleaseId = 'r1'; AddonsUpgraded = @('ig_base') }
        { $record | Complete-ChangeRequest -Credential $cred -ConfigurationPath $cfg -WhatIf } | Should -Not -Throw
    }

    It 'fails with JiraUnavailable when JIRA cannot be reached' {
        { Complete-ChangeRequest CHG-42 -Credential $cred -ConfigurationPath $cfg -TimeoutSec 0.5 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'JiraUnavailable,InfluenceGen.Deploy.Cmdlets.CompleteChangeRequestCommand'
    }

    It 'refuses a malformed issue key' {
        { Complete-ChangeRequest 'CHG' -Credential $cred -ConfigurationPath $cfg -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidChangeRequestId,InfluenceGen.Deploy.Cmdlets.CompleteChangeRequestCommand'
    }
}
