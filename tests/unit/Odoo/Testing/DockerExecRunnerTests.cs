using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Docker.DotNet;
using Docker.DotNet.Models;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Odoo.Testing;

namespace InfluenceGen.Deploy.Tests.Odoo.Testing
{
    /// <summary>A container of the test image (busybox + fake-odoo + the real logs, built FROM scratch by
    /// tests/setup/30-docker.sh) running on the private Docker engine.</summary>
    public sealed class FakeOdooContainer : IAsyncLifetime
    {
        public string Host { get; } = Environment.GetEnvironmentVariable("DOCKER_TEST_HOST") ?? "";
        public string Image { get; } = Environment.GetEnvironmentVariable("IG_TEST_IMAGE") ?? "";
        public string Name { get; } = "igtest-odoo-" + Guid.NewGuid().ToString("N").Substring(0, 8);
        public string Id { get; private set; } = "";
        private DockerClient? _client;

        public async Task InitializeAsync()
        {
            if (Host.Length == 0 || Image.Length == 0) return;
            _client = new DockerClientBuilder().WithEndpoint(new Uri(Host)).Build();
            CreateContainerResponse c = await _client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = Name,
                Image = Image,
                Cmd = new List<string> { "/bin/sleep", "3600" },
                HostConfig = new HostConfig { NetworkMode = "none", AutoRemove = false },
            });
            Id = c.ID;
            await _client.Containers.StartContainerAsync(Id, new ContainerStartParameters());
        }

        public async Task DisposeAsync()
        {
            if (_client == null || Id.Length == 0) return;
            try { await _client.Containers.RemoveContainerAsync(Id, new ContainerRemoveParameters { Force = true }); } catch (DockerApiException) { }
            _client.Dispose();
        }

        public void RequireEngine() => Assert.True(Host.Length > 0 && Image.Length > 0,
            "DOCKER_TEST_HOST / IG_TEST_IMAGE are not set: run tests/run.sh (tests/setup/30-docker.sh starts the private engine)");
    }

    public class DockerExecRunnerTests : IClassFixture<FakeOdooContainer>
    {
        private readonly FakeOdooContainer _container;
        public DockerExecRunnerTests(FakeOdooContainer container) { _container = container; }

        [Fact]
        public async Task Odoo_runs_in_the_container_with_exec_and_its_failures_come_back()
        {
            _container.RequireEngine();
            using var runner = new DockerExecOdooCommandRunner(new Uri(_container.Host), _container.Name);
            using var dir = new Harness.TempDir();
            var log = new RecordingLog();
            var request = new OdooTestRequest
            {
                Modules = new[] { "ig_error" },
                OdooBin = "/bin/fake-odoo",
                ConfigPath = "/tmp/odoo.conf",
                JUnitPath = dir.Combine("junit.xml"),
                LogPath = dir.Combine("odoo.log"),
            };
            OdooTestRunResult r = await new OdooTestService(runner).RunAsync(request, log, CancellationToken.None);
            Assert.Equal(1, r.ExitCode);
            Assert.Equal((0, 2, 2), (r.Failed, r.Errors, r.Tests));
            Assert.Contains(r.TestCases, t => t.IsFixtureError && t.Class == "TestSetupError");
            Assert.True(r.DatabaseDropped);
            Assert.Contains(log.VerboseMessages, v => v.Contains($"ERROR {r.Database} odoo.tests.suite: ERROR: setUpClass"));
            Assert.Equal(File.ReadAllLines(OdooFixtures.Log("18.0/error_test_level")).Length, File.ReadAllLines(dir.Combine("odoo.log")).Length);
            XDocument junit = XDocument.Load(dir.Combine("junit.xml"));
            Assert.Contains(junit.Descendants("testcase"), c => (string?)c.Attribute("name") == "setUpClass" && c.Element("error") != null);

            // What ran in the container: the test command, then the drop.
            var argv = new List<string>();
            Assert.Equal(0, await runner.RunAsync(new[] { "cat", "/tmp/argv" }, argv.Add, CancellationToken.None));
            string[] last = argv.TakeLast(2).ToArray();
            Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape($"-c /tmp/odoo.conf -d {r.Database} -i ig_error --test-enable --stop-after-init --test-tags=/ig_error --http-port=") + "[2-6][0-9]{4}$", last[0]);
            Assert.Equal($"db -c /tmp/odoo.conf drop {r.Database}", last[1]);
        }

        [Fact]
        public async Task Stdout_and_stderr_lines_and_the_exit_code_of_an_exec_come_back()
        {
            _container.RequireEngine();
            using var runner = new DockerExecOdooCommandRunner(new Uri(_container.Host), _container.Id);
            var lines = new List<string>();
            int code = await runner.RunAsync(new[] { "/bin/sh", "-c", "echo out; echo err >&2; printf 'no newline'; exit 7" }, lines.Add, CancellationToken.None);
            Assert.Equal(7, code);
            Assert.Equal(new[] { "err", "no newline", "out" }, lines.OrderBy(l => l, StringComparer.Ordinal));
        }

        [Fact]
        public async Task Odoo_that_hangs_in_the_container_is_stopped_at_the_timeout()
        {
            _container.RequireEngine();
            using var runner = new DockerExecOdooCommandRunner(new Uri(_container.Host), _container.Name);
            var request = new OdooTestRequest { Modules = new[] { "ig_hang" }, OdooBin = "/bin/fake-odoo", Timeout = TimeSpan.FromSeconds(2) };
            var watch = System.Diagnostics.Stopwatch.StartNew();
            OdooTestRunResult r = await new OdooTestService(runner).RunAsync(request, NullDeployLog.Instance, CancellationToken.None);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), watch.Elapsed.ToString());
            Assert.True(r.TimedOut);
            Assert.Contains(r.Problems, p => p.Kind == OdooTestProblemKind.Timeout);
            // The hanging process was killed (the engine runs on this machine).
            var ps = new List<string>();
            await runner.RunAsync(new[] { "/bin/sh", "-c", "ps | grep -c '[s]leep 600' || true" }, ps.Add, CancellationToken.None);
            Assert.Equal("0", ps.Last().Trim());
        }

        [Fact]
        public async Task A_missing_container_is_a_clear_error()
        {
            _container.RequireEngine();
            using var runner = new DockerExecOdooCommandRunner(new Uri(_container.Host), "no-such-container-igtest");
            var request = new OdooTestRequest { Modules = new[] { "ig_pass" }, OdooBin = "/bin/fake-odoo" };
            var ex = await Assert.ThrowsAsync<DeployException>(() => new OdooTestService(runner).RunAsync(request, NullDeployLog.Instance, CancellationToken.None));
            Assert.Equal("OdooTestRunnerFailed", ex.ErrorId);
            Assert.Contains("no-such-container-igtest", ex.Message);
        }
    }
}
