#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of Publish-N8nWorkflow, run in the pipeline's pwsh image against the n8n that
# tests/setup/40-n8n.sh starts (N8N_TEST_URL, N8N_TEST_API_KEY):
#   Invoke-Pester tests/pester -Output Detailed
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    if (-not $env:N8N_TEST_URL -or -not $env:N8N_TEST_API_KEY) { throw 'N8N_TEST_URL / N8N_TEST_API_KEY are not set: run tests/run.sh (tests/setup/40-n8n.sh)' }
    $key = ConvertTo-SecureString $env:N8N_TEST_API_KEY -AsPlainText -Force

    # A copy of the samples with names and webhook paths of this run, under a managed tag of its own.
    function New-SampleCopy([string] $Prefix, [string] $Folder) {
        New-Item -ItemType Directory -Path $Folder -Force | Out-Null
        foreach ($file in Get-ChildItem (Join-Path $repo 'samples/workflows') -Filter *.json) {
            $wf = Get-Content -Raw $file.FullName | ConvertFrom-Json
            $wf.name = $Prefix + $wf.name
            $wf.PSObject.Properties.Remove('id')
            foreach ($node in $wf.nodes) {
                if ($node.type -eq 'n8n-nodes-base.webhook') {
                    $node.parameters.path = $Prefix.Trim() + '-' + $node.parameters.path
                    $node.webhookId = [guid]::NewGuid().ToString()
                }
            }
            $wf | ConvertTo-Json -Depth 50 | Set-Content (Join-Path $Folder $file.Name)
        }
    }
}

Describe 'Publish-N8nWorkflow' {
    BeforeEach {
        $prefix = 'p' + [guid]::NewGuid().ToString('N').Substring(0, 8) + ' '
        $tag = 'ig-pester-' + $prefix.Trim()
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) ("ign8n-" + [guid]::NewGuid().ToString('N'))
        New-SampleCopy $prefix $folder
        $common = @{ BaseUri = $env:N8N_TEST_URL; ApiKey = $key; ManagedTag = $tag }
    }
    AfterEach { Remove-Item -Recurse -Force $folder }

    It 'creates every workflow, then leaves them untouched on a second publish' {
        $first = Publish-N8nWorkflow -Path $folder @common
        $first.Action | Should -Be @('Create', 'Create', 'Create', 'Create')
        ($first | Where-Object Name -like '*Daily campaign report*').Active | Should -BeTrue
        $second = Publish-N8nWorkflow -Path $folder @common
        $second.Action | Should -Be @('Unchanged', 'Unchanged', 'Unchanged', 'Unchanged')
    }

    It 'updates only the workflow that changed and says what changed' {
        Publish-N8nWorkflow -Path $folder @common | Out-Null
        $file = Join-Path $folder 'daily-campaign-report-to-slack.json'
        $wf = Get-Content -Raw $file | ConvertFrom-Json
        $wf.nodes[0].parameters.rule.interval[0].triggerAtHour = 8
        $wf | ConvertTo-Json -Depth 50 | Set-Content $file
        $result = Publish-N8nWorkflow -Path $folder @common
        ($result | Where-Object Action -eq 'Update').Name | Should -BeLike '*Daily campaign report to Slack'
        ($result | Where-Object Action -eq 'Update').Changes | Should -BeLike '*~Every morning*'
        @($result | Where-Object Action -eq 'Unchanged').Count | Should -Be 3
    }

    It 'prunes a removed managed workflow with -Prune' {
        Publish-N8nWorkflow -Path $folder @common | Out-Null
        Remove-Item (Join-Path $folder 'campaign-budget-alert.json')
        $result = Publish-N8nWorkflow -Path $folder @common -Prune -PruneAction Delete -Confirm:$false
        ($result | Where-Object Action -eq 'Prune').Name | Should -BeLike '*Campaign budget alert'
    }

    It 'writes nothing with -WhatIf' {
        $result = Publish-N8nWorkflow -Path $folder @common -WhatIf
        $result | Should -BeNullOrEmpty
        (Publish-N8nWorkflow -Path $folder @common).Action | Should -Be @('Create', 'Create', 'Create', 'Create')
    }

    It 'fails with N8nUnauthorized for a wrong key, without showing it' {
        $wrong = ConvertTo-SecureString 'n8n_wrong_key_0123456789' -AsPlainText -Force
        { Publish-N8nWorkflow -Path $folder -BaseUri $env:N8N_TEST_URL -ApiKey $wrong -ErrorAction Stop } |
            Should -Throw -ErrorId 'N8nUnauthorized,InfluenceGen.Deploy.Cmdlets.PublishN8nWorkflowCommand'
        try { Publish-N8nWorkflow -Path $folder -BaseUri $env:N8N_TEST_URL -ApiKey $wrong } catch { $caught = $_ }
        ($caught | Out-String) + $caught.Exception.ToString() | Should -Not -BeLike '*n8n_wrong_key_0123456789*'
    }

    It 'fails with N8nUnreachable when the server is down' {
        { Publish-N8nWorkflow -Path $folder -BaseUri 'http://127.0.0.1:9' -ApiKey $key -ErrorAction Stop } |
            Should -Throw -ErrorId 'N8nUnreachable,InfluenceGen.Deploy.Cmdlets.PublishN8nWorkflowCommand'
    }

    It 'reports a workflow the server rejects as a non-terminating error and still publishes the others' {
        $bad = Get-Content -Raw (Join-Path $folder 'campaign-budget-alert.json') | ConvertFrom-Json
        $bad.name = $prefix + 'rejected'
        $bad.settings | Add-Member -NotePropertyName saveDataErrorExecution -NotePropertyValue 'sometimes' -Force
        $bad | ConvertTo-Json -Depth 50 | Set-Content (Join-Path $folder 'rejected.json')
        $results = Publish-N8nWorkflow -Path $folder @common -ErrorAction SilentlyContinue -ErrorVariable failures
        $? | Should -BeFalse
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'N8nRejected,InfluenceGen.Deploy.Cmdlets.PublishN8nWorkflowCommand'
        $failures[0].Exception.Message | Should -BeLike "Workflow '${prefix}rejected' (rejected.json):*."
        @($results | Where-Object { $_.Action -eq 'Create' -and $_.Applied }).Count | Should -Be 4
        ($results | Where-Object Name -eq "${prefix}rejected").ErrorId | Should -Be 'N8nRejected'
        # -ErrorAction Ignore: nothing recorded; Stop: the first failed workflow ends it.
        $Error.Clear()
        Publish-N8nWorkflow -Path $folder @common -ErrorAction Ignore | Out-Null
        $Error.Count | Should -Be 0
        { Publish-N8nWorkflow -Path $folder @common -ErrorAction Stop } | Should -Throw -ErrorId 'N8nRejected,*'
    }

    It 'refuses -Prune from an empty source unless -Force, naming what it would delete' {
        Publish-N8nWorkflow -Path $folder @common | Out-Null
        $empty = Join-Path $folder 'empty'
        New-Item -ItemType Directory -Path $empty | Out-Null
        $caught = $null
        try { Publish-N8nWorkflow -Path $empty @common -Prune -PruneAction Delete -Confirm:$false } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'PruneGuard,InfluenceGen.Deploy.Cmdlets.PublishN8nWorkflowCommand'
        $caught.Exception.Message | Should -BeLike "-Prune would delete 4 of the 4 workflow(s) managed with tag '$tag'*source has only 0:*'${prefix}IG - Campaign budget alert'*"
        # -WhatIf fails the same way; nothing was deleted.
        { Publish-N8nWorkflow -Path $empty @common -Prune -PruneAction Delete -WhatIf } | Should -Throw -ErrorId 'PruneGuard,*'
        (Publish-N8nWorkflow -Path $folder @common).Action | Should -Be @('Unchanged', 'Unchanged', 'Unchanged', 'Unchanged')
        # Near-empty: keeping 1 of 4 is refused too.
        Get-ChildItem $folder -Filter *.json | Select-Object -Skip 1 | Remove-Item
        { Publish-N8nWorkflow -Path $folder @common -Prune } | Should -Throw -ErrorId 'PruneGuard,*'
        # -Force: it goes ahead.
        $forced = Publish-N8nWorkflow -Path $empty @common -Prune -PruneAction Delete -Force
        @($forced | Where-Object { $_.Action -eq 'Prune' -and $_.Applied }).Count | Should -Be 4
    }

    It 'asks before a -PruneAction Delete (ConfirmImpact High), and under -NonInteractive says to pass -Force or -Confirm:$false' {
        Publish-N8nWorkflow -Path $folder @common | Out-Null
        Remove-Item (Join-Path $folder 'campaign-budget-alert.json')
        $pwsh = (Get-Process -Id $PID).Path
        $line = "Import-Module '$repo/out/InfluenceGen.Deploy'; `$k = ConvertTo-SecureString `$env:N8N_TEST_API_KEY -AsPlainText -Force; " +
            "Publish-N8nWorkflow -Path '$folder' -BaseUri `$env:N8N_TEST_URL -ApiKey `$k -ManagedTag '$tag' -Prune -PruneAction Delete"
        $out = & $pwsh -NoProfile -NonInteractive -c $line 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 1
        $out | Should -BeLike "*must ask before it can delete the workflow '${prefix}IG - Campaign budget alert'*cannot ask (pwsh -NonInteractive). Pass -Force or -Confirm:`$false*"
        # Nothing was deleted; a deactivate prune (Medium) does not ask.
        (Publish-N8nWorkflow -Path $folder @common -Prune -WhatIf 3>&1 2>&1 | Out-String) | Should -Not -BeLike '*ConfirmationNotPossible*'
        $deleted = Publish-N8nWorkflow -Path $folder @common -Prune -PruneAction Delete -Confirm:$false
        ($deleted | Where-Object Action -eq 'Prune').Applied | Should -BeTrue
    }

    It '-WhatIf shows the plan and fails the way the real run would (a name taken by an unmanaged workflow)' {
        $other = 'ig-pester-other-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        Publish-N8nWorkflow -Path $folder -BaseUri $env:N8N_TEST_URL -ApiKey $key -ManagedTag $other | Out-Null
        $pwsh = (Get-Process -Id $PID).Path
        $line = "Import-Module '$repo/out/InfluenceGen.Deploy'; `$k = ConvertTo-SecureString `$env:N8N_TEST_API_KEY -AsPlainText -Force; " +
            "Publish-N8nWorkflow -Path '$folder' -BaseUri `$env:N8N_TEST_URL -ApiKey `$k -ManagedTag '$tag' -WhatIf"
        $out = & $pwsh -NoProfile -NonInteractive -c $line 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 1
        ([regex]::Matches($out, 'is not managed by InfluenceGen')).Count | Should -Be 4
        $real = Publish-N8nWorkflow -Path $folder @common -ErrorAction SilentlyContinue -ErrorVariable failures
        @($failures | Where-Object FullyQualifiedErrorId -like 'WorkflowNotManaged,*').Count | Should -Be 4
        # A plan that can be carried out: every change on a What if: line, exit 0.
        $fresh = Join-Path $folder 'fresh'
        New-SampleCopy ('q' + [guid]::NewGuid().ToString('N').Substring(0, 8) + ' ') $fresh
        $line = $line.Replace("-Path '$folder'", "-Path '$fresh'")
        $out = & $pwsh -NoProfile -NonInteractive -c $line 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        ([regex]::Matches($out, "What if: .*create '")).Count | Should -Be 4
    }
}
