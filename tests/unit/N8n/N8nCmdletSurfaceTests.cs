using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.N8n
{
    /// <summary>What a user of the shell relies on: exported cmdlets, help with examples, table views.</summary>
    public class N8nCmdletSurfaceTests
    {
        [Theory]
        [InlineData("New-N8nWorkflowPackage", "New-N8nWorkflowPackage -Path n8n-workflows -OutFile n8n_workflows.zip")]
        [InlineData("Publish-N8nWorkflow", "Publish-N8nWorkflow -Path n8n_workflows.zip -Environment staging -Prune")]
        public void Help_shows_real_examples(string cmdlet, string example)
        {
            HostProcess.Result r = HostProcess.Run(Repo.Root, null, "-NoProfile", "-c", $"Get-Help {cmdlet} -Examples");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("Example 1", r.StdOut);
            Assert.Contains("Example 2", r.StdOut);
            Assert.Contains(example, r.StdOut);
        }

        [Fact]
        public void Package_and_its_workflows_have_table_views()
        {
            string zip = Path.Combine(Path.GetTempPath(), "n8n-" + Guid.NewGuid().ToString("N") + ".zip");
            try
            {
                HostProcess.Result r = HostProcess.Run(Repo.Root, null, "-NoProfile", "-c",
                    $"New-N8nWorkflowPackage samples/workflows -OutFile '{zip}'");
                Assert.Equal(0, r.ExitCode);
                Assert.Matches(@"File\s+Workflows\s+Files\s+Size\s+Sha256", r.StdOut);
                r = HostProcess.Run(Repo.Root, null, "-NoProfile", "-c", $"(New-N8nWorkflowPackage samples/workflows -OutFile '{zip}').Workflows");
                Assert.Matches(@"Name\s+Active\s+Nodes\s+Tags\s*\n", r.StdOut); // fits a job log's 80 columns
                Assert.Matches(@"IG - Daily campaign report to Slack\s+True\s+4\s+campaigns, reporting", r.StdOut);
            }
            finally { File.Delete(zip); }
        }

        [Fact]
        public void A_broken_workflow_fails_the_job_line_with_exit_code_1()
        {
            using var dir = new TempDir("n8njob");
            dir.Write("wf/bad.json", "{ \"name\": \"Bad\", \"nodes\": [], \"connections\": { \"Ghost\": {} } }");
            HostProcess.Result r = HostProcess.Run(dir.Path, null, "-NoProfile", "-c", "New-N8nWorkflowPackage -Path wf -OutFile n8n.zip");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("bad.json:1:", r.StdOut + r.StdErr);
            Assert.Contains("'Ghost', which is not a node of the workflow", r.StdOut + r.StdErr);
            Assert.False(File.Exists(dir.Combine("n8n.zip")));
        }

        [Fact]
        public void Without_a_server_or_environment_the_error_says_what_to_give()
        {
            HostProcess.Result r = HostProcess.Run(Repo.Root, null, "-NoProfile", "-c", "Publish-N8nWorkflow -Path samples/workflows");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("Give -BaseUri and -ApiKey, or -Environment", r.StdOut + r.StdErr);
        }
    }
}
