using InfluenceGen.Deploy.Configuration;

namespace InfluenceGen.Deploy.Tests.Configuration
{
    /// <summary>The one rule of which environment is production, and the job context the resolver reads once.</summary>
    [Trait("Category", "Fast")]
    public class EnvironmentNameTests
    {
        [Theory]
        [InlineData("production", true)]
        [InlineData("prod", true)]
        [InlineData(" Production ", true)]
        [InlineData("PROD", true)]
        [InlineData("staging", false)]
        [InlineData("preprod", false)]
        [InlineData("production-eu", false)]
        [InlineData("review/feature-x", false)]
        [InlineData(null, false)]
        public void ProductionAndItsAliasAreProductionNothingElseIs(string? name, bool production)
        {
            Assert.Equal(production, EnvironmentName.IsProduction(name));
        }

        [Theory]
        [InlineData("prod", "production")]
        [InlineData(" Staging ", "staging")]
        [InlineData("QA", "qa")]
        public void NamesAreCanonicalTrimmedAndLowerCase(string given, string canonical)
        {
            Assert.Equal(canonical, EnvironmentName.Canonical(given));
        }

        [Theory]
        [InlineData("production", "PROD")]
        [InlineData("prod", "PROD")]
        [InlineData("staging", "STAGING")]
        [InlineData("qa-eu", "QA_EU")]
        public void VariablePrefixes(string environment, string prefix)
        {
            Assert.Equal(prefix, EnvironmentName.VariablePrefix(environment));
        }

        [Fact]
        public void TheResolverResolvesProdAsProductionWithProductionsDefaults()
        {
            var resolver = new ConfigurationResolver(new Dictionary<string, string>(), new InfluenceGen.Deploy.Infrastructure.SecretMasker());
            DeployConfiguration prod = resolver.Resolve("prod", null);
            Assert.Equal("production", prod.Environment);
            Assert.True(prod.Toggle("RequireChangeApproval"));
            Assert.False(resolver.Resolve("staging", null).Toggle("RequireChangeApproval"));
        }

        [Fact]
        public void TheJobContextComesFromTheResolversVariablesNotFromTheProcess()
        {
            var variables = new Dictionary<string, string>
            {
                ["GITLAB_USER_LOGIN"] = "alice", ["CI_PROJECT_DIR"] = "/builds/ig", ["DOCKER_HOST"] = "tcp://docker:2376",
                ["XDG_CACHE_HOME"] = "/cache", ["CI_PIPELINE_URL"] = "https://gitlab.example/p/1", ["CI_COMMIT_SHA"] = "0123456789abcdef",
            };
            var resolver = new ConfigurationResolver(variables, new InfluenceGen.Deploy.Infrastructure.SecretMasker());
            DeployConfiguration config = resolver.Resolve("dev", null);
            PipelineContext job = config.Pipeline;
            Assert.Equal("alice", job.User);
            Assert.Equal("/builds/ig", job.ProjectDirectory);
            Assert.Equal("tcp://docker:2376", job.DockerHost);
            Assert.Equal(Path.Combine("/cache", "influencegen", "training-hashes"), job.CacheFor("training-hashes"));
            Assert.Equal("https://gitlab.example/p/1", job.PipelineUrl);
            Assert.Equal("01234567", job.CommitShortSha);
            Assert.Equal("https://gitlab.example/p/1", InfluenceGen.Deploy.Approval.ChangeGateSettings.From(config).PipelineUrl);

            PipelineContext outside = new ConfigurationResolver(new Dictionary<string, string>(), new InfluenceGen.Deploy.Infrastructure.SecretMasker()).Pipeline();
            Assert.Equal(System.Environment.UserName, outside.User);
            Assert.Null(outside.ProjectDirectory);
        }

        [Fact]
        public void SecretsGivenAsParametersAreRegisteredByTheResolverWebhooksWithTheirPath()
        {
            var masker = new InfluenceGen.Deploy.Infrastructure.SecretMasker();
            var resolver = new ConfigurationResolver(new Dictionary<string, string>(), masker);
            resolver.SecretParameter("registry-pass-123");
            resolver.SecretParameter("https://hooks.slack.com/services/T000/B000/XXXXSECRET", isUrl: true);
            string shown = masker.Apply("login registry-pass-123 posted to /services/T000/B000/XXXXSECRET")!;
            Assert.DoesNotContain("registry-pass-123", shown);
            Assert.DoesNotContain("XXXXSECRET", shown);
        }
    }
}
