#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of Build-InfluenceGenImage against the real engine and registry the test command starts
# (tests/setup/30-docker.sh, 31-registry.sh, 32-base-images.sh export DOCKER_TEST_HOST, REGISTRY_TEST_*,
# IG_TEST_DEBIAN_IMAGE).
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    foreach ($v in 'DOCKER_TEST_HOST', 'REGISTRY_TEST_HOST', 'REGISTRY_TEST_USER', 'REGISTRY_TEST_PASSWORD', 'IG_TEST_DEBIAN_IMAGE') {
        if (-not [Environment]::GetEnvironmentVariable($v)) { throw "$v is not set: run tests/run.sh" }
    }
    $engine = $env:DOCKER_TEST_HOST
    $registry = "$($env:REGISTRY_TEST_HOST)/pester"
    $password = ConvertTo-SecureString $env:REGISTRY_TEST_PASSWORD -AsPlainText -Force
    $login = [pscredential]::new($env:REGISTRY_TEST_USER, $password)
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ('igimage-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path (Join-Path $work 'app') | Out-Null
    Set-Content -Path (Join-Path $work 'Dockerfile') -Value "FROM $($env:IG_TEST_DEBIAN_IMAGE)`nCOPY app/ /app/`nRUN echo built"
    Set-Content -Path (Join-Path $work 'app/hello.txt') -Value ([guid]::NewGuid())
    Set-Content -Path (Join-Path $work 'Failing.Dockerfile') -Value "FROM $($env:IG_TEST_DEBIAN_IMAGE)`nRUN echo last-words && false"
    $name = 'pester' + [guid]::NewGuid().ToString('N').Substring(0, 8)
}
AfterAll { Remove-Item -Recurse -Force $work }

Describe 'Build-InfluenceGenImage' {
    It 'builds, pushes and returns the digest per tag' {
        $image = Build-InfluenceGenImage $work -Name $name -Registry $registry -Tag one, two -Credential $login -DockerHost $engine -Push
        $image.ImageId | Should -Match '^sha256:[0-9a-f]{64}$'
        $image.Tags | Should -Be @('one', 'two')
        $image.Pushed | Should -BeTrue
        $image.TagResults.Digest | Should -Match '^sha256:[0-9a-f]{64}$'
        $image.PinnedReference | Should -Be "$registry/$name@$($image.Digest)"
    }

    It 'reuses an unchanged image, still logs in and pushes, and returns the same digest per tag' {
        $first = Build-InfluenceGenImage $work -Name $name -Registry $registry -Tag one -Credential $login -DockerHost $engine -Push
        $verbose = Build-InfluenceGenImage $work -Name $name -Registry $registry -Tag one -Credential $login -DockerHost $engine -Push -Verbose 4>&1
        $again = $verbose | Where-Object { $_ -is [InfluenceGen.Deploy.Images.InfluenceGenImage] }
        $again.Reused | Should -BeTrue
        $again.ImageId | Should -Be $first.ImageId
        $again.TagResults.Digest | Should -Be $first.TagResults.Digest
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "Logging in to $($env:REGISTRY_TEST_HOST) as $($env:REGISTRY_TEST_USER)"
    }

    It 'names the Dockerfile line of a failing step' {
        { Build-InfluenceGenImage $work -Dockerfile (Join-Path $work 'Failing.Dockerfile') -Name "$name-fail" -DockerHost $engine } |
            Should -Throw -ErrorId 'ImageBuildFailed,InfluenceGen.Deploy.Cmdlets.BuildInfluenceGenImageCommand' -ExpectedMessage '*Failing.Dockerfile:2*last-words*'
    }

    It 'fails with RegistryLoginFailed on bad credentials and never shows the password' {
        $bad = [pscredential]::new($env:REGISTRY_TEST_USER, (ConvertTo-SecureString 'not-the-password-4711' -AsPlainText -Force))
        { Build-InfluenceGenImage $work -Name $name -Registry $registry -Credential $bad -DockerHost $engine -Push } |
            Should -Throw -ErrorId 'RegistryLoginFailed,InfluenceGen.Deploy.Cmdlets.BuildInfluenceGenImageCommand'
        $all = Build-InfluenceGenImage $work -Name $name -Registry $registry -Credential $login -DockerHost $engine -Push -Verbose -Debug 4>&1 3>&1 5>&1 6>&1 | Out-String
        $all | Should -Not -Match ([regex]::Escape($env:REGISTRY_TEST_PASSWORD))
    }

    It 'changes nothing with -WhatIf' {
        $result = Build-InfluenceGenImage $work -Name "$name-whatif" -Registry $registry -DockerHost $engine -Push -WhatIf
        $result | Should -BeNullOrEmpty
    }
}
