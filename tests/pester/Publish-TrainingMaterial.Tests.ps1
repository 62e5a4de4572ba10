#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of Publish-TrainingMaterial, against the S3-compatible server of tests/setup/25-fauxqs.sh
# (S3_TEST_*) and the sshd of tests/setup/20-sshd.sh (SSH_TEST_*):
#   Invoke-Pester tests/pester -Output Detailed
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    if (-not $env:S3_TEST_ENDPOINT) { throw 'S3_TEST_ENDPOINT is not set: run tests/run.sh (tests/setup/25-fauxqs.sh)' }

    function New-Portal([string] $Folder) {
        foreach ($f in @{
                'index.html'                  = '<html><a href="guide/index.html">guide</a></html>'
                'guide/index.html'            = '<html>guide</html>'
                'guide/setup.html'            = '<html>setup</html>'
                'assets/app.3f9a1c2b7d.css'   = 'body { margin: 0 }'
                'docs/handbook.pdf'           = '%PDF-1.7 handbook'
            }.GetEnumerator()) {
            $path = Join-Path $Folder $f.Key
            New-Item -ItemType Directory -Force -Path (Split-Path $path) | Out-Null
            Set-Content -NoNewline -Path $path -Value $f.Value
        }
    }
    # A bucket of this run, created through the module's own client library on fauxqs (any credentials are accepted).
    function New-Bucket {
        $name = 'igp-' + [guid]::NewGuid().ToString('N').Substring(0, 12)
        Invoke-WebRequest -Method Put -Uri "$env:S3_TEST_ENDPOINT/$name" -UseBasicParsing | Out-Null
        $name
    }
    $saved = @{}
    foreach ($v in 'TRAINING_PORTAL_TARGET_TYPE', 'TRAINING_S3_BUCKET_URL', 'AWS_ACCESS_KEY_ID_SECRET', 'AWS_SECRET_ACCESS_KEY_SECRET', 'AWS_ENDPOINT_URL_S3', 'AWS_REGION') {
        $saved[$v] = [Environment]::GetEnvironmentVariable($v)
    }
    $env:TRAINING_PORTAL_TARGET_TYPE = 'S3'
    $env:AWS_ACCESS_KEY_ID_SECRET = $env:S3_TEST_ACCESS_KEY_ID
    $env:AWS_SECRET_ACCESS_KEY_SECRET = $env:S3_TEST_SECRET_ACCESS_KEY
    $env:AWS_ENDPOINT_URL_S3 = $env:S3_TEST_ENDPOINT
    $env:AWS_REGION = $env:S3_TEST_REGION
}

AfterAll {
    foreach ($v in $saved.Keys) { [Environment]::SetEnvironmentVariable($v, $saved[$v]) }
}

Describe 'Publish-TrainingMaterial' {
    BeforeEach {
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('igtrain-' + [guid]::NewGuid().ToString('N'))
        New-Portal $folder
        $bucket = New-Bucket
        $env:TRAINING_S3_BUCKET_URL = "s3://$bucket/portal"
    }
    AfterEach { Remove-Item -Recurse -Force $folder }

    It 'publishes every file, then nothing when nothing changed' {
        $first = Publish-TrainingMaterial -Path $folder -Environment production
        $first.FilesUploaded | Should -Be 5
        $first.Succeeded | Should -BeTrue
        $second = Publish-TrainingMaterial -Path $folder -Environment production
        $second.FilesUploaded | Should -Be 0
        $second.FilesUnchanged | Should -Be 5
        $second.BytesSent | Should -Be 0
    }

    It 'serves each file with its Content-Type' {
        Publish-TrainingMaterial -Path $folder -Environment production | Out-Null
        (Invoke-WebRequest "$env:S3_TEST_ENDPOINT/$bucket/portal/index.html" -UseBasicParsing).Headers['Content-Type'] | Should -Be 'text/html; charset=utf-8'
        (Invoke-WebRequest "$env:S3_TEST_ENDPOINT/$bucket/portal/docs/handbook.pdf" -UseBasicParsing).Headers['Content-Type'] | Should -Be 'application/pdf'
    }

    It 'uploads only the changed page, orders index.html last and deletes what is gone with -Delete' {
        Publish-TrainingMaterial -Path $folder -Environment production | Out-Null
        Set-Content -NoNewline -Path (Join-Path $folder 'guide/setup.html') -Value '<html>setup, revised</html>'
        Set-Content -NoNewline -Path (Join-Path $folder 'index.html') -Value '<html>home, revised</html>'
        Remove-Item (Join-Path $folder 'docs/handbook.pdf')
        $files = Publish-TrainingMaterial -Path $folder -Environment production -Delete -PassThru | Where-Object { $_ -is [InfluenceGen.Deploy.Training.TrainingFileResult] -and $_.Action -ne 'Unchanged' }
        $files.Path | Should -Be @('guide/setup.html', 'index.html', 'docs/handbook.pdf')
        $files.Action | Should -Be @('Update', 'Update', 'Delete')
        { Invoke-WebRequest "$env:S3_TEST_ENDPOINT/$bucket/portal/docs/handbook.pdf" -UseBasicParsing } | Should -Throw
    }

    It 'lists the plan with -WhatIf and changes nothing' {
        Publish-TrainingMaterial -Path $folder -Environment production | Out-Null
        Set-Content -NoNewline -Path (Join-Path $folder 'index.html') -Value '<html>not yet</html>'
        Publish-TrainingMaterial -Path $folder -Environment production -WhatIf | Should -BeNullOrEmpty
        (Invoke-WebRequest "$env:S3_TEST_ENDPOINT/$bucket/portal/index.html" -UseBasicParsing).Content | Should -Not -Be '<html>not yet</html>'
    }

    It 'refuses a bucket URL that is not s3:// naming the variable' {
        { Publish-TrainingMaterial -Path $folder -Environment production -BucketUrl "https://$bucket.s3.amazonaws.com" -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*not an s3:// URL*TRAINING_S3_BUCKET_URL*'
    }

    It 'refuses a zip entry that would land outside the portal, naming it' {
        $zip = Join-Path $folder 'bad.zip'
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $archive = [System.IO.Compression.ZipFile]::Open($zip, 'Create')
        $writer = [System.IO.StreamWriter]::new($archive.CreateEntry('../escape.html').Open()); $writer.Write('x'); $writer.Dispose()
        $archive.Dispose()
        { Publish-TrainingMaterial -Path $zip -Environment production -ErrorAction Stop } | Should -Throw -ErrorId 'TrainingZipEntryUnsafe*' -ExpectedMessage "*entry '../escape.html'*"
    }

    It 'keeps the AWS secret out of every stream' {
        $all = Publish-TrainingMaterial -Path $folder -Environment production -Verbose -PassThru *>&1 | Out-String
        $all | Should -Not -Match ([regex]::Escape($env:S3_TEST_SECRET_ACCESS_KEY))
    }
}
