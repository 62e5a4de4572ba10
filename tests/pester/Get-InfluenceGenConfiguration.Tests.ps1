#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of Get-InfluenceGenConfiguration, run in the pipeline's pwsh image.
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
}

Describe 'Get-InfluenceGenConfiguration' {
    BeforeEach {
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("igcfg-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $dir | Out-Null
        Push-Location $dir
    }
    AfterEach {
        Pop-Location
        Remove-Item -Recurse -Force $dir
        Remove-Item env:STAGING_N8N_API_KEY, env:STAGING_ODOO_SERVER_SSH_HOST, env:ENABLE_SLACK_NOTIFICATIONS -ErrorAction SilentlyContinue
    }

    It 'takes a CI variable before the environments file' {
        Set-Content environments.json '{ "environments": { "staging": { "OdooSshHost": "from-file" } } }'
        $env:STAGING_ODOO_SERVER_SSH_HOST = 'from-variable'
        $entry = Get-InfluenceGenConfiguration -Environment staging -Name OdooSshHost
        $entry.Value | Should -Be 'from-variable'
        $entry.Source | Should -Be 'variable STAGING_ODOO_SERVER_SSH_HOST'
    }

    It 'names the file and line of a value from the environments file' {
        Set-Content environments.json "{`n  `"environments`": {`n    `"staging`": { `"OdooSshHost`": `"from-file`" }`n  }`n}"
        (Get-InfluenceGenConfiguration -Environment staging -Name OdooSshHost).Source | Should -Be 'file environments.json:3'
    }

    It 'masks secrets' {
        $env:STAGING_N8N_API_KEY = 'n8n-secret-value-123'
        $entry = Get-InfluenceGenConfiguration -Environment staging -Name N8nApiKey
        $entry.Value | Should -Be '***'
        ($entry | Out-String) | Should -Not -Match 'n8n-secret-value-123'
    }

    It 'rejects a toggle that is not true or false, naming the variable' {
        $env:ENABLE_SLACK_NOTIFICATIONS = 'yes'
        { Get-InfluenceGenConfiguration -Environment dev -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*ENABLE_SLACK_NOTIFICATIONS*not true or false*'
    }

    It 'rejects an unknown environment' {
        { Get-InfluenceGenConfiguration -Environment prodution -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownEnvironment,InfluenceGen.Deploy.Cmdlets.GetInfluenceGenConfigurationCommand'
    }
}
