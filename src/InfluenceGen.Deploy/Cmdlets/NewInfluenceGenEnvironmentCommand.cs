using System.IO;
using System.Management.Automation;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Environments;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Creates a review environment (review/&lt;branch slug&gt;) on the dev server: its port registered, its database a
    /// neutralized copy of staging (or a template on dev's PostgreSQL). Idempotent: an existing one is left as it is.
    /// Deploy-InfluenceGen -Environment review/&lt;slug&gt; then deploys and starts its own Odoo.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "InfluenceGenEnvironment", SupportsShouldProcess = true, DefaultParameterSetName = "Copy", HelpUri = HelpLinks.Readme + "#get-help-new-influencegenenvironment")]
    [OutputType(typeof(InfluenceGenEnvironment))]
    public sealed class NewInfluenceGenEnvironmentCommand : EnvironmentCmdletBase
    {
        /// <summary>review/&lt;branch slug&gt; (GitLab: review/$CI_COMMIT_REF_SLUG).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = null!;

        /// <summary>The environment whose database is copied (default staging; copied neutralized).</summary>
        [Parameter(ParameterSetName = "Copy")]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        public string From { get; set; } = "staging";

        /// <summary>A database on dev's PostgreSQL to create the review database from (default: ReviewTemplateDatabase of dev).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Template")]
        [ValidateNotNullOrEmpty]
        public string Template { get; set; } = null!;

        /// <summary>Writes REVIEW_URL, REVIEW_ADDRESS (the URL without its scheme), REVIEW_DATABASE and REVIEW_PORT for GitLab (artifacts:reports:dotenv; environment:url: https://$REVIEW_ADDRESS).</summary>
        [Parameter]
        public string? DotEnvPath { get; set; }

        protected override void Process()
        {
            ReviewEnvironment review = ReviewEnvironment.Parse(Name);
            var (config, settings) = SettingsOf(review.Name);
            string? template = ParameterSetName == "Template" ? Template : config.Target.ReviewTemplateDatabase;
            string source = template != null ? "template " + template : "neutralized copy of " + From;
            if (!ShouldProcess($"{review.Name} ({settings.Database}, port {settings.HttpPort}, {settings.Root})", "create from a " + source)) return;
            using ITargetTransport dev = DeploySettings.TransportFor(config, CurrentDirectory);
            var service = new ReviewEnvironmentService(review, dev, settings);
            InfluenceGenEnvironment result = Run("Creating " + review.Name, async (log, ct) =>
            {
                if (await service.RegisterAsync(ct).ConfigureAwait(false)) { log.Verbose($"{settings.Database} exists: {review.Name} is left as it is"); return service.Describe("Exists", null); }
                if (template != null) await service.FromTemplateAsync(template, ct).ConfigureAwait(false);
                else
                {
                    var (srcConfig, src) = SettingsOf(From);
                    DatabaseCopyService.Guard(src, Target(srcConfig), settings, Target(config), Production());
                    using ITargetTransport from = DeploySettings.TransportFor(srcConfig, CurrentDirectory);
                    await new DatabaseCopyService(from, src, dev, settings).CopyAsync(new DatabaseCopyRequest { Neutralize = false, RequireNeutralizedSource = true, Serve = false, User = System.Environment.UserName }, log, ct).ConfigureAwait(false);
                }
                return service.Describe("Created", source);
            });
            if (DotEnvPath != null)
            {
                string address = result.Url == null ? string.Empty : result.Url.Substring(result.Url.IndexOf("://", System.StringComparison.Ordinal) + 3);
                AtomicFile.WriteAllText(ResolveOutputPath(DotEnvPath), $"REVIEW_URL={result.Url}\nREVIEW_ADDRESS={address}\nREVIEW_DATABASE={result.Database}\nREVIEW_PORT={result.Port}\n");
            }
            WriteObject(result);
        }
    }
}
