#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of Wait-ChangeApproval (no JIRA needed: an unreachable JIRA must keep it waiting
# until the timeout, and a bad request must end it at once).
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $cred = [pscredential]::new('ci@influencegen.example', (ConvertTo-SecureString 'pester-token' -AsPlainText -Force))
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('iggate-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $work | Out-Null
    $cfg = Join-Path $work 'environments.json'
    Set-Content -Path $cfg -Value '{ "global": { "JiraBaseUrl": "http://127.0.0.1:9/", "JiraFlavor": "cloud", "ChangeManagementProjectKey": "CHG", "ChangeTechnicalApproverField": "customfield_10101", "ChangeBusinessApproverField": "customfield_10102" } }'
}
AfterAll { Remove-Item -Recurse -Force $work }

Describe 'Wait-ChangeApproval' {
    It 'times out with ChangeApprovalTimeout while JIRA is unreachable' {
        { Wait-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfg -RequestTimeoutSec 0.5 -PollIntervalSeconds 0.2 -TimeoutSeconds 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ChangeApprovalTimeout,InfluenceGen.Deploy.Cmdlets.WaitChangeApprovalCommand'
    }

    It 'makes one fail-closed check with -TimeoutSeconds 0' {
        { Wait-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfg -RequestTimeoutSec 0.5 -TimeoutSeconds 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ChangeNotApproved,InfluenceGen.Deploy.Cmdlets.WaitChangeApprovalCommand'
    }

    It 'ends at once when the id can never be approved' {
        { Wait-ChangeApproval -ChangeRequestId 'not-a-key' -Credential $cred -ConfigurationPath $cfg -ErrorAction Stop } |
            Should -Throw -ErrorId 'ChangeApprovalNotPossible,InfluenceGen.Deploy.Cmdlets.WaitChangeApprovalCommand'
    }
}
