using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Images
{
    /// <summary>
    /// dockerfiles/pwsh-build.Dockerfile and dockerfiles/odoo-test.Dockerfile built for real with
    /// Build-InfluenceGenImage on bases made here (Debian minbase by mmdebstrap, this machine's .NET SDK,
    /// the stand-in odoo), then the CI job lines run in containers of them.
    /// </summary>
    [Trait("Category", "Docker")]
    public sealed class PipelineImageTests : IClassFixture<ImageEngine>
    {
        private readonly ImageEngine _engine;
        public PipelineImageTests(ImageEngine engine) { _engine = engine; }

        private string BuildPwshImage()
        {
            const string image = "ig-test/pwsh-build:test";
            var r = _engine.Line(Repo.Root,
                $"Build-InfluenceGenImage -Dockerfile dockerfiles/pwsh-build.Dockerfile -Name ig-test/pwsh-build -Tag test -Network host " +
                $"-BuildArg @{{ BASE_IMAGE = '{_engine.Debian}'; DOTNET_SDK_IMAGE = '{_engine.Sdk}' }}");
            Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
            return image;
        }

        [Fact]
        public void The_build_image_runs_a_job_line_and_a_failing_line_exits_1()
        {
            _engine.Require();
            string image = BuildPwshImage();
            using var work = new TempDir("igimg");
            File.SetUnixFileMode(work.Path, (UnixFileMode)0x1FF);
            string samples = Repo.SampleAddons;

            var version = _engine.Cli("run", "--rm", "--network", "none", image, "pwsh", "-NoProfile", "-NonInteractive", "-c",
                "\"$($PSVersionTable.PSVersion) $((Get-Module -ListAvailable Pester).Version -join ',')\"");
            Assert.True(version.Code == 0, version.Err);
            Assert.StartsWith("7.6.9 5.", version.Out.Trim());

            // pwsh's own assemblies and the module's are precompiled (ReadyToRun): a job's `pwsh -c` starts without
            // JIT-compiling PowerShell itself.
            var r2r = _engine.Cli("run", "--rm", "--network", "none", image, "pwsh", "-NoProfile", "-NonInteractive", "-c",
                "foreach ($p in [System.Management.Automation.PSObject].Assembly.Location, (Join-Path (Split-Path (Get-Module -ListAvailable InfluenceGen.Deploy).Path) bin/InfluenceGen.Deploy.dll)) { " +
                "$r = [System.Reflection.PortableExecutable.PEReader]::new([IO.File]::OpenRead($p)); '{0} R2R={1}' -f (Split-Path -Leaf $p), ($r.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0); $r.Dispose() }");
            Assert.True(r2r.Code == 0, r2r.Err);
            Assert.Contains("System.Management.Automation.dll R2R=True", r2r.Out);
            Assert.Contains("InfluenceGen.Deploy.dll R2R=True", r2r.Out);

            // PowerShell's module analysis cache ships in the image and knows the module (else every job line sleeps
            // 75 ms looking for it and analyses the modules again: dockerfiles/pwsh-module-cache.sh).
            var cache = _engine.Cli("run", "--rm", "--network", "none", image, "pwsh", "-NoProfile", "-NonInteractive", "-c",
                "$f = $env:PSModuleAnalysisCachePath; '{0} {1}' -f (Test-Path -LiteralPath $f), " +
                "([Text.Encoding]::UTF8.GetString([IO.File]::ReadAllBytes($f)).Contains('InfluenceGen.Deploy/InfluenceGen.Deploy.psd1'))");
            Assert.True(cache.Code == 0, cache.Err);
            Assert.Equal("True True", cache.Out.Trim());

            var ok = _engine.Cli("run", "--rm", "--network", "none", "-v", $"{samples}:/src/addons:ro", "-v", $"{work.Path}:/work", "-w", "/work", image,
                "pwsh", "-NoProfile", "-NonInteractive", "-c", "New-OdooAddonPackage -Path /src/addons -OutFile odoo_addons.zip");
            Assert.True(ok.Code == 0, ok.Err + ok.Out);
            string zip = Path.Combine(work.Path, "odoo_addons.zip");
            Assert.True(File.Exists(zip));
            using (var archive = System.IO.Compression.ZipFile.OpenRead(zip))
                Assert.Contains(archive.Entries, e => e.FullName.EndsWith("__manifest__.py"));

            var fail = _engine.Cli("run", "--rm", "--network", "none", "-v", $"{work.Path}:/work", "-w", "/work", image,
                "pwsh", "-NoProfile", "-NonInteractive", "-c", "New-OdooAddonPackage -Path /nowhere -OutFile x.zip");
            Assert.Equal(1, fail.Code);
            Assert.Contains("/nowhere", fail.Err + fail.Out);
            Assert.False(File.Exists(Path.Combine(work.Path, "x.zip")));
        }

        [Fact]
        public void The_odoo_test_image_runs_Invoke_OdooUnitTest_on_the_stand_in_odoo()
        {
            _engine.Require();
            string pwsh = BuildPwshImage();
            // The stand-in for the official odoo image: Debian, an odoo user, `odoo` = the fake that replays real logs.
            using var standIn = new TempDir("igodoo");
            File.Copy(Path.Combine(Repo.Root, "tests", "unit", "Odoo", "Testing", "testdata", "fake-odoo.sh"), standIn.Combine("odoo"));
            CopyTree(Path.Combine(Repo.Fixtures, "odoo"), standIn.Combine("fixtures"));
            standIn.Write("Dockerfile", $"FROM {_engine.Debian}\nCOPY odoo /usr/bin/odoo\nCOPY fixtures/ /fixtures/\nRUN chmod 0755 /usr/bin/odoo && useradd -m odoo\nUSER odoo\n");
            var b = _engine.Line(standIn.Path, "Build-InfluenceGenImage -Name ig-test/odoo-standin -Tag 17.0");
            Assert.True(b.ExitCode == 0, b.StdErr);

            var r = _engine.Line(Repo.Root,
                "Build-InfluenceGenImage -Dockerfile dockerfiles/odoo-test.Dockerfile -Name ig-test/odoo-test -Tag 17.0 -Network host " +
                // PyPI cannot be reached from the test machines: the image's linters come from Debian here (LINT_FROM).
                $"-BuildArg @{{ ODOO_IMAGE = 'ig-test/odoo-standin:17.0'; PWSH_IMAGE = '{pwsh}'; LINT_FROM = 'debian' }}");
            Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);

            using var work = new TempDir("igodoowork");
            File.SetUnixFileMode(work.Path, (UnixFileMode)0x1FF);
            work.Write("odoo.conf", "[options]\n");
            var fail = _engine.Cli("run", "--rm", "--network", "none", "-v", $"{work.Path}:/work", "-w", "/work", "ig-test/odoo-test:17.0",
                "pwsh", "-NoProfile", "-NonInteractive", "-c", "Invoke-OdooUnitTest -Module ig_fail -OdooBin odoo -ConfigPath odoo.conf -JUnitPath reports/junit.xml");
            Assert.Equal(1, fail.Code);
            string junit = File.ReadAllText(Path.Combine(work.Path, "reports", "junit.xml"));
            Assert.Contains("<failure", junit);

            var pass = _engine.Cli("run", "--rm", "--network", "none", "-v", $"{work.Path}:/work", "-w", "/work", "ig-test/odoo-test:17.0",
                "pwsh", "-NoProfile", "-NonInteractive", "-c", "Invoke-OdooUnitTest -Module ig_pass -OdooBin odoo -ConfigPath odoo.conf -JUnitPath reports/pass.xml");
            Assert.True(pass.Code == 0, pass.Err + pass.Out);
            Assert.DoesNotContain("<failure", File.ReadAllText(Path.Combine(work.Path, "reports", "pass.xml")));
            var lint = _engine.Cli("run", "--rm", "--network", "none", "ig-test/odoo-test:17.0", "sh", "-c", "flake8 --version && pylint --version");
            Assert.True(lint.Code == 0, lint.Err);
        }

        private static void CopyTree(string from, string to)
        {
            foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
                Directory.CreateDirectory(dir.Replace(from, to));
            Directory.CreateDirectory(to);
            foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
                File.Copy(file, file.Replace(from, to), true);
        }
    }
}
