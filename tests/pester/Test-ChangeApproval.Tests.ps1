#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of Test-ChangeApproval, run in the pipeline's pwsh image:
#   Invoke-Pester tests/pester -Output Detailed
# JIRA itself is not reachable from CI; these specs check the fail-closed answers that need no
# server (the xunit tests in tests/unit/Gate cover the JIRA REST conversation with a fake JIRA).
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $token = 'pester-token-' + [guid]::NewGuid().ToString('N')
    $cred = [pscredential]::new('ci@influencegen.example', (ConvertTo-SecureString $token -AsPlainText -Force))
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('iggate-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $work | Out-Null
    $cfg = Join-Path $work 'environments.json'
    Set-Content -Path $cfg -Value '{ "global": { "JiraBaseUrl": "http://127.0.0.1:9/", "JiraFlavor": "cloud", "ChangeManagementProjectKey": "CHG", "ChangeTechnicalApproverField": "customfield_10101", "ChangeBusinessApproverField": "customfield_10102" } }'
    $cfgOff = Join-Path $work 'environments-off.json'
    Set-Content -Path $cfgOff -Value '{ "global": { "JiraBaseUrl": "http://127.0.0.1:9/", "ChangeManagementProjectKey": "CHG", "EnableJiraIntegrationForProdDeploy": false } }'
}
AfterAll { Remove-Item -Recurse -Force $work }

Describe 'Test-ChangeApproval' {
    It 'is not approved when JIRA cannot be reached, and says why' {
        $result = Test-ChangeApproval CHG-42 -Environment production -Credential $cred -ConfigurationPath $cfg -TimeoutSec 1
        $result.Approved | Should -BeFalse
        $result.Outcome | Should -Be 'Unavailable'
        $result.Reason | Should -Match 'could not be reached'
    }

    It 'returns only $false with -Quiet' {
        Test-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfg -TimeoutSec 1 -Quiet | Should -BeFalse
    }

    It 'is not approved without a change request id and does not call JIRA' {
        $result = Test-ChangeApproval -ChangeRequestId '' -Credential $cred -ConfigurationPath $cfg
        $result.Approved | Should -BeFalse
        $result.Reason | Should -Match 'no change request id'
    }

    It 'refuses something that is not an issue key' {
        (Test-ChangeApproval 'CHG-1/../../admin' -Credential $cred -ConfigurationPath $cfg).Reason | Should -Match 'is not a JIRA issue key'
    }

    It 'needs -SkipApproval with a reason when the production integration is off' {
        (Test-ChangeApproval CHG-42 -ConfigurationPath $cfgOff -Quiet) | Should -BeFalse
        $skipped = Test-ChangeApproval CHG-42 -ConfigurationPath $cfgOff -SkipApproval -SkipReason 'JIRA migration INC-77' -WarningVariable warnings
        $skipped.Approved | Should -BeTrue
        $skipped.Outcome | Should -Be 'Skipped'
        $skipped.SkipReason | Should -Be 'JIRA migration INC-77'
        $warnings | Should -Match 'INC-77'
    }

    It 'does not honour -SkipApproval while the integration is on' {
        (Test-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfg -SkipApproval -SkipReason 'hurry').Approved | Should -BeFalse
    }

    It 'never shows the token' {
        $all = Test-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfg -TimeoutSec 1 -Verbose 4>&1 3>&1 | Out-String
        $all | Should -Not -Match $token
    }
}
