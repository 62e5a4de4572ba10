#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of Invoke-OdooUnitTest, run in the pipeline's pwsh image:
#   Invoke-Pester tests/pester -Output Detailed
# Odoo is played by tests/unit/Odoo/Testing/testdata/fake-odoo.sh, which replays the real Odoo logs of
# ../shared/fixtures/odoo with their recorded exit codes (set fake_fixtures in the config file it gets).
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $fakeOdoo = Join-Path $repo 'tests/unit/Odoo/Testing/testdata/fake-odoo.sh'
    $fixtures = Join-Path (Split-Path -Parent $repo) 'shared/fixtures/odoo'
}

Describe 'Invoke-OdooUnitTest' {
    BeforeEach {
        $work = Join-Path ([System.IO.Path]::GetTempPath()) ('igut-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $work | Out-Null
        $conf = Join-Path $work 'odoo.conf'
        Set-Content -Path $conf -Value "fake_fixtures = $fixtures"
    }
    AfterEach { Remove-Item -Recurse -Force $work }

    It 'returns Odoo''s counts for a passing module and drops the database' {
        $result = Invoke-OdooUnitTest -Module ig_pass -OdooBin $fakeOdoo -ConfigPath $conf
        $result.Status | Should -Be 'Passed'
        $result.Tests | Should -Be 3
        $result.Database | Should -Match '^igtest_[0-9a-f]{10}$'
        $result.DatabaseDropped | Should -BeTrue
        Get-Content (Join-Path $work 'dropped') | Should -Be $result.Database
    }

    It 'ends in OdooTestsFailed after writing a JUnit file naming the failing test' {
        $junit = Join-Path $work 'junit.xml'
        { Invoke-OdooUnitTest ig_fail -OdooBin $fakeOdoo -ConfigPath $conf -JUnitPath $junit -ErrorAction Stop } |
            Should -Throw -ErrorId 'OdooTestsFailed,InfluenceGen.Deploy.Cmdlets.InvokeOdooUnitTestCommand'
        [xml] $xml = Get-Content -Raw $junit
        $case = $xml.testsuites.testsuite.testcase | Where-Object name -eq 'test_qty_doubles'
        $case.classname | Should -Be 'odoo.addons.ig_fail.tests.test_thing.TestThing'
        $case.failure.message | Should -Be 'AssertionError: 4 != 5 : qty should double to 5'
        $case.failure.'#text' | Should -Match 'line 11, in test_qty_doubles'
    }

    It 'returns one object per test with -PassThru, the setUpClass error as an error of its class' {
        $tests = Invoke-OdooUnitTest ig_error -OdooBin $fakeOdoo -ConfigPath $conf -PassThru -ErrorAction SilentlyContinue
        $tests.Name | Should -Be @('TestError.test_ok', 'TestError.test_raises', 'TestSetupError.setUpClass')
        ($tests | Where-Object IsFixtureError).Outcome | Should -Be 'Error'
    }

    It 'treats a requested module that ran no test as a failure' {
        Add-Content -Path $conf -Value 'fake_log = pass_default'
        { Invoke-OdooUnitTest ig_pass, ig_other -OdooBin $fakeOdoo -ConfigPath $conf -ErrorAction Stop } |
            Should -Throw -ErrorId 'OdooTestNoTestsRun,InfluenceGen.Deploy.Cmdlets.InvokeOdooUnitTestCommand'
    }

    It 'stops Odoo at -Timeout' {
        { Invoke-OdooUnitTest ig_hang -OdooBin $fakeOdoo -ConfigPath $conf -Timeout 2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'OdooTestTimeout,InfluenceGen.Deploy.Cmdlets.InvokeOdooUnitTestCommand'
    }

    It 'keeps the database with -KeepDatabase' {
        $result = Invoke-OdooUnitTest ig_pass -OdooBin $fakeOdoo -ConfigPath $conf -KeepDatabase
        $result.DatabaseDropped | Should -BeFalse
        Test-Path (Join-Path $work 'dropped') | Should -BeFalse
    }
}
