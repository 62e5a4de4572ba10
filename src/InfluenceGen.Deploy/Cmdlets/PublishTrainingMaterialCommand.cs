using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Training;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Publishes the training portal (a zip or a folder) to S3 or to a web server over SSH,
    /// incrementally (only new and changed files travel) and in an order readers never notice:
    /// assets, pages, index.html, deletions last; on a web server a new release behind an atomic
    /// <c>current</c> switch. The work is in <see cref="TrainingPublisher"/> and its targets.
    /// </summary>
    [Cmdlet(VerbsData.Publish, "TrainingMaterial", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Readme + "#get-help-publish-trainingmaterial")]
    [OutputType(typeof(TrainingPublishResult), typeof(TrainingFileResult))]
    public sealed class PublishTrainingMaterialCommand : InfluenceGenCmdlet
    {
        /// <summary>The training material: a zip (training_docs.zip) or a folder. Default: TRAINING_MATERIALS_ARTIFACT_PATH.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        public string? Path { get; set; }

        [Parameter(Mandatory = true)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        [ValidateNotNullOrEmpty]
        public string Environment { get; set; } = null!;

        /// <summary>The environments file; default $env:INFLUENCEGEN_ENVIRONMENTS_FILE or ./environments.json.</summary>
        [Parameter]
        public string? ConfigurationPath { get; set; }

        /// <summary>S3 or WebServerSsh (default: TRAINING_PORTAL_TARGET_TYPE).</summary>
        [Parameter]
        [ValidateSet("S3", "WebServerSsh", "WEBSERVER_SSH", IgnoreCase = true)]
        public string? TargetType { get; set; }

        /// <summary>s3://bucket/prefix (default: TRAINING_S3_BUCKET_URL).</summary>
        [Parameter]
        public string? BucketUrl { get; set; }

        /// <summary>The web server's folder holding releases/ and current (default: TRAINING_PORTAL_TARGET_DIR).</summary>
        [Parameter]
        public string? TargetDirectory { get; set; }

        /// <summary>Also remove what the source no longer has (never outside the prefix / target folder).</summary>
        [Parameter]
        public SwitchParameter Delete { get; set; }

        /// <summary>Canned ACL of uploaded objects (default: TRAINING_S3_ACL, else the bucket's default).</summary>
        [Parameter]
        [ValidateSet("private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control")]
        public string? Acl { get; set; }

        /// <summary>AES256 or aws:kms (default: TRAINING_S3_SSE, else the bucket's default).</summary>
        [Parameter]
        [ValidateSet("AES256", "aws:kms", "aws:kms:dsse")]
        public string? ServerSideEncryption { get; set; }

        [Parameter]
        public string? KmsKeyId { get; set; }

        /// <summary>Parallel transfers (default: TRAINING_PUBLISH_CONCURRENCY, 8).</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int? ThrottleLimit { get; set; }

        /// <summary>Web server releases kept (default: TRAINING_PORTAL_KEEP_RELEASES, 5).</summary>
        [Parameter]
        [ValidateRange(2, 1000)]
        public int? KeepReleases { get; set; }

        /// <summary>Also write one object per file (what was uploaded, left or deleted).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Publish even when ENABLE_TRAINING_MATERIALS_DEPLOY is false.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void Process()
        {
            var explicitValues = new Dictionary<string, object?>
            {
                ["TrainingPortalTargetType"] = TargetType,
                ["TrainingS3BucketUrl"] = BucketUrl,
                ["TrainingPortalTargetDir"] = TargetDirectory,
                ["TrainingS3Acl"] = Acl,
                ["TrainingS3ServerSideEncryption"] = ServerSideEncryption,
                ["TrainingS3KmsKeyId"] = KmsKeyId,
                ["TrainingPublishConcurrency"] = ThrottleLimit,
                ["TrainingPortalKeepReleases"] = KeepReleases,
            };
            DeployConfiguration config = ResolveConfiguration(Environment, ConfigurationPath, explicitValues);
            TrainingSettings settings = TrainingSettings.From(config);
            if (!settings.Enabled && !Force)
            {
                Warning("ENABLE_TRAINING_MATERIALS_DEPLOY is false: the training material was not published (use -Force to publish anyway)");
                return;
            }

            string path = ResolvePaths(Path ?? settings.ArtifactPath, literal: false).First();
            bool whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? w) && w is SwitchParameter s && s.IsPresent;
            var options = new TrainingPublishOptions
            {
                Delete = Delete, Concurrency = settings.Concurrency, Environment = config.Environment, HashCache = new TrainingHashCache(Job.CacheFor("training-hashes")),
                UseRecordedState = !whatIf,   // -WhatIf shows what the target really holds
            };
            using IPortalTarget target = settings.TargetType == PortalTargetType.S3
                ? new S3PortalTarget(settings.S3!)
                : new SshPortalTarget(new SshTransport(settings.Ssh!), settings.TargetDir, settings.KeepReleases, concurrency: settings.Concurrency, releases: new TrainingReleaseCache(Job.CacheFor("training-releases")));
            var publisher = new TrainingPublisher(target);
            TrainingPlan plan = Run("Planning the training portal publish", (log, ct) => publisher.PlanAsync(() => TrainingSource.Load(path), options, log, ct));

            int uploads = plan.Transfers.Count(), deletions = plan.Deletions.Count(), unchanged = plan.Items.Count - uploads - deletions;
            string summary = $"upload {uploads} file(s) ({TrainingPublisher.Mb(plan.Transfers.Sum(t => t.Size))}), delete {deletions}, leave {unchanged} unchanged on {target.Description}";
            if (whatIf)
                foreach (TrainingFileResult item in plan.Items.Where(i => i.Action != TrainingFileAction.Unchanged))
                    ShouldProcess(item.Target, item.Describe());
            if (!ShouldProcess(target.Description, summary))
                return;

            TrainingPublishResult result = Run("Publishing the training portal", (log, ct) => publisher.ApplyAsync(plan, options, log, ct));
            if (PassThru) foreach (TrainingFileResult item in result.Files) WriteObject(item);
            WriteObject(result);

            List<TrainingFileResult> failed = result.Files.Where(f => f.Status == "Failed").ToList();
            foreach (TrainingFileResult f in failed)
                ReportError(new DeployException(f.ErrorId, ErrorKind.WriteError, $"{f.Path}: {f.Error}", f.Path));
            if (failed.Count > 0)
            {
                TrainingFileResult first = failed[0];
                bool specific = first.ErrorId.StartsWith("TrainingS3", System.StringComparison.Ordinal) || first.ErrorId.StartsWith("Ssh", System.StringComparison.Ordinal);
                Fail(new DeployException(specific ? first.ErrorId : ErrorIds.TrainingPublishFailed, ErrorKind.WriteError,
                    $"{failed.Count} of {uploads} file(s) failed to publish to {target.Description}; first {first.Path}: {first.Error}. " +
                    (target.Kind == "S3" ? "Later phases (pages, index.html) and deletions were not published: the previous portal is still served." : "current was not switched: the previous release is still served."),
                    target.Description));
            }
        }
    }
}
