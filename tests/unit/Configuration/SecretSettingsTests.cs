using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Configuration
{
    /// <summary>Every secret setting the module knows, set as CI sets it, never shows in any stream of
    /// Get-InfluenceGenConfiguration (all environments, verbose on), and is refused in the environments file.</summary>
    [Trait("Category", "Fast")]
    public class SecretSettingsTests
    {
        [Fact]
        public void NoSecretSettingEverShows()
        {
            var secrets = new Dictionary<string, string>();
            foreach (SettingDefinition def in SettingCatalog.All.Where(d => d.IsSecret))
            {
                foreach (string prefix in def.PerEnvironment ? new[] { "DEV", "STAGING", "PROD", "LOCAL" } : new[] { "" })
                {
                    string variable = def.VariableFor(prefix);
                    string value = def.Kind == SettingKind.SecretUrl
                        ? $"https://hooks.slack.com/services/T0/B0/{Guid.NewGuid():N}"
                        : $"s3cr3t-{def.Name}-{Guid.NewGuid():N}";
                    secrets[variable] = value;
                }
            }
            Assert.True(secrets.Count >= 10, "the catalog lists fewer secrets than expected");
            // A child pwsh with the secrets in its environment, as a CI job has them: the default
            // table, the verbose stream and every entry's Source=Value.
            using var tmp = new TempDir();
            var r = HostProcess.Run(tmp.Path, secrets, "-NoProfile", "-c",
                "Get-InfluenceGenConfiguration -Verbose; Get-InfluenceGenConfiguration | ForEach-Object { 'entry ' + $_.Source + '=' + $_.Value }");
            Assert.True(r.ExitCode == 0, r.StdErr);
            string all = r.StdOut + r.StdErr;
            foreach (var pair in secrets)
            {
                Assert.DoesNotContain(pair.Value, all);
                Assert.DoesNotContain(pair.Value.Split('/').Last(), all);
                Assert.Contains($"entry variable {pair.Key}=***", all);
            }
        }

        [Fact]
        public void EverySecretSettingIsRefusedInTheEnvironmentsFile()
        {
            using var tmp = new TempDir();
            var resolver = new ConfigurationResolver(new Dictionary<string, string>(), new InfluenceGen.Deploy.Infrastructure.SecretMasker());
            foreach (SettingDefinition def in SettingCatalog.All.Where(d => d.IsSecret))
            {
                string file = tmp.Write(def.Name + ".json", $"{{\n  \"environments\": {{\n    \"dev\": {{\n      \"{def.Name}\": \"value-in-the-repo\"\n    }}\n  }}\n}}\n");
                var ex = Assert.Throws<InfluenceGen.Deploy.Infrastructure.DeployException>(() => resolver.Resolve("dev", file));
                Assert.Contains(file + ":4:", ex.Message);
                Assert.Contains("is a secret", ex.Message);
                Assert.DoesNotContain("value-in-the-repo", ex.Message);
            }
        }
    }
}
