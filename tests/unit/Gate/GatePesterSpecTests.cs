using System.Management.Automation.Language;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Gate
{
    /// <summary>There is no pwsh/Pester here: the gate's Pester specs are at least valid PowerShell
    /// with a Describe block for their cmdlet.</summary>
    public sealed class GatePesterSpecTests
    {
        [Theory]
        [InlineData("Test-ChangeApproval")]
        [InlineData("Wait-ChangeApproval")]
        [InlineData("Complete-ChangeRequest")]
        [InlineData("Send-SlackNotice")]
        public void Spec_parses_and_describes_the_cmdlet(string cmdlet)
        {
            string path = Path.Combine(Repo.Root, "tests", "pester", cmdlet + ".Tests.ps1");
            Parser.ParseFile(path, out Token[] _, out ParseError[] errors);
            Assert.Empty(errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}"));
            Assert.Contains($"Describe '{cmdlet}'", File.ReadAllText(path));
        }
    }
}
