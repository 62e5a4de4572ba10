using System.Management.Automation.Language;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Cmdlets
{
    [Trait("Category", "Fast")]
    public class QualityHelpTests
    {
        [Theory]
        [InlineData("Invoke-OdooUnitTest")]
        [InlineData("ConvertFrom-OdooTestLog")]
        [InlineData("Invoke-OdooLint")]
        public void Help_shows_at_least_two_examples(string cmdlet)
        {
            using var ps = new PowerShellSession();
            PsResult r = ps.Invoke($"(Get-Help {cmdlet} -Examples).examples.example.Count; (Get-Help {cmdlet}).Synopsis", verbose: false);
            Assert.True(Convert.ToInt32(r.Output[0].BaseObject) >= 2, $"{cmdlet}: {r.Output[0]}");
            Assert.False(string.IsNullOrWhiteSpace(r.Output[1]?.ToString()));
        }
    }
}
