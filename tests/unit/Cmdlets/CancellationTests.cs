using System.Management.Automation;
using System.Management.Automation.Runspaces;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Cmdlets
{
    /// <summary>Ctrl+C (PowerShell.Stop → StopProcessing) cancels the service and leaves nothing half-written.</summary>
    [Trait("Category", "Fast")]
    public class CancellationTests
    {
        [Fact]
        public void StoppingAPackageRunLeavesNoZipAndNoTemporaryFile()
        {
            using var tmp = new TempDir();
            // A tree large enough that writing takes a while: 400 files of 256 KiB of text.
            var rng = new Random(7);
            AddonTree.Addon(tmp.Combine("src"), "ig_big");
            Directory.CreateDirectory(tmp.Combine("src", "ig_big", "data"));
            for (int i = 0; i < 400; i++)
            {
                var sb = new System.Text.StringBuilder();
                while (sb.Length < 256 * 1024) sb.Append("partner ").Append(rng.Next()).Append(" campaign line\n");
                File.WriteAllText(tmp.Combine("src", "ig_big", "data", $"f{i:D3}.xml"), sb.ToString());
            }

            InitialSessionState iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(new[] { Repo.ModuleFolder });
            using Runspace runspace = RunspaceFactory.CreateRunspace(iss);
            runspace.Open();
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript($"$ProgressPreference = 'Continue'; New-OdooAddonPackage -Path '{tmp.Combine("src")}' -OutFile '{tmp.Combine("big.zip")}'");
            var progressSeen = new ManualResetEventSlim();
            ps.Streams.Progress.DataAdded += (_, _) => progressSeen.Set();
            IAsyncResult running = ps.BeginInvoke();
            Assert.True(progressSeen.Wait(TimeSpan.FromSeconds(60)), "no progress was reported");
            ps.Stop();
            Assert.ThrowsAny<PipelineStoppedException>(() => ps.EndInvoke(running));
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.False(File.Exists(tmp.Combine("big.zip")));
            Assert.Empty(Directory.GetFiles(tmp.Path));
        }
    }
}
