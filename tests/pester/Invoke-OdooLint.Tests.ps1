#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of Invoke-OdooLint; needs flake8 and pylint with OCA's pylint-odoo on PATH (tests/setup/15-linters.sh:
# the module's lint/requirements.txt in a venv). The sample addon tests/unit/Quality/testdata/ig_lint_sample has deliberate
# findings; tests/unit/Quality/testdata/odoo holds addons that trip pylint-odoo's Odoo checks.
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $sample = Join-Path $repo 'tests/unit/Quality/testdata/ig_lint_sample'
    $odooSamples = Join-Path $repo 'tests/unit/Quality/testdata/odoo'
}

Describe 'Invoke-OdooLint' {
    BeforeEach {
        $work = Join-Path ([System.IO.Path]::GetTempPath()) ('iglint-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path (Join-Path $work 'addons') | Out-Null
        Copy-Item -Recurse $sample (Join-Path $work 'addons')
        $report = Join-Path $work 'gl-code-quality-report.json'
    }
    AfterEach { Remove-Item -Recurse -Force $work }

    It 'writes a Code Quality report and fails on critical findings' {
        { Invoke-OdooLint -Path (Join-Path $work 'addons') -RepositoryRoot $work -ReportPath $report -ErrorAction Stop } |
            Should -Throw -ErrorId 'LintFindingsAboveThreshold,InfluenceGen.Deploy.Cmdlets.InvokeOdooLintCommand'
        $issues = Get-Content -Raw $report | ConvertFrom-Json
        $undefined = $issues | Where-Object check_name -eq 'flake8:F821'
        $undefined.severity | Should -Be 'critical'
        $undefined.location.path | Should -Be 'addons/ig_lint_sample/models/thing.py'
        $undefined.location.lines.begin | Should -Be 13
        $undefined.fingerprint | Should -Match '^[0-9a-f]{32}$'
    }

    It 'counts findings by severity and linter and never fails with -FailOn none' {
        $result = Invoke-OdooLint (Join-Path $work 'addons') -RepositoryRoot $work -FailOn none
        $result.Total | Should -Be ($result.Flake8 + $result.Pylint)
        $result.Critical | Should -BeGreaterOrEqual 1
    }

    It 'keeps fingerprints when lines are added above a finding' {
        $before = Invoke-OdooLint (Join-Path $work 'addons') -RepositoryRoot $work -Linter flake8 -FailOn none -PassThru |
            Where-Object Code -eq 'F821'
        $file = Join-Path $work 'addons/ig_lint_sample/models/thing.py'
        Set-Content -Path $file -Value ("# new comment`n" + (Get-Content -Raw $file)) -NoNewline
        $after = Invoke-OdooLint (Join-Path $work 'addons') -RepositoryRoot $work -Linter flake8 -FailOn none -PassThru |
            Where-Object Code -eq 'F821'
        $after.Line | Should -Be ($before.Line + 1)
        $after.Fingerprint | Should -Be $before.Fingerprint
    }

    It 'fails with LinterNotFound when a linter is missing' {
        { Invoke-OdooLint (Join-Path $work 'addons') -PylintPath (Join-Path $work 'no/pylint') -ErrorAction Stop } |
            Should -Throw -ErrorId 'LinterNotFound,InfluenceGen.Deploy.Cmdlets.InvokeOdooLintCommand'
    }

    It 'lints a nested folder of addons (samples/addons) with pylint''s findings, not one F0010' {
        $nested = Join-Path $work 'src/odoo/addons'
        New-Item -ItemType Directory -Path $nested | Out-Null
        Copy-Item -Recurse $sample $nested
        $findings = Invoke-OdooLint -Path $nested -RepositoryRoot $work -Linter pylint -FailOn none -PassThru
        $findings.Code | Should -Not -Contain 'F0010'
        $findings.Symbol | Should -Contain 'manifest-required-author'   # pylint-odoo ran on the addon inside
        $findings.Path | ForEach-Object { $_ | Should -BeLike 'src/odoo/addons/ig_lint_sample/*' }
        # The same findings as linting the addon folder itself.
        $direct = Invoke-OdooLint -Path (Join-Path $nested 'ig_lint_sample') -RepositoryRoot $work -Linter pylint -FailOn none -PassThru
        @($findings).Count | Should -Be @($direct).Count
    }

    It 'reports pylint-odoo''s SQL injection with its check id, file and line, and fails on it' {
        Copy-Item -Recurse (Join-Path $odooSamples 'ig_oca_sql') (Join-Path $work 'addons')
        $result = Invoke-OdooLint -Path (Join-Path $work 'addons/ig_oca_sql') -RepositoryRoot $work -ReportPath $report -OdooVersion 17.0 -ErrorAction SilentlyContinue -ErrorVariable failed
        $result.OdooVersion | Should -Be '17.0'
        $failed[0].FullyQualifiedErrorId | Should -Be 'LintFindingsAboveThreshold,InfluenceGen.Deploy.Cmdlets.InvokeOdooLintCommand'
        $sql = Get-Content -Raw $report | ConvertFrom-Json | Where-Object check_name -eq 'pylint:E8103(sql-injection)'
        $sql.location.path | Should -Be 'addons/ig_oca_sql/models/partner_report.py'
        $sql.location.lines.begin | Should -Be 9
        $sql.severity | Should -Be 'critical'
        $sql.categories | Should -Be @('Security')
    }

    It 'gives no findings for a clean addon' {
        Copy-Item -Recurse (Join-Path $odooSamples 'ig_oca_clean') (Join-Path $work 'addons')
        $result = Invoke-OdooLint -Path (Join-Path $work 'addons/ig_oca_clean') -RepositoryRoot $work -ReportPath $report
        $result.Total | Should -Be 0
        $result.ConfigFiles | Should -Be @('InfluenceGen.Deploy:lint/flake8', 'InfluenceGen.Deploy:lint/pylintrc')
        @(Get-Content -Raw $report | ConvertFrom-Json).Count | Should -Be 0
    }

    It 'reports findings above -FailOn as a non-terminating error after its result' {
        $result = Invoke-OdooLint -Path (Join-Path $work 'addons') -RepositoryRoot $work -ErrorAction SilentlyContinue -ErrorVariable failed
        $? | Should -BeFalse
        $result.Critical | Should -BeGreaterOrEqual 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'LintFindingsAboveThreshold,InfluenceGen.Deploy.Cmdlets.InvokeOdooLintCommand'
    }
}
