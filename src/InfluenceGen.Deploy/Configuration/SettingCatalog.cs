using System;
using System.Collections.Generic;
using System.Linq;

namespace InfluenceGen.Deploy.Configuration
{
    public enum SettingKind { Text, Url, Toggle, Integer, Secret, SecretUrl }

    /// <summary>
    /// One setting the module understands: its name (as used in the environments file and in
    /// Get-InfluenceGenConfiguration), the GitLab CI variable it is read from, and its kind.
    /// <c>{ENV}</c> in a variable name stands for the environment's prefix (DEV, STAGING, PROD, LOCAL).
    /// </summary>
    public sealed class SettingDefinition
    {
        public SettingDefinition(string name, string variable, SettingKind kind, string description, Func<string, string?>? defaultFor = null)
        {
            Name = name; Variable = variable; Kind = kind; Description = description; DefaultFor = defaultFor;
        }

        public string Name { get; }
        public string Variable { get; }
        public SettingKind Kind { get; }
        public string Description { get; }
        /// <summary>Default per environment name; null = no default.</summary>
        public Func<string, string?>? DefaultFor { get; }
        public bool PerEnvironment => Variable.Contains("{ENV}");
        public bool IsSecret => Kind == SettingKind.Secret || Kind == SettingKind.SecretUrl;

        public string VariableFor(string environmentPrefix) => Variable.Replace("{ENV}", environmentPrefix);

        /// <summary>
        /// Other CI variables that mean the same setting: the names the projects this module replaces already have
        /// set (e.g. PROD_ODOO_SSH_KEY_SECRET for OdooSshPrivateKey). The module's own name comes first.
        /// </summary>
        public IReadOnlyList<string> Aliases => _aliases;
        private readonly List<string> _aliases = new List<string>();

        /// <summary>Every variable read for this setting in an environment, the module's own name first.</summary>
        public IEnumerable<string> VariablesFor(string environmentPrefix)
        {
            yield return VariableFor(environmentPrefix);
            foreach (string alias in _aliases) yield return alias.Replace("{ENV}", environmentPrefix);
        }

        internal SettingDefinition Or(params string[] aliases)
        {
            _aliases.AddRange(aliases);
            return this;
        }
    }

    /// <summary>Every setting, in display order. Later capabilities add theirs here.</summary>
    public static class SettingCatalog
    {
        private static string? Production(string env, string yes, string no) => DeployEnvironment.IsProduction(env) ? yes : no;

        public static readonly IReadOnlyList<SettingDefinition> All = new List<SettingDefinition>
        {
            // ---- the Odoo target of an environment
            new SettingDefinition("Transport", "{ENV}_DEPLOY_TRANSPORT", SettingKind.Text, "ssh or local", env => env == "local" ? "local" : "ssh"),
            new SettingDefinition("OdooSshHost", "{ENV}_ODOO_SERVER_SSH_HOST", SettingKind.Text, "SSH host of the Odoo server; several servers: [user@]host[:port] separated by commas (the first is the primary)"),
            new SettingDefinition("Hosts", "{ENV}_ODOO_SERVER_HOSTS", SettingKind.Text, "several Odoo servers sharing the database: a JSON array of \"host\" or {Host, Port, User, HostKey, KnownHosts, DeployRoot, HttpPort, HealthUrl} (wins over OdooSshHost; the first is the primary)"),
            new SettingDefinition("OdooSshPort", "{ENV}_ODOO_SERVER_SSH_PORT", SettingKind.Integer, "SSH port", _ => "22"),
            new SettingDefinition("OdooSshUser", "{ENV}_ODOO_SERVER_SSH_USER", SettingKind.Text, "SSH user", _ => "deploy"),
            new SettingDefinition("OdooSshPrivateKey", "{ENV}_ODOO_SERVER_SSH_PRIVATE_KEY", SettingKind.Secret, "SSH private key (PEM/OpenSSH text, or a GitLab file variable's path)")
                .Or("{ENV}_ODOO_SSH_KEY_SECRET", "{ENV}_ODOO_SSH_KEY_PATH"),
            new SettingDefinition("OdooSshKeyPassphrase", "{ENV}_ODOO_SERVER_SSH_KEY_PASSPHRASE", SettingKind.Secret, "passphrase of the SSH private key"),
            new SettingDefinition("OdooSshHostKey", "{ENV}_ODOO_SERVER_SSH_HOST_KEY", SettingKind.Text, "pinned host key fingerprint, SHA256:… as ssh-keygen -lf prints"),
            new SettingDefinition("OdooSshKnownHosts", "{ENV}_ODOO_SERVER_SSH_KNOWN_HOSTS", SettingKind.Text, "known_hosts file to pin the host key with"),
            new SettingDefinition("OdooSshTrustOnFirstUse", "{ENV}_ODOO_SERVER_SSH_TRUST_ON_FIRST_USE", SettingKind.Toggle, "accept an unknown host key once", _ => "false"),
            new SettingDefinition("OdooUrl", "{ENV}_ODOO_URL", SettingKind.Url, "Odoo's base URL for health checks"),
            new SettingDefinition("OdooDatabase", "{ENV}_ODOO_DATABASE", SettingKind.Text, "Odoo database name", _ => "influencegen").Or("{ENV}_ODOO_DB_NAME"),
            new SettingDefinition("OdooDatabasePassword", "{ENV}_ODOO_DB_PASSWORD", SettingKind.Secret, "PostgreSQL password of the Odoo database user"),
            new SettingDefinition("DeployRoot", "{ENV}_ODOO_DEPLOY_ROOT", SettingKind.Text, "root of releases/, current, backups/ and the ledger on the target",
                env => env == "local" ? ".influencegen/local" : "/opt/influencegen")
                .Or("{ENV}_ODOO_ADDONS_PATH"), // the old scripts' addons folder: releases/ and current now live under it
            new SettingDefinition("OdooRuntime", "{ENV}_ODOO_RUNTIME", SettingKind.Text, "systemd, compose or command", env => env == "local" ? "command" : "systemd"),
            new SettingDefinition("OdooService", "{ENV}_ODOO_SERVICE", SettingKind.Text, "systemd unit or compose service of Odoo", _ => "odoo").Or("{ENV}_ODOO_SERVICE_NAME"),
            new SettingDefinition("KeepReleases", "{ENV}_KEEP_RELEASES", SettingKind.Integer, "releases kept on the target", _ => "5"),
            new SettingDefinition("KeepBackups", "{ENV}_KEEP_BACKUPS", SettingKind.Integer, "deploy backups kept on the target (with those of the kept releases)", _ => "3"),
            new SettingDefinition("BackupBeforeUpgrade", "{ENV}_BACKUP_BEFORE_UPGRADE", SettingKind.Toggle, "pg_dump before any install or upgrade",
                env => DeployEnvironment.IsShared(env) ? "true" : "false"),
            new SettingDefinition("RequireChangeApproval", "{ENV}_REQUIRE_CHANGE_APPROVAL", SettingKind.Toggle, "deploys need an approved JIRA change request",
                env => Production(env, "true", "false")),
            // ---- deploy details (Deploy-InfluenceGen)
            new SettingDefinition("OdooDatabaseHost", "{ENV}_ODOO_DB_HOST", SettingKind.Text, "PostgreSQL host as seen from the target (psql, pg_dump)", _ => "localhost"),
            new SettingDefinition("OdooDatabasePort", "{ENV}_ODOO_DB_PORT", SettingKind.Integer, "PostgreSQL port as seen from the target", _ => "5432"),
            new SettingDefinition("OdooDatabaseUser", "{ENV}_ODOO_DB_USER", SettingKind.Text, "PostgreSQL user of the Odoo database", _ => "odoo"),
            new SettingDefinition("OdooCommand", "{ENV}_ODOO_COMMAND", SettingKind.Text, "command template running Odoo's CLI on the target ({root} {current} {db} {service}); -d/-i/-u/--stop-after-init are appended"),
            new SettingDefinition("RestartCommand", "{ENV}_ODOO_RESTART_COMMAND", SettingKind.Text, "command template restarting Odoo on the target"),
            new SettingDefinition("StopCommand", "{ENV}_ODOO_STOP_COMMAND", SettingKind.Text, "command template stopping Odoo on the target (the maintenance window of an install/upgrade)"),
            new SettingDefinition("LedgerKey", "INFLUENCEGEN_LEDGER_KEY", SettingKind.Secret, "HMAC key of the deployment ledger's hashes (a recomputed chain is detected only with it)"),
            new SettingDefinition("HealthUrl", "{ENV}_ODOO_HEALTH_URL", SettingKind.Url, "Odoo base URL the health check calls (defaults to OdooUrl)"),
            new SettingDefinition("HealthTimeout", "{ENV}_ODOO_HEALTH_TIMEOUT", SettingKind.Integer, "seconds to wait for Odoo to turn healthy", _ => "120"),
            new SettingDefinition("FilestorePath", "{ENV}_ODOO_FILESTORE", SettingKind.Text, "Odoo filestore of the database on the target (backed up with it)"),
            new SettingDefinition("LockLease", "{ENV}_DEPLOY_LOCK_LEASE", SettingKind.Integer, "seconds a deploy lock lives without being renewed; an expired lock is taken over (ledger line)", _ => "600"),
            new SettingDefinition("CancelGrace", "{ENV}_DEPLOY_CANCEL_GRACE", SettingKind.Integer, "seconds a cancelled deploy (Ctrl+C, SIGTERM) waits for the target job's rollback before it exits (the job goes on regardless)", _ => "8"),
            // ---- environments: refresh (Copy-OdooDatabase) and review environments (New-/Remove-InfluenceGenEnvironment)
            new SettingDefinition("OdooHttpPort", "{ENV}_ODOO_HTTP_PORT", SettingKind.Integer, "HTTP port of the environment's Odoo ({port} in command templates; derived for review/<slug>)"),
            new SettingDefinition("NeutralizeCommand", "{ENV}_ODOO_NEUTRALIZE_COMMAND", SettingKind.Text, "command template neutralizing database {db} (default: OdooCommand with the neutralize subcommand put first)"),
            new SettingDefinition("RefreshSqlFile", "{ENV}_REFRESH_SQL_FILE", SettingKind.Text, "repository file of SQL statements run on a copy of another environment's database (e.g. anonymising contacts)"),
            new SettingDefinition("ReviewPortBase", "{ENV}_REVIEW_PORT_BASE", SettingKind.Integer, "first HTTP port of review environments (read from dev)", _ => "18100"),
            new SettingDefinition("ReviewPortCount", "{ENV}_REVIEW_PORT_COUNT", SettingKind.Integer, "how many ports review environments are hashed into (read from dev)", _ => "800"),
            new SettingDefinition("ReviewUrl", "{ENV}_REVIEW_URL", SettingKind.Text, "URL template of review environments: {slug} {key} {port} (default: dev's OdooUrl host on the review port)"),
            new SettingDefinition("ReviewTemplateDatabase", "{ENV}_REVIEW_TEMPLATE_DATABASE", SettingKind.Text, "database on dev's PostgreSQL review databases are created from (createdb -T) instead of a copy of staging"),
            // ---- n8n of an environment
            new SettingDefinition("N8nApiUrl", "{ENV}_N8N_API_URL", SettingKind.Url, "n8n base URL (public API under /api/v1)").Or("{ENV}_N8N_INSTANCE_URL"),
            new SettingDefinition("N8nApiKey", "{ENV}_N8N_API_KEY", SettingKind.Secret, "n8n public API key").Or("{ENV}_N8N_API_KEY_SECRET"),
            // ---- change management (JIRA)
            new SettingDefinition("JiraBaseUrl", "JIRA_BASE_URL", SettingKind.Url, "JIRA base URL"),
            new SettingDefinition("JiraUsername", "JIRA_USERNAME", SettingKind.Text, "JIRA Cloud account e-mail"),
            new SettingDefinition("JiraApiToken", "JIRA_API_TOKEN_SECRET", SettingKind.Secret, "JIRA API token (Cloud) or personal access token (Server/DC)"),
            new SettingDefinition("ChangeRequestId", "CHANGE_REQUEST_ID", SettingKind.Text, "the JIRA change request of this deployment"),
            new SettingDefinition("ChangeManagementProjectKey", "CHANGE_MANAGEMENT_PROJECT_KEY", SettingKind.Text, "JIRA project of change requests"),
            new SettingDefinition("ChangeApprovedStatus", "CHANGE_APPROVED_STATUS", SettingKind.Text, "status that means approved", _ => "Approved for Deployment"),
            new SettingDefinition("JiraFlavor", "JIRA_FLAVOR", SettingKind.Text, "cloud (REST v3, e-mail + API token), server (REST v2, personal access token as bearer) or auto (cloud for *.atlassian.net)", _ => "auto"),
            new SettingDefinition("ChangeRejectedStatuses", "CHANGE_REJECTED_STATUSES", SettingKind.Text, "comma-separated statuses that end Wait-ChangeApproval as rejected", _ => "Rejected,Declined,Cancelled,Canceled"),
            new SettingDefinition("ChangeCompleteTransition", "CHANGE_COMPLETE_TRANSITION", SettingKind.Text, "transition Complete-ChangeRequest takes after a deployment", _ => "Deployed"),
            new SettingDefinition("ChangeTechnicalApproverField", "CHANGE_TECHNICAL_APPROVER_FIELD", SettingKind.Text, "issue field (e.g. customfield_10101) holding the technical approver"),
            new SettingDefinition("ChangeBusinessApproverField", "CHANGE_BUSINESS_APPROVER_FIELD", SettingKind.Text, "issue field (e.g. customfield_10102) holding the business approver"),
            new SettingDefinition("RequireDualApproval", "{ENV}_REQUIRE_DUAL_APPROVAL", SettingKind.Toggle, "the change request needs a technical and a business approver",
                env => Production(env, "true", "false")),
            // ---- notifications
            new SettingDefinition("SlackWebhookUrlInfo", "SLACK_WEBHOOK_URL_INFO", SettingKind.SecretUrl, "incoming webhook for info notices").Or("SLACK_WEBHOOK_URL_INFO_SECRET"),
            new SettingDefinition("SlackWebhookUrlCritical", "SLACK_WEBHOOK_URL_CRITICAL", SettingKind.SecretUrl, "incoming webhook for failures and rollbacks").Or("SLACK_WEBHOOK_URL_CRITICAL_SECRET"),
            new SettingDefinition("SlackWebhookFlavor", "SLACK_WEBHOOK_FLAVOR", SettingKind.Text, "slack, mattermost or auto (mattermost for a /hooks/<id> path)", _ => "auto"),
            // ---- images
            new SettingDefinition("RegistryUser", "CI_REGISTRY_USER", SettingKind.Text, "container registry user"),
            new SettingDefinition("RegistryPassword", "CI_REGISTRY_PASSWORD", SettingKind.Secret, "container registry password"),
            new SettingDefinition("RegistryImage", "CI_REGISTRY_IMAGE", SettingKind.Text, "image prefix of the project in the registry (Build-InfluenceGenImage puts -Name under it)"),
            new SettingDefinition("RegistryUrl", "REGISTRY_URL_PARAM", SettingKind.Text, "registry prefix of the images (docker_images.sh's input; wins over CI_REGISTRY_IMAGE)"),
            new SettingDefinition("ImageName", "IMAGE_NAME_PARAM", SettingKind.Text, "image name when Build-InfluenceGenImage has no -Name"),
            new SettingDefinition("ImageTag", "IMAGE_TAG_PARAM", SettingKind.Text, "image tag(s), comma-separated, when Build-InfluenceGenImage has no -Tag"),
            new SettingDefinition("Dockerfile", "DOCKERFILE_PATH_PARAM", SettingKind.Text, "Dockerfile when Build-InfluenceGenImage has no -Dockerfile"),
            new SettingDefinition("DockerHost", "DOCKER_HOST", SettingKind.Text, "Docker engine address (unix:// or tcp://), as the docker CLI reads it"),
            new SettingDefinition("DockerTlsVerify", "DOCKER_TLS_VERIFY", SettingKind.Text, "non-empty: TLS to the engine, verified against DOCKER_CERT_PATH/ca.pem"),
            new SettingDefinition("DockerCertPath", "DOCKER_CERT_PATH", SettingKind.Text, "folder of ca.pem, cert.pem, key.pem for the engine"),
            new SettingDefinition("DockerTlsCertDir", "DOCKER_TLS_CERTDIR", SettingKind.Text, "docker:dind's certificate folder (client/ holds the client certificates)"),
            // ---- training material (Publish-TrainingMaterial)
            new SettingDefinition("TrainingPortalTargetType", "TRAINING_PORTAL_TARGET_TYPE", SettingKind.Text, "where the training portal is published: S3 or WEBSERVER_SSH", _ => "S3"),
            new SettingDefinition("TrainingMaterialsArtifactPath", "TRAINING_MATERIALS_ARTIFACT_PATH", SettingKind.Text, "the built training material: a zip (training_docs.zip) or a folder", _ => "training_docs.zip"),
            new SettingDefinition("TrainingS3BucketUrl", "TRAINING_S3_BUCKET_URL", SettingKind.Text, "s3://bucket/prefix the portal is published to"),
            new SettingDefinition("TrainingS3Bucket", "TRAINING_MATERIALS_S3_BUCKET", SettingKind.Text, "S3 bucket for training material (older name; TrainingS3BucketUrl wins)"),
            new SettingDefinition("AwsAccessKeyIdSecret", "AWS_ACCESS_KEY_ID_SECRET", SettingKind.Secret, "AWS access key id of the training portal (wins over AWS_ACCESS_KEY_ID)"),
            new SettingDefinition("AwsSecretAccessKeySecret", "AWS_SECRET_ACCESS_KEY_SECRET", SettingKind.Secret, "AWS secret access key of the training portal (wins over AWS_SECRET_ACCESS_KEY)"),
            new SettingDefinition("AwsAccessKeyId", "AWS_ACCESS_KEY_ID", SettingKind.Secret, "AWS access key id (standard chain)"),
            new SettingDefinition("AwsSecretAccessKey", "AWS_SECRET_ACCESS_KEY", SettingKind.Secret, "AWS secret access key (standard chain)"),
            new SettingDefinition("AwsSessionToken", "AWS_SESSION_TOKEN", SettingKind.Secret, "AWS session token of temporary credentials"),
            new SettingDefinition("AwsRegion", "AWS_REGION", SettingKind.Text, "AWS region of the bucket (else AWS_DEFAULT_REGION, else us-east-1)"),
            new SettingDefinition("AwsDefaultRegion", "AWS_DEFAULT_REGION", SettingKind.Text, "AWS region when AWS_REGION is not set"),
            new SettingDefinition("AwsEndpointUrlS3", "AWS_ENDPOINT_URL_S3", SettingKind.Url, "S3 endpoint of an S3-compatible server (else AWS_ENDPOINT_URL)"),
            new SettingDefinition("AwsEndpointUrl", "AWS_ENDPOINT_URL", SettingKind.Url, "endpoint of all AWS services (AWS_ENDPOINT_URL_S3 wins)"),
            new SettingDefinition("TrainingS3ForcePathStyle", "TRAINING_S3_FORCE_PATH_STYLE", SettingKind.Text, "path-style addressing (http://host/bucket/key): auto (on with a custom endpoint), true or false", _ => "auto"),
            new SettingDefinition("TrainingS3Acl", "TRAINING_S3_ACL", SettingKind.Text, "canned ACL of uploaded objects (private, public-read, bucket-owner-full-control, …); unset = the bucket's default"),
            new SettingDefinition("TrainingS3ServerSideEncryption", "TRAINING_S3_SSE", SettingKind.Text, "server-side encryption of uploaded objects: AES256 or aws:kms; unset = the bucket's default"),
            new SettingDefinition("TrainingS3KmsKeyId", "TRAINING_S3_SSE_KMS_KEY_ID", SettingKind.Text, "KMS key of aws:kms server-side encryption"),
            new SettingDefinition("TrainingPortalSshHost", "TRAINING_PORTAL_SSH_HOST", SettingKind.Text, "SSH host of the training portal's web server"),
            new SettingDefinition("TrainingPortalSshPort", "TRAINING_PORTAL_SSH_PORT", SettingKind.Integer, "SSH port of the training portal's web server", _ => "22"),
            new SettingDefinition("TrainingPortalSshUser", "TRAINING_PORTAL_SSH_USER", SettingKind.Text, "SSH user on the training portal's web server"),
            new SettingDefinition("TrainingPortalSshKey", "TRAINING_PORTAL_SSH_KEY_SECRET", SettingKind.Secret, "SSH private key for the training portal (text, or a GitLab file variable's path)"),
            new SettingDefinition("TrainingPortalSshKeyPassphrase", "TRAINING_PORTAL_SSH_KEY_PASSPHRASE_SECRET", SettingKind.Secret, "passphrase of the training portal's SSH key"),
            new SettingDefinition("TrainingPortalSshHostKey", "TRAINING_PORTAL_SSH_HOST_KEY", SettingKind.Text, "pinned host key fingerprint of the web server, SHA256:… as ssh-keygen -lf prints"),
            new SettingDefinition("TrainingPortalSshKnownHosts", "TRAINING_PORTAL_SSH_KNOWN_HOSTS", SettingKind.Text, "known_hosts file to pin the web server's host key with"),
            new SettingDefinition("TrainingPortalSshTrustOnFirstUse", "TRAINING_PORTAL_SSH_TRUST_ON_FIRST_USE", SettingKind.Toggle, "accept the web server's unknown host key once", _ => "false"),
            new SettingDefinition("TrainingPortalTargetDir", "TRAINING_PORTAL_TARGET_DIR", SettingKind.Text, "absolute folder on the web server holding releases/ and the current symlink (serve <dir>/current)"),
            new SettingDefinition("TrainingPortalKeepReleases", "TRAINING_PORTAL_KEEP_RELEASES", SettingKind.Integer, "portal releases kept on the web server", _ => "5"),
            new SettingDefinition("TrainingPublishConcurrency", "TRAINING_PUBLISH_CONCURRENCY", SettingKind.Integer, "parallel transfers of a training publish", _ => "8"),
            // ---- the build, test and quality jobs (global: the inputs of the old pipeline's scripts)
            new SettingDefinition("OdooVersion", "ODOO_VERSION", SettingKind.Text, "Odoo series the addons target (New-OdooAddonPackage / Invoke-OdooLint -OdooVersion), e.g. 18.0"),
            new SettingDefinition("N8nVersion", "N8N_VERSION", SettingKind.Text, "n8n version the workflows target, recorded in the workflow package"),
            new SettingDefinition("TestModules", "ODOO_MODULES_TO_TEST", SettingKind.Text, "modules Invoke-OdooUnitTest tests when -Module is not given (comma or space separated)"),
            new SettingDefinition("TestDatabase", "ODOO_DB_NAME", SettingKind.Text, "database Invoke-OdooUnitTest creates for the tests (-Database)"),
            new SettingDefinition("TestReportsDir", "TEST_REPORTS_OUTPUT_DIR", SettingKind.Text, "folder of Invoke-OdooUnitTest's JUnit report when -JUnitPath is not given"),
            new SettingDefinition("LintTargetPath", "LINT_TARGET_PATH", SettingKind.Text, "what Invoke-OdooLint lints when -Path is not given"),
            new SettingDefinition("LintReportsDir", "LINT_REPORTS_DIR", SettingKind.Text, "folder of Invoke-OdooLint's Code Quality report when -ReportPath is not given"),
            new SettingDefinition("TestEnvironmentUrl", "TEST_ENVIRONMENT_URL", SettingKind.Url, "URL of the deployed environment the integration tests run against"),
            // ---- toggles of the seed pipeline
            new SettingDefinition("EnableJiraIntegrationForProdDeploy", "ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY", SettingKind.Toggle, "gate production on JIRA", _ => "true"),
            new SettingDefinition("EnableSlackNotifications", "ENABLE_SLACK_NOTIFICATIONS", SettingKind.Toggle, "send Slack notices", _ => "true"),
            new SettingDefinition("EnableN8nDeploy", "ENABLE_N8N_DEPLOY", SettingKind.Toggle, "publish n8n workflows", _ => "true"),
            new SettingDefinition("EnableOdooDeploy", "ENABLE_ODOO_DEPLOY", SettingKind.Toggle, "deploy Odoo addons", _ => "true"),
            new SettingDefinition("EnableTrainingMaterialsDeploy", "ENABLE_TRAINING_MATERIALS_DEPLOY", SettingKind.Toggle, "publish training material", _ => "true"),
        };

        private static readonly Dictionary<string, SettingDefinition> ByName = All.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

        public static bool TryGet(string name, out SettingDefinition definition) => ByName.TryGetValue(name, out definition!);

        public static SettingDefinition Get(string name) =>
            ByName.TryGetValue(name, out var d) ? d : throw new ArgumentException($"unknown setting '{name}'", nameof(name));

        /// <summary>DEV, STAGING, PROD, LOCAL; other environments use their upper-cased name.</summary>
        public static string PrefixOf(string environment) => DeployEnvironment.IsProduction(environment)
            ? "PROD"
            : new string(environment.ToUpperInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
    }
}
