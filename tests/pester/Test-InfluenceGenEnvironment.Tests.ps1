#Requires -Modules Pester
# Pester 5 spec of Test-InfluenceGenEnvironment (the deployed checks against the real servers are in the xunit
# suite, tests/unit/Checks; here: the cmdlet's surface and what it says when nothing answers).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/InfluenceGen.Deploy/InfluenceGen.Deploy.psd1') -Force
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('igenvcheck-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $work | Out-Null
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $closedPort = $listener.LocalEndpoint.Port; $listener.Stop()
    $cfg = Join-Path $work 'environments.json'
    Set-Content -Path $cfg -Value (@{ environments = @{ qa = @{ OdooUrl = "http://127.0.0.1:$closedPort" } } } | ConvertTo-Json -Depth 4)
}
AfterAll { Remove-Item -Recurse -Force $work }

Describe 'Test-InfluenceGenEnvironment' {
    It 'is exported with help examples' {
        Get-Command Test-InfluenceGenEnvironment | Should -Not -BeNullOrEmpty
        (Get-Help Test-InfluenceGenEnvironment -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
    }
    It 'reports an Odoo that does not answer as failed checks, one error each' {
        $checks = Test-InfluenceGenEnvironment qa -ConfigurationPath $cfg -TimeoutSec 2 -ErrorAction SilentlyContinue -ErrorVariable problems
        ($checks | Where-Object Check -eq 'OdooHealth').Ok | Should -BeFalse
        ($checks | Where-Object Check -eq 'OdooVersion').Detail | Should -Match 'No answer from'
        $problems.Count | Should -Be 2
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'EnvironmentCheckFailed,*'
    }
    It 'stops a script with -ErrorAction Stop' {
        { Test-InfluenceGenEnvironment qa -ConfigurationPath $cfg -TimeoutSec 2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'EnvironmentCheckFailed,*'
    }
    It 'says what to configure when there is nothing to check' {
        { Test-InfluenceGenEnvironment dev -ConfigurationPath $cfg -ErrorAction Stop } |
            Should -Throw -ErrorId 'NothingToCheck,*'
    }
}
