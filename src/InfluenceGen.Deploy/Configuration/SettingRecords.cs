using System;

namespace InfluenceGen.Deploy.Configuration
{
    // Typed records of one resolved environment. DeployConfiguration builds each once, on first use, from the values
    // the resolver read (secrets among them already registered with the masker); code outside Configuration/ reads
    // these instead of settings by name.

    /// <summary>The seed pipeline's switches (ENABLE_*).</summary>
    public sealed class PipelineSwitches
    {
        internal PipelineSwitches(DeployConfiguration c)
        {
            JiraForProduction = c.Toggle("EnableJiraIntegrationForProdDeploy");
            SlackNotifications = c.Get("EnableSlackNotifications") == null || c.Toggle("EnableSlackNotifications");
            N8nDeploy = c.Toggle("EnableN8nDeploy");
            OdooDeploy = c.Toggle("EnableOdooDeploy");
            TrainingDeploy = c.Toggle("EnableTrainingMaterialsDeploy");
        }

        /// <summary>ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY: production deploys are gated on JIRA.</summary>
        public bool JiraForProduction { get; }
        /// <summary>ENABLE_SLACK_NOTIFICATIONS (unset counts as on).</summary>
        public bool SlackNotifications { get; }
        public bool N8nDeploy { get; }
        public bool OdooDeploy { get; }
        public bool TrainingDeploy { get; }
    }

    /// <summary>The n8n instance of an environment.</summary>
    public sealed class N8nSettings
    {
        internal N8nSettings(DeployConfiguration c)
        {
            ApiUrl = c.Get("N8nApiUrl");
            ApiKey = c.Get("N8nApiKey");
            UrlVariable = SettingCatalog.Get("N8nApiUrl").VariableFor(SettingCatalog.PrefixOf(c.Environment));
            KeyVariable = SettingCatalog.Get("N8nApiKey").VariableFor(SettingCatalog.PrefixOf(c.Environment));
        }

        /// <summary>Base URL (checked as an absolute http(s) URL by the resolver); null when unset.</summary>
        public string? ApiUrl { get; }
        /// <summary>The public API key (a secret, registered by the resolver); null when unset.</summary>
        public string? ApiKey { get; }
        /// <summary>The CI variables that set them, for error messages.</summary>
        public string UrlVariable { get; }
        public string KeyVariable { get; }
    }

    /// <summary>Slack/Mattermost incoming webhooks.</summary>
    public sealed class SlackSettings
    {
        internal SlackSettings(DeployConfiguration c)
        {
            Uri? Url(string name) => string.IsNullOrEmpty(c.Get(name)) ? null : new Uri(c.Get(name)!);
            InfoWebhook = Url("SlackWebhookUrlInfo");
            CriticalWebhook = Url("SlackWebhookUrlCritical");
            Flavor = c.Get("SlackWebhookFlavor");
            Enabled = c.Switches.SlackNotifications;
        }

        public Uri? InfoWebhook { get; }
        public Uri? CriticalWebhook { get; }
        /// <summary>slack, mattermost or auto.</summary>
        public string? Flavor { get; }
        public bool Enabled { get; }
    }

    /// <summary>The JIRA change request of this deployment (the gate's own settings: Approval/ChangeGateSettings).</summary>
    public sealed class ChangeRequestSettings
    {
        internal ChangeRequestSettings(DeployConfiguration c)
        {
            Id = c.Get("ChangeRequestId");
            CompleteTransition = c.Get("ChangeCompleteTransition");
        }

        /// <summary>CHANGE_REQUEST_ID; null when unset.</summary>
        public string? Id { get; }
        /// <summary>CHANGE_COMPLETE_TRANSITION.</summary>
        public string? CompleteTransition { get; }
    }

    /// <summary>Build-InfluenceGenImage's defaults and registry login.</summary>
    public sealed class ImageSettings
    {
        internal ImageSettings(DeployConfiguration c)
        {
            Dockerfile = c.Get("Dockerfile");
            ImageName = c.Get("ImageName");
            RegistryPrefix = c.Get("RegistryUrl") ?? c.Get("RegistryImage");
            RegistryUser = c.Get("RegistryUser");
            RegistryPassword = c.Get("RegistryPassword");
        }

        public string? Dockerfile { get; }
        public string? ImageName { get; }
        /// <summary>REGISTRY_URL_PARAM, else CI_REGISTRY_IMAGE.</summary>
        public string? RegistryPrefix { get; }
        public string? RegistryUser { get; }
        /// <summary>A secret, registered by the resolver.</summary>
        public string? RegistryPassword { get; }
    }

    /// <summary>What the environment cmdlets show of an environment's Odoo target, without connecting.</summary>
    public sealed class OdooTargetSummary
    {
        internal OdooTargetSummary(DeployConfiguration c)
        {
            IsLocal = c.Get("Transport") == "local";
            SshHost = c.Get("OdooSshHost");
            SshUser = c.Get("OdooSshUser");
            SshPort = c.Get("OdooSshPort");
            OdooUrl = c.Get("OdooUrl");
            HealthUrl = c.Get("HealthUrl");
            RefreshSqlFile = c.Get("RefreshSqlFile");
            ReviewTemplateDatabase = c.Get("ReviewTemplateDatabase");
        }

        public bool IsLocal { get; }
        public string? SshHost { get; }
        public string? SshUser { get; }
        public string? SshPort { get; }
        public string? OdooUrl { get; }
        public string? HealthUrl { get; }
        public string? RefreshSqlFile { get; }
        public string? ReviewTemplateDatabase { get; }

        /// <summary>user@host:port, or "local".</summary>
        public string Describe() => IsLocal ? "local" : $"{SshUser}@{SshHost}:{SshPort}";
    }
}
