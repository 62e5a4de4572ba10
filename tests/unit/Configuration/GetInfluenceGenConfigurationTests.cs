using System.Management.Automation;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Configuration
{
    /// <summary>The cmdlet reads process variables: each test uses an environment name of its own
    /// (from its own environments file) so the variables it sets cannot meet another test's.</summary>
    [Trait("Category", "Fast")]
    public class GetInfluenceGenConfigurationTests
    {
        [Fact]
        public void ShowsValuesAndSourcesWithSecretsMasked()
        {
            using var tmp = new TempDir();
            string env = "cfg" + Guid.NewGuid().ToString("N").Substring(0, 8);
            string prefix = env.ToUpperInvariant();
            tmp.Write("environments.json", $"{{\n  \"environments\": {{\n    \"{env}\": {{\n      \"OdooSshHost\": \"odoo.{env}.internal\"\n    }}\n  }}\n}}\n");
            using var ps = new PowerShellSession(tmp.Path);
            string secret = "n8n-key-" + Guid.NewGuid().ToString("N");
            PsResult r = ps.Invoke($"$env:{prefix}_N8N_API_KEY = '{secret}'; $env:{prefix}_ODOO_DATABASE = 'igdb'; Get-InfluenceGenConfiguration -Environment {env} -SetOnly; [Environment]::SetEnvironmentVariable('{prefix}_N8N_API_KEY', $null); [Environment]::SetEnvironmentVariable('{prefix}_ODOO_DATABASE', $null)");
            Assert.Null(r.Terminating);
            var entries = r.Output.ToDictionary(o => (string)o.Properties["Name"].Value);
            Assert.Equal("InfluenceGen.Deploy.Configuration.ConfigurationEntry", r.Output[0].TypeNames[0]);
            Assert.Equal($"odoo.{env}.internal", entries["OdooSshHost"].Properties["Value"].Value);
            Assert.Equal("file environments.json:4", entries["OdooSshHost"].Properties["Source"].Value);
            Assert.Equal("***", entries["N8nApiKey"].Properties["Value"].Value);
            Assert.Equal($"variable {prefix}_N8N_API_KEY", entries["N8nApiKey"].Properties["Source"].Value);
            Assert.Equal("igdb", entries["OdooDatabase"].Properties["Value"].Value);
            Assert.False(entries.ContainsKey("OdooUrl")); // -SetOnly
            Assert.DoesNotContain(secret, r.AllText());
        }

        [Fact]
        public void WithoutEnvironmentItShowsEveryKnownEnvironment()
        {
            using var tmp = new TempDir();
            tmp.Write("environments.json", "{\"environments\": {\"uat\": {\"OdooSshHost\": \"uat\"}}}");
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("Get-InfluenceGenConfiguration -Name OdooSshHost");
            Assert.Equal(new[] { "dev", "staging", "production", "local", "uat" }, r.Output.Select(o => (string)o.Properties["Environment"].Value));
        }

        [Fact]
        public void AnUnknownEnvironmentIsANonTerminatingErrorWithAStableIdAndTheOthersAreShown()
        {
            using var tmp = new TempDir();
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("Get-InfluenceGenConfiguration -Environment prodution, dev");
            Assert.Null(r.Terminating);
            ErrorRecord error = Assert.Single(r.Errors);
            Assert.Equal("UnknownEnvironment,InfluenceGen.Deploy.Cmdlets.GetInfluenceGenConfigurationCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Contains("dev, staging, production, local", error.Exception.Message);
            Assert.NotEmpty(r.Output);
        }

        [Fact]
        public void AToggleThatIsNotTrueOrFalseNamesTheFileAndLine()
        {
            using var tmp = new TempDir();
            tmp.Write("envs/ig.json", "{\n  \"global\": {\n    \"EnableSlackNotifications\": \"sometimes\"\n  }\n}");
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("Get-InfluenceGenConfiguration -Environment dev -ConfigurationPath envs/ig.json");
            Assert.Equal("InvalidConfigurationValue", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains(tmp.Combine("envs", "ig.json") + ":3", r.Terminating.Exception.Message);
        }

        [Fact]
        public void EnvironmentCompletesFromBuiltInsAndTheFile()
        {
            using var tmp = new TempDir();
            tmp.Write("environments.json", "{\"environments\": {\"preprod\": {}}}");
            using var ps = new PowerShellSession(tmp.Path);
            const string line = "Get-InfluenceGenConfiguration -Environment pr";
            PsResult r = ps.Invoke($"(TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches.CompletionText");
            Assert.Equal(new[] { "production", "preprod" }, r.Output.Select(o => o.ToString()));
        }
    }
}
