#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of the module's table views as a GitLab job log shows them: pwsh with its output redirected
# formats at 80 columns. Each view is rendered by a child pwsh whose output is captured (so redirected), with
# realistic values (release ids, ISO times, long workflow names, n8n ids, setting names and sources); no line may
# pass 80 characters and the key columns must be there with their full headers.
BeforeDiscovery {
    # Type, key column headers, and the object (a script run in the child pwsh after Import-Module).
    $views = @(
        @{ Type = 'InfluenceGen.Deploy.Deploy.DeploymentRecord'; Keys = 'Started', 'Env', 'Status', 'Release'; Make = @'
1..2 | ForEach-Object { [InfluenceGen.Deploy.Deploy.DeploymentRecord] @{ StartedAt = '2026-11-23T06:15:00Z'; Environment = 'production'; Kind = 'deploy'; Status = 'succeeded'; Release = '20261123-061500-3fa2c9d1'; Installed = @('ig_base'); Upgraded = @('ig_campaign', 'ig_influencer'); FinishedAt = '2026-11-23T06:21:52Z'; FailedStep = 'health-check'; Verified = $true } }
'@ }
        @{ Type = 'InfluenceGen.Deploy.N8n.N8nWorkflowPublishResult'; Keys = 'Name', 'Action', 'Changes'; Make = @'
[InfluenceGen.Deploy.N8n.N8nWorkflowPublishResult] @{ Name = 'IG - Daily campaign report to Slack (EU and US teams)'; Id = '5Vt4m89Qk2PtEfP7'; Action = 'Update'; Active = $true; Applied = $true; Changes = 'nodes +1 -0 ~2 (+Log); connections; settings.timezone' }
[InfluenceGen.Deploy.N8n.N8nWorkflowPublishResult] @{ Name = 'IG - New influencer signup to Odoo'; Id = 'lJuPmsMXTQHSszNL'; Action = 'Conflict'; Error = 'a workflow named ''IG - New influencer signup to Odoo'' exists on the server but is not managed'; ErrorId = 'WorkflowNotManaged' }
'@ }
        @{ Type = 'InfluenceGen.Deploy.Configuration.ConfigurationEntry'; Keys = 'Name', 'Value', 'Source'; Make = @'
Get-InfluenceGenConfiguration -Environment production -ConfigurationPath (Join-Path $repo 'samples/environments.json') | Select-Object -First 12
'@ }
        @{ Type = 'InfluenceGen.Deploy.Odoo.OdooAddonPackage'; Keys = 'File', 'Addons', 'Sha256'; Make = @'
New-OdooAddonPackage -Path (Join-Path $repo 'samples/addons') -OutFile (Join-Path $work 'odoo-repo-checkout/build/artifacts/odoo_addons.zip')
'@ }
        @{ Type = 'InfluenceGen.Deploy.Odoo.OdooAddon'; Keys = 'Name', 'Version', 'Depends'; Make = @'
(New-OdooAddonPackage -Path (Join-Path $repo 'samples/addons') -OutFile (Join-Path $work 'a.zip')).Addons
'@ }
        @{ Type = 'InfluenceGen.Deploy.N8n.N8nWorkflowPackage'; Keys = 'File', 'Workflows', 'Sha256'; Make = @'
New-N8nWorkflowPackage -Path (Join-Path $repo 'samples/workflows') -OutFile (Join-Path $work 'n8n-repo-checkout/build/artifacts/n8n_workflows.zip')
'@ }
        @{ Type = 'InfluenceGen.Deploy.N8n.N8nWorkflow'; Keys = 'Name', 'Active', 'Tags'; Make = @'
(New-N8nWorkflowPackage -Path (Join-Path $repo 'samples/workflows') -OutFile (Join-Path $work 'w.zip')).Workflows
'@ }
        @{ Type = 'InfluenceGen.Deploy.Cmdlets.OdooDatabaseBackup'; Keys = 'Environment', 'Database', 'Path'; Make = @'
[InfluenceGen.Deploy.Cmdlets.OdooDatabaseBackup] @{ Environment = 'production'; Database = 'influencegen_production'; Path = '/opt/influencegen/backups/influencegen_production-20261123-061500-3fa2c9d1.dump' }
'@ }
        @{ Type = 'InfluenceGen.Deploy.Cmdlets.DeploymentLogExport'; Keys = 'Environment', 'Format', 'Entries', 'Path'; Make = @'
[InfluenceGen.Deploy.Cmdlets.DeploymentLogExport] @{ Environment = 'production'; Format = 'Csv'; Entries = 214; Path = '/builds/influencegen/deploy/deployments-production.csv'; Sha256 = ('ab' * 32) }
'@ }
        @{ Type = 'InfluenceGen.Deploy.Quality.LintResult'; Keys = 'Total', 'Critical', 'FailOn'; Make = @'
Invoke-OdooLint -Path (Join-Path $repo 'samples/addons') -RepositoryRoot $repo -FailOn none -ReportPath (Join-Path $work 'gl-code-quality-report.json')
'@ }
        @{ Type = 'InfluenceGen.Deploy.Quality.LintFinding'; Keys = 'Severity', 'Code', 'Path', 'Message'; Make = @'
Invoke-OdooLint -Path (Join-Path $repo 'samples/addons') -RepositoryRoot $repo -FailOn none -PassThru | Select-Object -First 6
'@ }
    )
}
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    $pwsh = (Get-Process -Id $PID).Path
    function Show-View([string] $Make) {
        $work = Join-Path ([System.IO.Path]::GetTempPath()) ('igview-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $work | Out-Null
        try {
            $script = "`$ErrorActionPreference = 'Stop'; `$repo = '$repo'; `$work = '$work'; Import-Module (Join-Path `$repo 'out/InfluenceGen.Deploy'); `$PSStyle.OutputRendering = 'PlainText'`n$Make"
            $out = & $pwsh -NoProfile -NonInteractive -c $script 2>&1
            if ($LASTEXITCODE -ne 0) { throw "the view's objects could not be made: $($out -join "`n")" }
            $out
        }
        finally { Remove-Item -Recurse -Force $work }
    }
}

Describe 'Table view of <Type> at 80 columns' -ForEach $views {
    It 'fits 80 columns with its key columns readable' {
        $lines = @(Show-View $Make)
        $text = $lines -join "`n"
        foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual 80 -Because "every line of the view fits a CI log:`n$text" }
        $ruleAt = [array]::FindIndex([string[]] $lines, [Predicate[string]] { $args[0] -match '^ *-[- ]*$' })
        $rule = if ($ruleAt -gt 0) { $lines[$ruleAt] }
        $header = if ($ruleAt -gt 0) { $lines[$ruleAt - 1] }
        $rule | Should -Not -BeNullOrEmpty -Because "it is a table:`n$text"
        foreach ($key in $Keys) {
            $header | Should -Match "(^| )$([regex]::Escape($key))( |$)" -Because "the column '$key' is shown with its full header:`n$text"
        }
        # No column squeezed below 4 characters (the two-letter columns of a crowded view).
        foreach ($dashes in [regex]::Matches($rule, '-+')) { $dashes.Length | Should -BeGreaterOrEqual 3 -Because "no column is squeezed:`n$text" }
    }
}
