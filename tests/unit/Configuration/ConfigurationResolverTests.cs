using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Configuration
{
    [Trait("Category", "Fast")]
    public class ConfigurationResolverTests
    {
        private const string File1 = @"{
  ""global"": {
    ""JiraBaseUrl"": ""https://influencegen.atlassian.net"",
    ""ChangeManagementProjectKey"": ""CHG""
  },
  ""environments"": {
    ""staging"": {
      ""OdooSshHost"": ""staging.odoo.internal"",
      ""OdooSshPort"": 2222,
      ""BackupBeforeUpgrade"": false
    },
    ""qa"": {
      ""OdooSshHost"": ""qa.odoo.internal""
    }
  }
}";

        private static ConfigurationResolver Resolver(Dictionary<string, string> vars, SecretMasker? masker = null) => new(vars, masker ?? new SecretMasker());

        [Fact]
        public void ParameterBeatsVariableBeatsFileBeatsDefault()
        {
            using var tmp = new TempDir();
            string file = tmp.Write("environments.json", File1);
            var vars = new Dictionary<string, string> { ["STAGING_ODOO_SERVER_SSH_HOST"] = "from-variable", ["STAGING_ODOO_DATABASE"] = "igdb" };
            DeployConfiguration c = Resolver(vars).Resolve("staging", file, new Dictionary<string, object?> { ["OdooDatabase"] = "from-parameter" });
            Assert.Equal("from-parameter", c.Get("OdooDatabase"));
            Assert.Equal("from-variable", c.Get("OdooSshHost"));
            Assert.Equal("2222", c.Get("OdooSshPort"));
            Assert.Equal("https://influencegen.atlassian.net", c.Get("JiraBaseUrl"));
            Assert.Equal("deploy", c.Get("OdooSshUser"));
            Assert.False(c.Toggle("BackupBeforeUpgrade"));
            ConfigurationEntry port = c.Entries.Single(e => e.Name == "OdooSshPort");
            Assert.Equal("file environments.json:9", port.Source);
            Assert.Equal("variable STAGING_ODOO_SERVER_SSH_HOST", c.Entries.Single(e => e.Name == "OdooSshHost").Source);
            Assert.Equal("parameter", c.Entries.Single(e => e.Name == "OdooDatabase").Source);
            Assert.Equal("default", c.Entries.Single(e => e.Name == "OdooSshUser").Source);
        }

        [Fact]
        public void ProductionUsesThePROD_PrefixAndGatesByDefault()
        {
            var vars = new Dictionary<string, string> { ["PROD_N8N_API_URL"] = "https://n8n.influencegen.example" };
            DeployConfiguration c = Resolver(vars).Resolve("production", null);
            Assert.Equal("https://n8n.influencegen.example", c.Get("N8nApiUrl"));
            Assert.True(c.Toggle("RequireChangeApproval"));
            Assert.True(c.Toggle("BackupBeforeUpgrade"));
            Assert.False(Resolver(new()).Resolve("dev", null).Toggle("RequireChangeApproval"));
        }

        [Fact]
        public void SecretsAreMaskedInEntriesAndRegisteredWithTheMasker()
        {
            var masker = new SecretMasker();
            var vars = new Dictionary<string, string>
            {
                ["PROD_N8N_API_KEY"] = "n8n_api_0123456789abcdef",
                ["SLACK_WEBHOOK_URL_CRITICAL"] = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX",
            };
            DeployConfiguration c = Resolver(vars, masker).Resolve("production", null);
            Assert.Equal("n8n_api_0123456789abcdef", c.Get("N8nApiKey"));
            Assert.Equal(SecretMasker.Mask, c.Entries.Single(e => e.Name == "N8nApiKey").Value);
            Assert.Equal(SecretMasker.Mask, c.Entries.Single(e => e.Name == "SlackWebhookUrlCritical").Value);
            Assert.Equal("key *** failed", masker.Apply("key n8n_api_0123456789abcdef failed"));
        }

        [Theory]
        [InlineData("ENABLE_SLACK_NOTIFICATIONS", "yes", "variable ENABLE_SLACK_NOTIFICATIONS: 'yes' is not true or false")]
        [InlineData("STAGING_ODOO_URL", "odoo.example", "variable STAGING_ODOO_URL: 'odoo.example' is not an absolute http(s) URL")]
        [InlineData("STAGING_ODOO_SERVER_SSH_PORT", "22x", "variable STAGING_ODOO_SERVER_SSH_PORT: '22x' is not a whole number")]
        [InlineData("JIRA_BASE_URL", "ftp://jira", "variable JIRA_BASE_URL: 'ftp://jira' is not an absolute http(s) URL")]
        public void BadVariablesAreErrorsNamingTheVariable(string variable, string value, string expected)
        {
            var ex = Assert.Throws<DeployException>(() => Resolver(new() { [variable] = value }).Resolve("staging", null));
            Assert.Equal("InvalidConfigurationValue", ex.ErrorId);
            Assert.Equal(expected, ex.Message);
        }

        [Fact]
        public void ABadSecretUrlIsNamedButNotShown()
        {
            var ex = Assert.Throws<DeployException>(() => Resolver(new() { ["SLACK_WEBHOOK_URL_INFO"] = "not-a-url-but-secret-123" }).Resolve("dev", null));
            Assert.Contains("SLACK_WEBHOOK_URL_INFO", ex.Message);
            Assert.DoesNotContain("not-a-url-but-secret-123", ex.Message);
        }

        [Fact]
        public void UnknownEnvironmentListsTheKnownOnes()
        {
            using var tmp = new TempDir();
            string file = tmp.Write("environments.json", File1);
            var ex = Assert.Throws<DeployException>(() => Resolver(new()).Resolve("stagign", file));
            Assert.Equal("UnknownEnvironment", ex.ErrorId);
            Assert.Contains("dev, staging, production, local, qa", ex.Message);
            Assert.Equal("qa.odoo.internal", Resolver(new()).Resolve("qa", file).Get("OdooSshHost"));
        }

        [Theory]
        [InlineData("{\n  \"environments\": {\n    \"dev\": { \"OdooSshHots\": \"x\" }\n  }\n}", ":3:", "unknown setting \"OdooSshHots\"")]
        [InlineData("{\n  \"environments\": {\n    \"dev\": {\n      \"N8nApiKey\": \"abc\"\n    }\n  }\n}", ":4:", "is a secret and must not be in the repository")]
        [InlineData("{\n  \"environments\": {\n    \"dev\": { \"OdooUrl\": \"http//broken\" }\n  }\n}", ":3", "is not an absolute http(s) URL")]
        [InlineData("{\n  \"global\": {\n    \"EnableN8nDeploy\": \"maybe\"\n  }\n}", ":3", "'maybe' is not true or false")]
        [InlineData("{\n  \"environments\": {\n    \"dev\": { \"OdooSshHost\": \"x\", }\n  ,,\n}", ":", "")]
        [InlineData("{ \"environments\": [] }", ":1:", "must be an object")]
        public void BadFilesAreErrorsNamingFileAndLine(string json, string lineFragment, string message)
        {
            using var tmp = new TempDir();
            string file = tmp.Write("environments.json", json);
            var ex = Assert.Throws<DeployException>(() => Resolver(new()).Resolve("dev", file));
            Assert.Contains(file + lineFragment, ex.Message);
            Assert.Contains(message, ex.Message);
        }

        [Fact]
        public void TheFileIsFoundByVariableOrInTheWorkingFolder()
        {
            using var tmp = new TempDir();
            tmp.Write("environments.json", File1);
            tmp.Write("deploy/envs.json", "{\"environments\": {\"uat\": {}}}");
            Assert.Equal(tmp.Combine("environments.json"), Resolver(new()).LocateFile(null, tmp.Path));
            Assert.Equal(tmp.Combine("deploy", "envs.json"), Resolver(new() { [ConfigurationResolver.FileVariable] = "deploy/envs.json" }).LocateFile(null, tmp.Path));
            var ex = Assert.Throws<DeployException>(() => Resolver(new() { [ConfigurationResolver.FileVariable] = "nope.json" }).LocateFile(null, tmp.Path));
            Assert.Contains(ConfigurationResolver.FileVariable, ex.Message);
        }

        [Theory]
        [InlineData("production", "PROD_ODOO_SSH_KEY_SECRET", "OdooSshPrivateKey")]
        [InlineData("dev", "DEV_ODOO_SSH_KEY_PATH", "OdooSshPrivateKey")]
        [InlineData("staging", "STAGING_ODOO_ADDONS_PATH", "DeployRoot")]
        [InlineData("staging", "STAGING_ODOO_DB_NAME", "OdooDatabase")]
        [InlineData("production", "PROD_ODOO_SERVICE_NAME", "OdooService")]
        [InlineData("dev", "DEV_N8N_INSTANCE_URL", "N8nApiUrl")]
        [InlineData("dev", "DEV_N8N_API_KEY_SECRET", "N8nApiKey")]
        [InlineData("dev", "SLACK_WEBHOOK_URL_INFO_SECRET", "SlackWebhookUrlInfo")]
        [InlineData("production", "SLACK_WEBHOOK_URL_CRITICAL_SECRET", "SlackWebhookUrlCritical")]
        public void TheOldPipelinesVariablesAreAliasesAndTheSourceNamesThem(string environment, string variable, string setting)
        {
            string value = setting.Contains("Url") ? "https://example.test/" + variable.ToLowerInvariant() : "value-of-" + variable;
            var masker = new SecretMasker();
            DeployConfiguration c = Resolver(new() { [variable] = value }, masker).Resolve(environment, null);
            Assert.Equal(value, c.Get(setting));
            ConfigurationEntry entry = c.Entries.Single(e => e.Name == setting);
            Assert.Equal("variable " + variable, entry.Source);
            if (entry.IsSecret)
            {
                Assert.Equal(SecretMasker.Mask, entry.Value);
                Assert.DoesNotContain(value, masker.Apply("log line " + value));
            }
        }

        [Fact]
        public void TheModulesOwnNameAndAnAliasMustAgree()
        {
            var same = Resolver(new() { ["PROD_N8N_API_KEY"] = "k-1", ["PROD_N8N_API_KEY_SECRET"] = "k-1" }).Resolve("production", null);
            Assert.Equal("variable PROD_N8N_API_KEY", same.Entries.Single(e => e.Name == "N8nApiKey").Source);

            var ex = Assert.Throws<DeployException>(() =>
                Resolver(new() { ["PROD_N8N_API_KEY"] = "k-1", ["PROD_N8N_API_KEY_SECRET"] = "k-2" }).Resolve("production", null));
            Assert.Equal("ConfigurationConflict", ex.ErrorId);
            Assert.Contains("PROD_N8N_API_KEY and PROD_N8N_API_KEY_SECRET", ex.Message);
            Assert.DoesNotContain("k-1", ex.Message);
            Assert.DoesNotContain("k-2", ex.Message);
        }

        [Fact]
        public void GlobalSettingsOfTheJobsComeFromTheirVariablesThenTheFile()
        {
            using var tmp = new TempDir();
            string file = tmp.Write("environments.json", "{\n  \"global\": {\n    \"OdooVersion\": \"17.0\",\n    \"LintTargetPath\": \"addons\"\n  }\n}");
            var resolver = Resolver(new() { ["ODOO_VERSION"] = "18.0", ["ODOO_MODULES_TO_TEST"] = "ig_base,ig_campaign" });
            Assert.Equal("18.0", resolver.Global("OdooVersion", file));
            Assert.Equal("addons", resolver.Global("LintTargetPath", file));
            Assert.Equal("ig_base,ig_campaign", resolver.Global("TestModules", null));
            Assert.Null(resolver.Global("TestReportsDir", file));
            var bad = Assert.Throws<DeployException>(() => Resolver(new() { ["TEST_ENVIRONMENT_URL"] = "not a url" }).Global("TestEnvironmentUrl", null));
            Assert.Contains("TEST_ENVIRONMENT_URL", bad.Message);
        }
    }
}
