using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Tests.Configuration
{
    /// <summary>
    /// Issue 12, typed configuration: one environment type owns "is production", the resolver builds each typed record
    /// once, is the one reader of process variables (JobContext) and registers every secret it reads or is given.
    /// </summary>
    [Trait("Category", "Fast")]
    public class TypedConfigurationTests
    {
        private static ConfigurationResolver Resolver(Dictionary<string, string> vars, SecretMasker masker) => new(vars, masker);

        [Theory]
        [InlineData("production", "production", true)]
        [InlineData(" Production ", "production", true)]
        [InlineData("prod", "production", true)]
        [InlineData("PROD", "production", true)]
        [InlineData("staging", "staging", false)]
        [InlineData("preprod", "preprod", false)]
        [InlineData("production-eu", "production-eu", false)]
        [InlineData("review/prod", "review/prod", false)]
        [InlineData("", "", false)]
        public void ProdIsTheOneAliasOfProduction(string given, string normalized, bool production)
        {
            Assert.Equal(normalized, DeployEnvironment.Normalize(given));
            Assert.Equal(production, DeployEnvironment.IsProduction(given));
            Assert.Equal(production, InfluenceGen.Deploy.Approval.ApprovalCheck.IsProduction(given));
        }

        [Fact]
        public void NullIsNoEnvironment()
        {
            Assert.False(DeployEnvironment.IsProduction(null));
            Assert.Equal(string.Empty, DeployEnvironment.Normalize(null));
        }

        [Fact]
        public void BuiltInEnvironmentsIncludeTheAlias()
        {
            foreach (string e in new[] { "dev", "staging", "production", "prod", "LOCAL" }) Assert.True(DeployEnvironment.IsBuiltIn(e), e);
            Assert.False(DeployEnvironment.IsBuiltIn("qa"));
        }

        [Fact]
        public void ProdResolvesAsProductionWithItsDefaults()
        {
            var vars = new Dictionary<string, string> { ["PROD_ODOO_SERVER_SSH_HOST"] = "odoo.prod.internal" };
            DeployConfiguration c = Resolver(vars, new SecretMasker()).Resolve("Prod", null);
            Assert.Equal("production", c.Environment);
            Assert.Equal("odoo.prod.internal", c.Target.SshHost);
            Assert.Equal("true", c.Get("RequireChangeApproval"));
            Assert.Equal("true", c.Get("BackupBeforeUpgrade"));
            Assert.True(InfluenceGen.Deploy.Deploy.DeploySettings.From(c, Path.GetTempPath()).IsProduction);
            DeployConfiguration staging = Resolver(vars, new SecretMasker()).Resolve("staging", null);
            Assert.Equal("false", staging.Get("RequireChangeApproval"));
            Assert.Equal("true", staging.Get("BackupBeforeUpgrade"));
            Assert.Equal("false", Resolver(vars, new SecretMasker()).Resolve("dev", null).Get("BackupBeforeUpgrade"));
        }

        [Fact]
        public void RecordsAreBuiltOnceAndTyped()
        {
            var vars = new Dictionary<string, string>
            {
                ["STAGING_N8N_API_URL"] = "https://n8n.staging.example",
                ["STAGING_N8N_API_KEY"] = "n8n-key-0123456789",
                ["ENABLE_N8N_DEPLOY"] = "FALSE",
                ["ENABLE_SLACK_NOTIFICATIONS"] = "false",
                ["SLACK_WEBHOOK_URL_INFO"] = "https://chat.example.org/hooks/abcdefghijklmnop",
                ["SLACK_WEBHOOK_FLAVOR"] = "mattermost",
                ["CHANGE_REQUEST_ID"] = "CHG-42",
                ["IMAGE_NAME_PARAM"] = "odoo",
                ["CI_REGISTRY_IMAGE"] = "registry.example/ig",
            };
            DeployConfiguration c = Resolver(vars, new SecretMasker()).Resolve("staging", null);
            Assert.Same(c.Switches, c.Switches);
            Assert.Same(c.N8n, c.N8n);
            Assert.Same(c.Slack, c.Slack);
            Assert.Same(c.ChangeRequest, c.ChangeRequest);
            Assert.Same(c.Images, c.Images);
            Assert.Same(c.Target, c.Target);
            Assert.False(c.Switches.N8nDeploy);
            Assert.True(c.Switches.OdooDeploy);
            Assert.True(c.Switches.JiraForProduction);
            Assert.Equal("https://n8n.staging.example", c.N8n.ApiUrl);
            Assert.Equal("n8n-key-0123456789", c.N8n.ApiKey);
            Assert.Equal("STAGING_N8N_API_KEY", c.N8n.KeyVariable);
            Assert.False(c.Slack.Enabled);
            Assert.Equal(new Uri("https://chat.example.org/hooks/abcdefghijklmnop"), c.Slack.InfoWebhook);
            Assert.Null(c.Slack.CriticalWebhook);
            Assert.Equal("mattermost", c.Slack.Flavor);
            Assert.Equal("CHG-42", c.ChangeRequest.Id);
            Assert.Equal("Deployed", c.ChangeRequest.CompleteTransition);
            Assert.Equal("odoo", c.Images.ImageName);
            Assert.Equal("registry.example/ig", c.Images.RegistryPrefix);
            Assert.Equal("deploy@:22", c.Target.Describe());
            Assert.Equal("local", Resolver(vars, new SecretMasker()).Resolve("local", null).Target.Describe());
        }

        [Fact]
        public void JobContextComesFromTheResolversVariablesOnce()
        {
            var vars = new Dictionary<string, string>
            {
                ["GITLAB_USER_LOGIN"] = "alice",
                ["CI_PROJECT_DIR"] = "/builds/ig/odoo",
                ["DOCKER_HOST"] = "tcp://127.0.0.1:2375",
                ["XDG_CACHE_HOME"] = "/tmp/xdg-cache",
            };
            ConfigurationResolver r = Resolver(vars, new SecretMasker());
            JobContext job = r.Job();
            Assert.Same(job, r.Job());
            Assert.Equal("alice", job.User);
            Assert.Equal("/builds/ig/odoo", job.ProjectDir);
            Assert.Equal("tcp://127.0.0.1:2375", job.DockerHost);
            Assert.Equal("/tmp/xdg-cache", job.CacheHome);

            JobContext bare = Resolver(new Dictionary<string, string> { ["CI_PROJECT_DIR"] = "" }, new SecretMasker()).Job();
            Assert.Equal(System.Environment.UserName, bare.User);
            Assert.Null(bare.ProjectDir);
            Assert.Null(bare.DockerHost);
            Assert.EndsWith(".cache", bare.CacheHome);
        }

        /// <summary>The pipeline links of notices and JIRA comments come from the resolved configuration's job (one
        /// context; Notify's own copy that read the process is gone), so they follow the variables the resolver was given.</summary>
        [Fact]
        public void NoticesAndTheChangeGateTakeThePipelineFromTheResolvedJob()
        {
            var vars = new Dictionary<string, string>
            {
                ["CI_PIPELINE_URL"] = "https://gitlab.example/ig/odoo/-/pipelines/42",
                ["CI_COMMIT_SHA"] = "0123456789abcdef0123",
                ["CI_PROJECT_PATH"] = "ig/odoo",
                ["CI_JOB_NAME"] = "deploy_prod",
            };
            DeployConfiguration config = Resolver(vars, new SecretMasker()).Resolve("staging", null);
            Assert.Equal("https://gitlab.example/ig/odoo/-/pipelines/42", config.Job.PipelineUrl);
            Assert.Equal("01234567", config.Job.CommitShortSha);
            Assert.Same(config.Job, InfluenceGen.Deploy.Notify.WebhookNotifier.FromConfiguration(config).Context);
            Assert.Equal(config.Job.PipelineUrl, InfluenceGen.Deploy.Approval.ChangeGateSettings.From(config).PipelineUrl);

            DeployConfiguration outside = Resolver(new Dictionary<string, string>(), new SecretMasker()).Resolve("staging", null);
            Assert.True(outside.Job.IsEmpty);
            Assert.Null(InfluenceGen.Deploy.Approval.ChangeGateSettings.From(outside).PipelineUrl);
        }

        [Fact]
        public void TheResolverRegistersEverySecretSettingItReads()
        {
            var secrets = new Dictionary<string, string>();
            foreach (SettingDefinition def in SettingCatalog.All.Where(d => d.IsSecret))
                secrets[def.VariableFor("STAGING")] = def.Kind == SettingKind.SecretUrl
                    ? $"https://chat.example.org/notify/{Guid.NewGuid():N}"
                    : $"s3cr3t-{def.Name}-{Guid.NewGuid():N}";
            var masker = new SecretMasker();
            DeployConfiguration c = Resolver(secrets, masker).Resolve("staging", null);
            foreach (var pair in secrets)
            {
                string shown = masker.Apply($"value of {pair.Key}: {pair.Value}.")!;
                Assert.DoesNotContain(pair.Value, shown);
                Assert.Contains(SecretMasker.Mask, shown);
                if (pair.Value.StartsWith("https://", StringComparison.Ordinal))
                    Assert.DoesNotContain(new Uri(pair.Value).AbsolutePath, masker.Apply("POST " + new Uri(pair.Value).AbsolutePath));
            }
            Assert.Equal(SettingCatalog.All.Count(d => d.IsSecret), secrets.Count);
        }

        [Fact]
        public void SecretsGivenOnTheCommandLineAreRegisteredByTheResolver()
        {
            var masker = new SecretMasker();
            ConfigurationResolver r = Resolver(new Dictionary<string, string>(), masker);
            r.RegisterSecret("pg-password-from-extra-argument");
            r.RegisterSecret(null);
            r.RegisterSecretUrl("https://chat.example.org/notify/0123456789abcdef");
            Assert.Equal("-w ***", masker.Apply("-w pg-password-from-extra-argument"));
            Assert.DoesNotContain("0123456789abcdef", masker.Apply("POST /notify/0123456789abcdef failed"));
        }
    }
}
