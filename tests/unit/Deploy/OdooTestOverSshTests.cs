using System.Xml.Linq;
using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Tests.Odoo.Testing;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>
    /// Invoke-OdooUnitTest -Environment: Odoo's tests run on a deploy target through the deploy's SSH
    /// transport (the real sshd of tests/setup/20-sshd.sh, host key pinned), with the stand-in odoo that
    /// replays a real Odoo 17 log; the JUnit file is written here, the throw-away database dropped there.
    /// </summary>
    public class OdooTestOverSshTests
    {
        [Fact]
        public void A_failing_module_on_the_target_fails_the_run_and_leaves_a_JUnit_file_here()
        {
            string id = Guid.NewGuid().ToString("N").Substring(0, 10);
            string env = "ssh" + id;
            string dir = Path.Combine(TestServers.SshHome, "odoo-test-" + id);
            Directory.CreateDirectory(Path.Combine(dir, "fixtures"));
            File.Copy(OdooFixtures.FakeOdoo, Path.Combine(dir, "fake-odoo.sh"));
            // The fixtures the stand-in replays, inside the SSH user's home (the checkout may not be readable to it).
            foreach (string f in new[] { "fail_test_level.log", "fail_test_level.cmd" })
                File.Copy(Path.Combine(OdooFixtures.Dir, f), Path.Combine(dir, "fixtures", f));
            File.WriteAllText(Path.Combine(dir, "odoo.conf"), $"fake_fixtures = {dir}/fixtures\n");
            Assert.Equal(0, TestServers.Sh($"chmod 755 {dir}/fake-odoo.sh && chown -R {TestServers.SshUser} {dir}").code);

            using var tmp = new TempDir();
            string config = tmp.Write("environments.json", $$"""
            {
              "environments": {
                "{{env}}": {
                  "OdooSshHost": "{{TestServers.SshHost}}", "OdooSshPort": {{TestServers.SshPort}}, "OdooSshUser": "{{TestServers.SshUser}}",
                  "OdooSshHostKey": "{{TestServers.Fingerprint}}"
                }
              }
            }
            """);
            string keyVariable = env.ToUpperInvariant() + "_ODOO_SERVER_SSH_PRIVATE_KEY";
            string key = File.ReadAllText(TestServers.SshKey);
            Environment.SetEnvironmentVariable(keyVariable, key);
            try
            {
                using var ps = new PowerShellSession(tmp.Path);
                PsResult r = ps.Invoke($"Invoke-OdooUnitTest -Module ig_fail -Environment {env} -ConfigurationPath environments.json " +
                                       $"-OdooBin {dir}/fake-odoo.sh -ConfigPath {dir}/odoo.conf -JUnitPath junit.xml -LogPath odoo.log");
                // Red tests are a non-terminating error after the results (pwsh -c exits 1; -ErrorAction decides).
                Assert.Null(r.Terminating);
                System.Management.Automation.ErrorRecord red = Assert.Single(r.Errors);
                Assert.Equal("OdooTestsFailed", red.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Contains("2 failed", red.Exception.Message);

                XDocument junit = XDocument.Load(tmp.Combine("junit.xml"));
                var failed = junit.Descendants("testcase").Where(c => c.Element("failure") != null).ToList();
                Assert.Equal(2, failed.Count);   // Odoo's own count: 2 failed, 0 error(s) of 3 tests
                XElement qty = Assert.Single(failed, c => (string?)c.Attribute("name") == "test_qty_doubles");
                Assert.Contains("Traceback", qty.Element("failure")!.Value);
                Assert.True(new FileInfo(tmp.Combine("odoo.log")).Length > 1000);

                // What ran on the target: the test command, then the drop of its throw-away database.
                string[] argv = File.ReadAllLines(Path.Combine(dir, "argv"));
                Assert.Matches(@"-d igtest_[0-9a-f]+ -i ig_fail --test-enable --stop-after-init --test-tags=/ig_fail --http-port=[2-6][0-9]{4}$", argv[0]);
                string database = System.Text.RegularExpressions.Regex.Match(argv[0], @"igtest_[0-9a-f]+").Value;
                Assert.Equal(database, File.ReadAllText(Path.Combine(dir, "dropped")).Trim());
                Assert.DoesNotContain(key.Trim().Split('\n')[1], r.AllText());
            }
            finally
            {
                Environment.SetEnvironmentVariable(keyVariable, null);
                TestServers.Sh($"rm -rf {dir}");
            }
        }
    }
}
