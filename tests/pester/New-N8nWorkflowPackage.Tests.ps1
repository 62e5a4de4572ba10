#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of New-N8nWorkflowPackage, run in the pipeline's pwsh image:
#   Invoke-Pester tests/pester -Output Detailed
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $samples = Join-Path $repo 'samples/workflows'
}

Describe 'New-N8nWorkflowPackage' {
    BeforeEach {
        $out = Join-Path ([System.IO.Path]::GetTempPath()) ("ign8n-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $out | Out-Null
    }
    AfterEach { Remove-Item -Recurse -Force $out }

    It 'packages the sample workflows with their declared state' {
        $package = New-N8nWorkflowPackage -Path $samples -OutFile (Join-Path $out 'n8n.zip')
        $package.WorkflowCount | Should -Be 4
        $package.HelperFiles | Should -Contain 'README.md'
        ($package.Workflows | Where-Object Name -eq 'IG - Daily campaign report to Slack').Active | Should -BeTrue
        ($package.Workflows | Where-Object Name -eq 'IG - Daily campaign report to Slack').Tags | Should -Be @('campaigns', 'reporting')
        $package.Sha256 | Should -Match '^[0-9a-f]{64}$'
    }

    It 'writes byte-identical zips for the same input' {
        $a = New-N8nWorkflowPackage -Path $samples -OutFile (Join-Path $out 'a.zip')
        $b = New-N8nWorkflowPackage -Path $samples -OutFile (Join-Path $out 'b.zip')
        $a.Sha256 | Should -Be $b.Sha256
    }

    It 'names the file, line and column of malformed JSON' {
        $src = Join-Path $out 'src'
        New-Item -ItemType Directory -Path $src | Out-Null
        Set-Content -Path (Join-Path $src 'broken.json') -Value "{`n  `"name`": `"Broken`",`n  `"nodes`": [ { `"name`": `"A`" }`n  `"connections`": {}`n}"
        { New-N8nWorkflowPackage -Path $src -OutFile (Join-Path $out 'x.zip') -ErrorAction Stop } |
            Should -Throw -ExpectedMessage 'broken.json:4:*not well-formed JSON*'
        Test-Path (Join-Path $out 'x.zip') | Should -BeFalse
    }

    It 'rejects a connection to a node the workflow does not have' {
        $src = Join-Path $out 'src'
        New-Item -ItemType Directory -Path $src | Out-Null
        Set-Content -Path (Join-Path $src 'dangling.json') -Value '{ "name": "Dangling", "nodes": [ { "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {} } ], "connections": { "Start": { "main": [ [ { "node": "Gone", "type": "main", "index": 0 } ] ] } } }'
        { New-N8nWorkflowPackage -Path $src -OutFile (Join-Path $out 'x.zip') -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownConnectionNode,InfluenceGen.Deploy.Cmdlets.NewN8nWorkflowPackageCommand'
    }

    It 'rejects two workflows with the same name' {
        $src = Join-Path $out 'src'
        New-Item -ItemType Directory -Path $src | Out-Null
        Copy-Item (Join-Path $samples 'campaign-budget-alert.json') (Join-Path $src 'one.json')
        Copy-Item (Join-Path $samples 'campaign-budget-alert.json') (Join-Path $src 'two.json')
        { New-N8nWorkflowPackage -Path $src -OutFile (Join-Path $out 'x.zip') -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*used by one.json, two.json*'
    }

    It 'writes nothing with -WhatIf' {
        New-N8nWorkflowPackage -Path $samples -OutFile (Join-Path $out 'w.zip') -WhatIf
        Test-Path (Join-Path $out 'w.zip') | Should -BeFalse
    }

    It 'creates a missing -OutFile folder, and -WhatIf says it would' {
        $target = Join-Path $out 'new/deeper/p.zip'
        # What if: goes to the host: a child pwsh shows it as a CI log would.
        $pwsh = (Get-Process -Id $PID).Path
        $plan = & $pwsh -NoProfile -NonInteractive -c "Import-Module '$repo/out/InfluenceGen.Deploy'; New-N8nWorkflowPackage -Path '$samples' -OutFile '$target' -WhatIf" 2>&1 | Out-String -Width 1000
        $plan = $plan -replace '\r?\n', ''
        $LASTEXITCODE | Should -Be 0
        $plan | Should -BeLike "*Write '$target' (creating the folder '$(Join-Path $out 'new/deeper')')*"
        Test-Path (Join-Path $out 'new') | Should -BeFalse
        $package = New-N8nWorkflowPackage -Path $samples -OutFile $target
        $package.Path | Should -Be $target
        Test-Path $target | Should -BeTrue
    }

    It '-WhatIf refuses what the real run refuses (an -OutFile that is a folder)' {
        { New-N8nWorkflowPackage -Path $samples -OutFile $out -WhatIf } | Should -Throw -ErrorId 'OutFileIsFolder,*'
        { New-N8nWorkflowPackage -Path $samples -OutFile $out } | Should -Throw -ErrorId 'OutFileIsFolder,*'
    }
}
