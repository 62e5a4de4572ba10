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
        $result = Publish-N8nWorkflow -Path $folder @common -Prune -PruneAction Delete
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

    It 'reports a workflow the server rejects and still publishes the others' {
        $bad = Get-Content -Raw (Join-Path $folder 'campaign-budget-alert.json') | ConvertFrom-Json
        $bad.name = $prefix + 'rejected'
        $bad.settings | Add-Member -NotePropertyName saveDataErrorExecution -NotePropertyValue 'sometimes' -Force
        $bad | ConvertTo-Json -Depth 50 | Set-Content (Join-Path $folder 'rejected.json')
        $results = @(); $caught = $null
        try { Publish-N8nWorkflow -Path $folder @common -ErrorAction SilentlyContinue | ForEach-Object { $results += $_ } } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'N8nPublishFailed,InfluenceGen.Deploy.Cmdlets.PublishN8nWorkflowCommand'
        $caught.Exception.Message | Should -BeLike "*'${prefix}rejected'*"
        @($results | Where-Object { $_.Action -eq 'Create' -and $_.Applied }).Count | Should -Be 4
        ($results | Where-Object Name -eq "${prefix}rejected").ErrorId | Should -Be 'N8nRejected'
    }
}
