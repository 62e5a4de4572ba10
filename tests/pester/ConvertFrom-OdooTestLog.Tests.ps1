#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of ConvertFrom-OdooTestLog against the real Odoo 17.0/18.0 logs (../shared/fixtures/odoo).
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $fixtures = Join-Path (Split-Path -Parent $repo) 'shared/fixtures/odoo'
}

Describe 'ConvertFrom-OdooTestLog' {
    It 'gives Odoo''s own counts for <Log>' -ForEach @(
        @{ Log = 'pass_default.log'; Failed = 0; Errors = 0; Tests = 3 }
        @{ Log = 'fail_test_level.log'; Failed = 2; Errors = 0; Tests = 3 }
        @{ Log = 'error_default.log'; Failed = 0; Errors = 2; Tests = 2 }
        @{ Log = '17.0-current/fail_default.log'; Failed = 2; Errors = 0; Tests = 3 }
        @{ Log = '18.0/error_test_level.log'; Failed = 0; Errors = 2; Tests = 2 }
        @{ Log = '18.0/upgrade_tests.log'; Failed = 0; Errors = 0; Tests = 3 }
    ) {
        $result = ConvertFrom-OdooTestLog -Path (Join-Path $fixtures $Log)
        $result.Failed | Should -Be $Failed
        $result.Errors | Should -Be $Errors
        $result.Tests | Should -Be $Tests
    }

    It 'writes JUnit whose failures and errors match Odoo''s summary' {
        $junit = Join-Path ([System.IO.Path]::GetTempPath()) ('igjunit-' + [guid]::NewGuid().ToString('N') + '.xml')
        try {
            ConvertFrom-OdooTestLog (Join-Path $fixtures '18.0/error_default.log') -JUnitPath $junit | Out-Null
            [xml] $xml = Get-Content -Raw $junit
            $xml.testsuites.errors | Should -Be '2'
            ($xml.testsuites.testsuite.testcase | Where-Object name -eq 'setUpClass').error.type | Should -Be 'RuntimeError'
        }
        finally { Remove-Item -Force $junit -ErrorAction SilentlyContinue }
    }

    It 'reports a module that failed to load' {
        $result = ConvertFrom-OdooTestLog (Join-Path $fixtures 'upgrade_fail.log') -Module ig_pass -ExitCode 255
        $result.Success | Should -BeFalse
        $result.Problems[0].Kind | Should -Be 'ModuleLoadFailed'
        $result.Problems[0].Module | Should -Be 'ig_pass'
    }

    It 'ends in a terminating error with -ThrowOnFailure' {
        { ConvertFrom-OdooTestLog (Join-Path $fixtures 'fail_default.log') -ThrowOnFailure -ErrorAction Stop } |
            Should -Throw -ErrorId 'OdooTestsFailed,InfluenceGen.Deploy.Cmdlets.ConvertFromOdooTestLogCommand'
    }
}
