using System.Management.Automation;
using System.Xml.Linq;
using InfluenceGen.Deploy.Odoo.Testing;
using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Tests.Odoo.Testing;

namespace InfluenceGen.Deploy.Tests.Cmdlets
{
    /// <summary>Invoke-OdooUnitTest and ConvertFrom-OdooTestLog through the built module, with the
    /// stand-in odoo (fake-odoo.sh, replaying real logs and their exit codes).</summary>
    public class OdooTestCmdletTests
    {
        /// <summary>As under pwsh -c in CI: a terminating error of the cmdlet ends the script.</summary>
        internal static PsResult Run(PowerShellSession ps, string script) => ps.Invoke("& {\n$ErrorActionPreference = 'Stop'\n" + script + "\n}");

        internal static int I(PSObject o, string name) => Convert.ToInt32(o.Properties[name].Value);

        private static string Conf(TempDir dir, string? fakeLog = null)
            => dir.Write("odoo.conf", $"fake_fixtures = {OdooFixtures.Dir}\n" + (fakeLog != null ? $"fake_log = {fakeLog}\n" : ""));

        [Fact]
        public void The_one_liner_exits_1_for_a_failing_module_and_leaves_a_JUnit_file_naming_the_failing_test()
        {
            using var dir = new TempDir();
            Conf(dir);
            HostProcess.Result run = HostProcess.Run(dir.Path, null, "-c",
                $"Invoke-OdooUnitTest -Module ig_fail -OdooBin '{OdooFixtures.FakeOdoo}' -ConfigPath odoo.conf -JUnitPath reports/junit.xml -LogPath reports/odoo.log");
            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
            Assert.Contains("Odoo tests failed: 2 failed, 0 error(s) of 3 tests", run.StdErr + run.StdOut);
            Assert.Contains("TestThing.test_qty_doubles", run.StdErr + run.StdOut);

            XDocument junit = XDocument.Load(dir.Combine("reports", "junit.xml"));
            OdooFixtures.ValidateJUnit(junit.ToString());
            XElement failure = junit.Descendants("testcase").Single(c => (string?)c.Attribute("name") == "test_qty_doubles").Element("failure")!;
            Assert.Equal("AssertionError: 4 != 5 : qty should double to 5", (string?)failure.Attribute("message"));
            Assert.Contains("File \"/opt/odoo/custom/ig_fail/tests/test_thing.py\", line 11, in test_qty_doubles", failure.Value);
            Assert.Equal("2", (string?)junit.Root!.Attribute("failures"));
            Assert.True(File.Exists(dir.Combine("reports", "odoo.log")));
        }

        [Fact]
        public void The_one_liner_exits_0_for_a_passing_module()
        {
            using var dir = new TempDir();
            Conf(dir);
            HostProcess.Result run = HostProcess.Run(dir.Path, null, "-c",
                $"Invoke-OdooUnitTest ig_pass -OdooBin '{OdooFixtures.FakeOdoo}' -ConfigPath odoo.conf -JUnitPath junit.xml");
            Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
            Assert.Contains("Passed", run.StdOut);
            Assert.Equal("0", (string?)XDocument.Load(dir.Combine("junit.xml")).Root!.Attribute("failures"));
        }

        [Fact]
        public void The_old_test_jobs_variables_choose_modules_database_and_report_folder()
        {
            using var dir = new TempDir();
            Conf(dir);
            var env = new Dictionary<string, string>
            {
                ["ODOO_MODULES_TO_TEST"] = "ig_fail, ig_pass",
                ["ODOO_DB_NAME"] = "ig_ci_tests",
                ["TEST_REPORTS_OUTPUT_DIR"] = "test-reports",
            };
            HostProcess.Result run = HostProcess.Run(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                $"Invoke-OdooUnitTest -OdooBin '{OdooFixtures.FakeOdoo}' -ConfigPath odoo.conf -KeepDatabase | Format-List Database, Modules");
            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}"); // ig_fail is red
            Assert.Contains("ig_ci_tests", run.StdOut);
            XDocument junit = XDocument.Load(dir.Combine("test-reports", "junit-odoo.xml"));
            Assert.Contains(junit.Descendants("testcase"), c => ((string?)c.Attribute("classname") ?? "").Contains("ig_fail"));
            string argv = File.ReadAllText(dir.Combine("argv"));   // what the stand-in odoo was given
            Assert.Contains("-d ig_ci_tests", argv);
            Assert.Contains("ig_fail,ig_pass", argv);

            HostProcess.Result none = HostProcess.Run(dir.Path, null, "-NoProfile", "-NonInteractive", "-c",
                $"Invoke-OdooUnitTest -OdooBin '{OdooFixtures.FakeOdoo}' -ConfigPath odoo.conf");
            Assert.Equal(1, none.ExitCode);
            Assert.Contains("ODOO_MODULES_TO_TEST", none.StdErr);
        }

        [Fact]
        public void The_summary_streams_verbose_and_progress_and_PassThru_returns_the_tests()
        {
            using var dir = new TempDir();
            Conf(dir);
            using var ps = new PowerShellSession(dir.Path);
            // The objects come first, then one non-terminating error for the red run.
            PsResult r = ps.Invoke($"Invoke-OdooUnitTest ig_error -OdooBin '{OdooFixtures.FakeOdoo}' -ConfigPath odoo.conf -PassThru");
            Assert.Null(r.Terminating);
            Assert.Equal("OdooTestsFailed,InfluenceGen.Deploy.Cmdlets.InvokeOdooUnitTestCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
            Assert.All(r.Output, o => Assert.Equal("InfluenceGen.Deploy.Odoo.Testing.OdooTestCaseResult", o.TypeNames[0]));
            Assert.Equal(new[] { "TestError.test_ok", "TestError.test_raises", "TestSetupError.setUpClass" }, r.Output.Select(o => (string)o.Properties["Name"].Value));
            Assert.Contains(r.Verbose, v => v.Contains("Starting TestError.test_raises"));
            // progress is throttled (one record per 200 ms), so which test it names depends on the timing
            Assert.Contains(r.Progress, p => p.StatusDescription.Contains("ig_error") && p.RecordType == System.Management.Automation.ProgressRecordType.Processing);
            Assert.Contains(r.Warnings, w => w.StartsWith("ERROR: ig_error TestError.test_raises: KeyError"));

            PsResult summary = Run(ps, $"Invoke-OdooUnitTest ig_pass -OdooBin '{OdooFixtures.FakeOdoo}' -ConfigPath odoo.conf");
            Assert.Null(summary.Terminating);
            PSObject result = summary.Single();
            Assert.Equal((3, 3, 0, 0, "Passed"), (I(result, "Tests"), I(result, "Passed"), I(result, "Failed"), I(result, "Errors"), (string)result.Properties["Status"].Value));
        }

        [Fact]
        public void A_package_on_the_pipeline_gives_its_addons_as_modules()
        {
            using var dir = new TempDir();
            Conf(dir, "pass_default");
            using var ps = new PowerShellSession(dir.Path);
            PsResult r = Run(ps, $"New-OdooAddonPackage -Path '{Repo.SampleAddons}' -OutFile addons.zip | Invoke-OdooUnitTest -OdooBin '{OdooFixtures.FakeOdoo}' -ConfigPath odoo.conf -JUnitPath junit.xml");
            string argv = File.ReadAllLines(dir.Combine("argv"))[0];
            Assert.Contains("-i ig_base,ig_influencer,ig_campaign --test-enable --stop-after-init --test-tags=/ig_base,/ig_influencer,/ig_campaign --http-port=", argv);
            // The replayed log only has ig_pass's tests: the package's modules ran none, and that is red.
            Assert.NotNull(r.Terminating);
            Assert.StartsWith("OdooTestNoTestsRun,", r.Terminating!.FullyQualifiedErrorId);
            Assert.Contains("NoTestsRun ig_campaign", File.ReadAllText(dir.Combine("junit.xml")));
        }

        [Fact]
        public void WhatIf_runs_nothing()
        {
            using var dir = new TempDir();
            Conf(dir);
            using var ps = new PowerShellSession(dir.Path);
            PsResult r = Run(ps, $"Invoke-OdooUnitTest ig_fail -OdooBin '{OdooFixtures.FakeOdoo}' -ConfigPath odoo.conf -JUnitPath junit.xml -WhatIf");
            Assert.Null(r.Terminating);
            Assert.False(File.Exists(dir.Combine("argv")));
            Assert.False(File.Exists(dir.Combine("junit.xml")));
        }

        [Fact]
        public void A_password_given_to_Odoo_appears_in_no_stream_report_or_log()
        {
            const string secret = "Pg-S3cret-9f8e7d";
            using var dir = new TempDir();
            Conf(dir);
            using var ps = new PowerShellSession(dir.Path);
            PsResult r = Run(ps, $"Invoke-OdooUnitTest ig_fail -OdooBin '{OdooFixtures.FakeOdoo}' -ConfigPath odoo.conf -ExtraArgument '--db_password={secret}','-w','{secret}' -JUnitPath junit.xml -LogPath odoo.log");
            Assert.NotNull(r.Terminating);
            Assert.Contains("--db_password=", string.Join("\n", r.Verbose));   // the command line is shown ...
            Assert.DoesNotContain(secret, r.AllText());                         // ... masked
            Assert.DoesNotContain(secret, File.ReadAllText(dir.Combine("junit.xml")));
            Assert.DoesNotContain(secret, File.ReadAllText(dir.Combine("odoo.log")));
        }

        [Fact]
        public void Bad_input_has_stable_error_ids()
        {
            using var dir = new TempDir();
            using var ps = new PowerShellSession(dir.Path);
            Assert.StartsWith("OdooTestBadModuleName,", Run(ps, "Invoke-OdooUnitTest 'ig pass' -OdooBin /bin/true").Terminating!.FullyQualifiedErrorId);
            // -Module is string[] with a transformation (names, packages, addons): anything else is refused by the binder.
            PsResult badModule = Run(ps, "Invoke-OdooUnitTest -Module ([datetime]::Now) -OdooBin /bin/true");
            Assert.StartsWith("ParameterArgumentTransformationError,", badModule.Terminating!.FullyQualifiedErrorId);
            Assert.Contains("-Module takes module names or an addon package", badModule.Terminating.Exception.Message);
            PsResult missing = Run(ps, $"Invoke-OdooUnitTest ig_pass -OdooBin '{dir.Combine("nope")}'");
            Assert.StartsWith("OdooTestRunnerFailed,", missing.Terminating!.FullyQualifiedErrorId);
            Assert.Contains(dir.Combine("nope"), missing.Terminating.Exception.Message);
            Assert.StartsWith("PathNotFound,", Run(ps, "ConvertFrom-OdooTestLog ./missing.log").Terminating!.FullyQualifiedErrorId);
        }

        [Theory]
        [MemberData(nameof(OdooFixtures.WithSummary), MemberType = typeof(OdooFixtures))]
        public void ConvertFrom_OdooTestLog_gives_Odoos_counts_and_a_JUnit_file(string name, int failed, int errors, int tests)
        {
            using var dir = new TempDir();
            using var ps = new PowerShellSession(dir.Path);
            PsResult r = Run(ps, $"ConvertFrom-OdooTestLog '{OdooFixtures.Log(name)}' -JUnitPath out/junit.xml");
            Assert.Null(r.Terminating);
            PSObject result = r.Single();
            Assert.Equal((failed, errors, tests), (I(result, "Failed"), I(result, "Errors"), I(result, "Tests")));
            XDocument junit = XDocument.Load(dir.Combine("out", "junit.xml"));
            Assert.Equal(failed.ToString(), (string?)junit.Root!.Attribute("failures"));
            Assert.Equal(errors.ToString(), (string?)junit.Root.Attribute("errors"));
        }

        [Fact]
        public void ConvertFrom_OdooTestLog_ThrowOnFailure_ends_in_an_error_after_writing_JUnit()
        {
            using var dir = new TempDir();
            using var ps = new PowerShellSession(dir.Path);
            PsResult r = Run(ps, $"ConvertFrom-OdooTestLog '{OdooFixtures.Log("18.0/fail_default")}' -JUnitPath junit.xml -ThrowOnFailure");
            Assert.Equal("OdooTestsFailed,InfluenceGen.Deploy.Cmdlets.ConvertFromOdooTestLogCommand", r.Terminating!.FullyQualifiedErrorId);
            Assert.True(File.Exists(dir.Combine("junit.xml")));
            PsResult ok = Run(ps, $"ConvertFrom-OdooTestLog '{OdooFixtures.Log("18.0/pass_default")}' -Module ig_pass -ThrowOnFailure");
            Assert.Null(ok.Terminating);
            PsResult none = Run(ps, $"ConvertFrom-OdooTestLog '{OdooFixtures.Log("18.0/pass_default")}' -Module ig_pass,ig_other -ThrowOnFailure");
            Assert.StartsWith("OdooTestNoTestsRun,", none.Terminating!.FullyQualifiedErrorId);
        }
    }

    public class OdooTestContainerCmdletTests : IClassFixture<FakeOdooContainer>
    {
        private static PsResult Run(PowerShellSession ps, string script) => OdooTestCmdletTests.Run(ps, script);

        private readonly FakeOdooContainer _container;
        public OdooTestContainerCmdletTests(FakeOdooContainer container) { _container = container; }

        [Fact]
        public void Invoke_OdooUnitTest_runs_in_a_container_through_the_Engine_API()
        {
            _container.RequireEngine();
            using var dir = new TempDir();
            using var ps = new PowerShellSession(dir.Path);
            PsResult r = Run(ps, $"Invoke-OdooUnitTest ig_fail -Container {_container.Name} -DockerHost '{_container.Host}' -OdooBin /bin/fake-odoo -ConfigPath /tmp/odoo.conf -JUnitPath junit.xml");
            Assert.Equal("OdooTestsFailed,InfluenceGen.Deploy.Cmdlets.InvokeOdooUnitTestCommand", r.Terminating!.FullyQualifiedErrorId);
            Assert.Contains("test_qty_doubles", File.ReadAllText(dir.Combine("junit.xml")));
            Assert.Contains(r.Verbose, v => v.Contains($"container {_container.Name}"));
            Assert.Contains(r.Verbose, v => v.StartsWith("Dropped database igtest_"));
        }
    }
}
