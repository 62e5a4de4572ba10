using System.Threading;
using System.Threading.Tasks;
using System.Diagnostics;
using System.Xml.Linq;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Odoo.Testing;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Odoo.Testing
{
    /// <summary>A log that records what a service told the user.</summary>

    /// <summary>The service with the local runner and the stand-in odoo (fake-odoo.sh replays real logs
    /// with their recorded exit codes).</summary>
    [Trait("Category", "Fast")]
    public class OdooTestRunnerTests
    {
        private static OdooTestRequest Request(TempDir dir, string module, string? fakeLog = null) 
        {
            string conf = dir.Write("odoo.conf", $"fake_fixtures = {OdooFixtures.Dir}\n" + (fakeLog != null ? $"fake_log = {fakeLog}\n" : ""));
            return new OdooTestRequest
            {
                Modules = module.Split(','),
                OdooBin = OdooFixtures.FakeOdoo,
                ConfigPath = conf,
                LogPath = dir.Combine("reports", "odoo.log"),
                JUnitPath = dir.Combine("reports", "junit.xml"),
                Timeout = TimeSpan.FromSeconds(60),
            };
        }

        [Fact]
        public async Task A_failing_module_gives_the_failures_a_JUnit_file_the_log_and_a_dropped_database()
        {
            using var dir = new TempDir();
            var log = new RecordingLog();
            OdooTestRunResult r = await new OdooTestService(new LocalOdooCommandRunner()).RunAsync(Request(dir, "ig_fail"), log, CancellationToken.None);

            Assert.Equal(1, r.ExitCode);
            Assert.Equal((2, 0, 3), (r.Failed, r.Errors, r.Tests));
            Assert.False(r.Success);
            Assert.Matches("^igtest_[0-9a-f]{10}$", r.Database);
            string[] argv = File.ReadAllLines(dir.Combine("argv"));
            // a free HTTP port of its own (Odoo 17/18's --http-port), never the configuration's http_port of the running Odoo
            var m = System.Text.RegularExpressions.Regex.Match(argv[0], "^" + System.Text.RegularExpressions.Regex.Escape($"-c {dir.Combine("odoo.conf")} -d {r.Database} -i ig_fail --test-enable --stop-after-init --test-tags=/ig_fail --http-port=") + "([0-9]+)$");
            Assert.True(m.Success, argv[0]);
            int port = int.Parse(m.Groups[1].Value);
            Assert.InRange(port, 1024, 65535);
            using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port)) { l.Start(); l.Stop(); }   // it is free again
            Assert.Equal($"db -c {dir.Combine("odoo.conf")} drop {r.Database}", argv[1]);
            Assert.Equal(r.Database, File.ReadAllText(dir.Combine("dropped")).Trim());
            Assert.True(r.DatabaseDropped);

            // The log artifact is what Odoo wrote (here: the replayed real log, with our database name).
            string kept = File.ReadAllText(dir.Combine("reports", "odoo.log"));
            Assert.Contains($"ERROR {r.Database} odoo.addons.ig_fail.tests.test_thing: FAIL: TestThing.test_qty_doubles", kept);
            Assert.Equal(File.ReadAllLines(OdooFixtures.Log("fail_test_level")).Length, File.ReadAllLines(dir.Combine("reports", "odoo.log")).Length);
            // Streamed: every line went to verbose, progress per module and test, failures as warnings.
            Assert.Contains(log.VerboseMessages, v => v.Contains("Starting TestThing.test_default_qty"));
            Assert.Contains("loading ig_fail", log.ProgressRecords.Select(p => p.Status));
            Assert.Contains("ig_fail: TestThing.test_qty_doubles", log.ProgressRecords.Select(p => p.Status));
            Assert.Contains(log.Warnings, w => w.StartsWith("FAILED: ig_fail TestThing.test_qty_doubles: AssertionError: 4 != 5"));

            XDocument junit = XDocument.Load(dir.Combine("reports", "junit.xml"));
            XElement failed = junit.Descendants("testcase").Single(c => (string?)c.Attribute("name") == "test_qty_doubles");
            Assert.Equal("odoo.addons.ig_fail.tests.test_thing.TestThing", (string?)failed.Attribute("classname"));
            Assert.Contains("line 11, in test_qty_doubles", failed.Element("failure")!.Value);
            Assert.Empty(Directory.GetFiles(dir.Combine("reports"), "*.tmp-*"));
            OdooFixtures.ValidateJUnit(junit.ToString());

            DeployException failure = OdooTestService.ToFailure(r);
            Assert.Equal("OdooTestsFailed", failure.ErrorId);
            Assert.Contains("FAILED odoo.addons.ig_fail.tests.test_thing.TestThing.test_qty_doubles: AssertionError: 4 != 5 : qty should double to 5", failure.Message);
        }

        [Fact]
        public async Task A_passing_module_is_green_and_tags_and_log_level_reach_Odoo()
        {
            using var dir = new TempDir();
            OdooTestRequest request = Request(dir, "ig_pass");
            request.TestTags = "/ig_pass";
            request.LogLevel = "test";
            OdooTestRunResult r = await new OdooTestService(new LocalOdooCommandRunner()).RunAsync(request, NullDeployLog.Instance, CancellationToken.None);
            Assert.True(r.Success, string.Join("; ", r.Problems.Select(p => p.Message)));
            Assert.Equal((0, 0, 3, 3), (r.Failed, r.Errors, r.Tests, r.Passed));
            Assert.Matches("--test-tags=/ig_pass --http-port=[0-9]+ --log-level=test", File.ReadAllLines(dir.Combine("argv"))[0]);
        }

        [Theory]
        [InlineData("--http-port=18123")]
        [InlineData("-p", "18123")]
        public async Task A_caller_chosen_http_port_is_the_only_one(params string[] extra)
        {
            using var dir = new TempDir();
            OdooTestRequest request = Request(dir, "ig_pass");
            request.ExtraArguments = extra;
            OdooTestRunResult r = await new OdooTestService(new LocalOdooCommandRunner()).RunAsync(request, NullDeployLog.Instance, CancellationToken.None);
            Assert.True(r.Success, string.Join("; ", r.Problems.Select(p => p.Message)));
            string argv = File.ReadAllLines(dir.Combine("argv"))[0];
            Assert.EndsWith(string.Join(" ", extra), argv);
            Assert.DoesNotContain("--http-port=", argv.Replace("--http-port=18123", ""));
        }

        [Fact]
        public async Task A_module_that_runs_no_test_is_red_although_Odoo_exits_0()
        {
            using var dir = new TempDir();
            // Odoo installs ig_other and ig_pass; only ig_pass has tests (the real pass log).
            OdooTestRunResult r = await new OdooTestService(new LocalOdooCommandRunner()).RunAsync(Request(dir, "ig_other,ig_pass", "pass_default"), NullDeployLog.Instance, CancellationToken.None);
            Assert.Equal(0, r.ExitCode);
            Assert.False(r.Success);
            OdooTestProblem p = Assert.Single(r.Problems);
            Assert.Equal((OdooTestProblemKind.NoTestsRun, "ig_other"), (p.Kind, p.Module));
            Assert.Equal("OdooTestNoTestsRun", OdooTestService.ToFailure(r).ErrorId);
            Assert.Contains("NoTestsRun ig_other", File.ReadAllText(dir.Combine("reports", "junit.xml")));
        }

        [Fact]
        public async Task A_module_that_fails_to_load_exits_255_and_is_red()
        {
            using var dir = new TempDir();
            OdooTestRunResult r = await new OdooTestService(new LocalOdooCommandRunner()).RunAsync(Request(dir, "ig_pass", "18.0/upgrade_fail"), NullDeployLog.Instance, CancellationToken.None);
            Assert.Equal(255, r.ExitCode);
            Assert.Equal(OdooTestProblemKind.ModuleLoadFailed, r.Problems.First().Kind);
            Assert.Equal("OdooTestModuleLoadFailed", OdooTestService.ToFailure(r).ErrorId);
        }

        [Fact]
        public async Task Odoo_that_hangs_is_stopped_at_the_timeout_and_the_JUnit_file_says_so()
        {
            using var dir = new TempDir();
            OdooTestRequest request = Request(dir, "ig_hang");
            request.Timeout = TimeSpan.FromSeconds(2);
            var watch = Stopwatch.StartNew();
            OdooTestRunResult r = await new OdooTestService(new LocalOdooCommandRunner()).RunAsync(request, NullDeployLog.Instance, CancellationToken.None);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), watch.Elapsed.ToString());
            Assert.True(r.TimedOut);
            Assert.Null(r.ExitCode);
            Assert.Contains(r.Problems, p => p.Kind == OdooTestProblemKind.Timeout);
            Assert.Contains("OdooTestTimeout", File.ReadAllText(dir.Combine("reports", "junit.xml")));
            Assert.True(File.ReadAllLines(dir.Combine("reports", "odoo.log")).Length >= 12);
            Assert.True(r.DatabaseDropped);
        }

        [Fact]
        public async Task KeepDatabase_keeps_it_and_a_custom_drop_command_is_used()
        {
            using var dir = new TempDir();
            OdooTestRequest keep = Request(dir, "ig_pass");
            keep.KeepDatabase = true;
            OdooTestRunResult r = await new OdooTestService(new LocalOdooCommandRunner()).RunAsync(keep, NullDeployLog.Instance, CancellationToken.None);
            Assert.False(File.Exists(dir.Combine("dropped")));
            Assert.False(r.DatabaseDropped);

            OdooTestRequest custom = Request(dir, "ig_pass");
            custom.DropCommand = new[] { "/bin/sh", "-c", "echo \"$0\" > " + dir.Combine("custom-drop"), "{database}" };
            r = await new OdooTestService(new LocalOdooCommandRunner()).RunAsync(custom, NullDeployLog.Instance, CancellationToken.None);
            Assert.Equal(r.Database, File.ReadAllText(dir.Combine("custom-drop")).Trim());
            Assert.True(r.DatabaseDropped);
        }

        [Fact]
        public async Task An_odoo_that_cannot_be_started_is_a_clear_error()
        {
            using var dir = new TempDir();
            OdooTestRequest request = Request(dir, "ig_pass");
            request.OdooBin = dir.Combine("no-such-odoo-bin");
            var ex = await Assert.ThrowsAsync<DeployException>(() => new OdooTestService(new LocalOdooCommandRunner()).RunAsync(request, NullDeployLog.Instance, CancellationToken.None));
            Assert.Equal("OdooTestRunnerFailed", ex.ErrorId);
            Assert.Contains("no-such-odoo-bin", ex.Message);
        }

        [Theory]
        [InlineData("ig pass")]
        [InlineData("ig_pass;rm -rf /")]
        public async Task A_bad_module_name_is_refused_before_anything_runs(string module)
        {
            using var dir = new TempDir();
            OdooTestRequest request = Request(dir, "ig_pass");
            request.Modules = new[] { module };
            var ex = await Assert.ThrowsAsync<DeployException>(() => new OdooTestService(new LocalOdooCommandRunner()).RunAsync(request, NullDeployLog.Instance, CancellationToken.None));
            Assert.Equal("OdooTestBadModuleName", ex.ErrorId);
            Assert.False(File.Exists(dir.Combine("argv")));
        }

        [Theory]
        [InlineData("plain")]
        [InlineData("it's")]
        [InlineData("$(touch /tmp/igtest-injected) `id` ; | & * ?")]
        [InlineData("")]
        public async Task PosixShell_quoting_passes_any_argument_unchanged_through_a_shell(string arg)
        {
            var lines = new List<string>();
            string command = PosixShell.Join(new[] { "printf", "%s\\n", arg });
            int code = await new LocalOdooCommandRunner().RunAsync(new[] { "/bin/sh", "-c", command }, lines.Add, CancellationToken.None);
            Assert.Equal(0, code);
            Assert.Equal(arg, Assert.Single(lines));
            Assert.False(File.Exists("/tmp/igtest-injected"));
        }

        [Theory]
        [InlineData("plain")]
        [InlineData("with space")]
        [InlineData("quote\"inside")]
        [InlineData("back\\slash\\")]
        [InlineData("")]
        public async Task Arguments_reach_the_child_unchanged(string arg)
        {
            var lines = new List<string>();
            int code = await new LocalOdooCommandRunner().RunAsync(new[] { "/bin/sh", "-c", "printf '%s\\n' \"$1\"", "sh", arg }, lines.Add, CancellationToken.None);
            Assert.Equal(0, code);
            Assert.Equal(arg, Assert.Single(lines));
        }
    }
}
