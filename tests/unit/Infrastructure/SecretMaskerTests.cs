using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Tests.Infrastructure
{
    [Trait("Category", "Fast")]
    public class SecretMaskerTests
    {
        [Fact]
        public void RegisteredSecretsAreMaskedIncludingTheirUrlEncodedForm()
        {
            var m = new SecretMasker();
            m.Add("p@ss w0rd/x");
            Assert.Equal("login *** failed", m.Apply("login p@ss w0rd/x failed"));
            Assert.Equal("https://h/?key=***", m.Apply("https://h/?key=" + Uri.EscapeDataString("p@ss w0rd/x")));
        }

        [Fact]
        public void ALongerSecretContainingAShorterOneIsMaskedWhole()
        {
            var m = new SecretMasker();
            m.Add("abcd");
            m.Add("xxabcdxx");
            Assert.Equal("[***]", m.Apply("[xxabcdxx]"));
        }

        [Theory]
        [InlineData("posting to https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnopqrstuvwx now", "posting to https://hooks.slack.com/*** now")]
        [InlineData("POST https://chat.example.com/hooks/xk3b9q8w7e6r5t4y3u2i1o", "POST https://chat.example.com/***")]
        [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "Authorization: Bearer ***")]
        [InlineData("postgres://odoo:s3cr3t@db:5432/ig", "postgres://***@db:5432/ig")]
        [InlineData("PGPASSWORD=s3cr3t pg_dump", "PGPASSWORD=*** pg_dump")]
        [InlineData("X-N8N-API-KEY: n8n_api_abc123", "X-N8N-API-KEY: ***")]
        public void WellKnownSecretShapesAreMaskedUnregistered(string text, string expected)
        {
            Assert.Equal(expected, new SecretMasker().Apply(text));
        }

        [Fact]
        public void OrdinaryTextIsLeftAlone()
        {
            const string text = "Deployed release 20261123-0542 to staging: 3 addons upgraded (ig_base 17.0.1.2.0)";
            Assert.Equal(text, new SecretMasker().Apply(text));
        }

        [Fact]
        public void ExceptionsAreRebuiltWithoutTheSecret()
        {
            var m = new SecretMasker();
            m.Add("tok-123456");
            Exception masked = m.Apply(new InvalidOperationException("401 for token tok-123456"));
            Assert.Equal("401 for token ***", masked.Message);
            Assert.DoesNotContain("tok-123456", masked.ToString());
        }
    }
}
