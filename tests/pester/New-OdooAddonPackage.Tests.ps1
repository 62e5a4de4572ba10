#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 spec of New-OdooAddonPackage, run in the pipeline's pwsh image:
#   Invoke-Pester tests/pester -Output Detailed
BeforeAll {
    $repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    Import-Module (Join-Path $repo 'out/InfluenceGen.Deploy') -Force
    $samples = Join-Path $repo 'samples/addons'
}

Describe 'New-OdooAddonPackage' {
    BeforeEach {
        $out = Join-Path ([System.IO.Path]::GetTempPath()) ("igpkg-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $out | Out-Null
    }
    AfterEach { Remove-Item -Recurse -Force $out }

    It 'packages the sample addons in dependency order' {
        $package = New-OdooAddonPackage -Path $samples -OutFile (Join-Path $out 'addons.zip')
        $package.Addons.Name | Should -Be @('ig_base', 'ig_influencer', 'ig_campaign')
        $package.Sha256 | Should -Match '^[0-9a-f]{64}$'
        Test-Path (Join-Path $out 'addons.zip') | Should -BeTrue
    }

    It 'writes byte-identical zips for the same input' {
        $a = New-OdooAddonPackage -Path $samples -OutFile (Join-Path $out 'a.zip')
        $b = New-OdooAddonPackage -Path $samples -OutFile (Join-Path $out 'b.zip')
        $a.Sha256 | Should -Be $b.Sha256
    }

    It 'records external dependencies' {
        $package = New-OdooAddonPackage -Path $samples -OutFile (Join-Path $out 'addons.zip')
        ($package.Addons | Where-Object Name -eq 'ig_campaign').ExternalDepends | Should -Contain 'sale'
    }

    It 'fails with PathNotFound and writes nothing for a missing folder' {
        { New-OdooAddonPackage -Path (Join-Path $out 'nope') -OutFile (Join-Path $out 'x.zip') -ErrorAction Stop } |
            Should -Throw -ErrorId 'PathNotFound,InfluenceGen.Deploy.Cmdlets.NewOdooAddonPackageCommand'
        Test-Path (Join-Path $out 'x.zip') | Should -BeFalse
    }

    It 'names the file, line and column of a manifest syntax error' {
        $bad = Join-Path $out 'src/broken'
        New-Item -ItemType Directory -Path $bad -Force | Out-Null
        Set-Content -Path (Join-Path $bad '__manifest__.py') -Value "{`n  'name': 'Broken',`n  'depends': ['base'`n}"
        { New-OdooAddonPackage -Path (Join-Path $out 'src') -OutFile (Join-Path $out 'x.zip') -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*__manifest__.py:4:1*'
    }

    It 'writes nothing with -WhatIf' {
        New-OdooAddonPackage -Path $samples -OutFile (Join-Path $out 'w.zip') -WhatIf
        Test-Path (Join-Path $out 'w.zip') | Should -BeFalse
    }

    It 'refuses an output path inside the input tree' {
        { New-OdooAddonPackage -Path $samples -OutFile (Join-Path $samples 'self.zip') -ErrorAction Stop } |
            Should -Throw -ErrorId 'OutFileInsideInput,InfluenceGen.Deploy.Cmdlets.NewOdooAddonPackageCommand'
    }

    It 'creates a missing -OutFile folder, and -WhatIf says it would' {
        $target = Join-Path $out 'new/deeper/p.zip'
        # What if: goes to the host: a child pwsh shows it as a CI log would.
        $pwsh = (Get-Process -Id $PID).Path
        $plan = & $pwsh -NoProfile -NonInteractive -c "Import-Module '$repo/out/InfluenceGen.Deploy'; New-OdooAddonPackage -Path '$samples' -OutFile '$target' -WhatIf" 2>&1 | Out-String -Width 1000
        $plan = $plan -replace '\r?\n', ''
        $LASTEXITCODE | Should -Be 0
        $plan | Should -BeLike "*Write '$target' (creating the folder '$(Join-Path $out 'new/deeper')')*"
        Test-Path (Join-Path $out 'new') | Should -BeFalse
        $package = New-OdooAddonPackage -Path $samples -OutFile $target
        $package.Path | Should -Be $target
        Test-Path $target | Should -BeTrue
    }

    It '-WhatIf refuses what the real run refuses (an -OutFile that is a folder)' {
        { New-OdooAddonPackage -Path $samples -OutFile $out -WhatIf } | Should -Throw -ErrorId 'OutFileIsFolder,*'
        { New-OdooAddonPackage -Path $samples -OutFile $out } | Should -Throw -ErrorId 'OutFileIsFolder,*'
    }
}
