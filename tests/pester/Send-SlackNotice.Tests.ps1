#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of Send-SlackNotice (no Slack needed: an unreachable webhook must warn, or fail
# with -Required; the Slack/Mattermost conversation is covered by the xunit tests).
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $secretPart = 'pester' + [guid]::NewGuid().ToString('N')
    $hook = ConvertTo-SecureString "http://127.0.0.1:9/services/T000/B000/$secretPart" -AsPlainText -Force
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('igslack-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $work | Out-Null
    $off = Join-Path $work 'environments.json'
    Set-Content -Path $off -Value '{ "global": { "EnableSlackNotifications": false } }'
}
AfterAll { Remove-Item -Recurse -Force $work }

Describe 'Send-SlackNotice' {
    It 'warns, and does not fail, when the webhook cannot be reached' {
        $result = Send-SlackNotice 'Deployed' -WebhookUri $hook -TimeoutSec 1 -WarningVariable warnings -WarningAction SilentlyContinue
        $result.Delivered | Should -BeFalse
        $warnings | Should -Match 'was not delivered'
    }

    It 'fails with NoticeNotDelivered when -Required' {
        { Send-SlackNotice 'Deployed' -WebhookUri $hook -TimeoutSec 1 -Required } |
            Should -Throw -ErrorId 'NoticeNotDelivered,InfluenceGen.Deploy.Cmdlets.SendSlackNoticeCommand'
    }

    It 'is a no-op when ENABLE_SLACK_NOTIFICATIONS is false' {
        $result = Send-SlackNotice 'Deployed' -WebhookUri $hook -ConfigurationPath $off -Required -Verbose 4>&1
        ($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Match 'ENABLE_SLACK_NOTIFICATIONS=false'
        ($result | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Skipped | Should -BeTrue
    }

    It 'never shows the webhook URL' {
        $all = Send-SlackNotice 'Deployed' -WebhookUri $hook -TimeoutSec 1 -Verbose -Debug 4>&1 3>&1 5>&1 | Out-String
        $all | Should -Not -Match $secretPart
    }
}
