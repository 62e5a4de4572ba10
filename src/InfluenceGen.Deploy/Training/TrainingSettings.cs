using System;
using System.Collections.Generic;
using System.Linq;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Training
{
    public enum PortalTargetType { S3, WebServerSsh }

    /// <summary>The S3 side of a training publish, resolved and checked.</summary>
    public sealed class S3PortalSettings
    {
        public string Bucket { get; set; } = string.Empty;
        /// <summary>Key prefix without leading or trailing slash; empty = the whole bucket.</summary>
        public string Prefix { get; set; } = string.Empty;
        public string AccessKeyId { get; set; } = string.Empty;
        public string SecretAccessKey { get; set; } = string.Empty;
        public string? SessionToken { get; set; }
        public string Region { get; set; } = "us-east-1";
        public Uri? Endpoint { get; set; }
        /// <summary>The setting the endpoint came from, named when it cannot be reached.</summary>
        public string EndpointSetting { get; set; } = "AWS_ENDPOINT_URL_S3";
        public bool ForcePathStyle { get; set; }
        public string? Acl { get; set; }
        public string? ServerSideEncryption { get; set; }
        public string? KmsKeyId { get; set; }
        /// <summary>Where the credentials came from (variable names), for errors.</summary>
        public string CredentialSource { get; set; } = string.Empty;

        public string Url => "s3://" + Bucket + (Prefix.Length > 0 ? "/" + Prefix : string.Empty);

        /// <summary>Parses s3://bucket[/prefix]; anything else is an error naming the setting.</summary>
        public static (string bucket, string prefix) ParseBucketUrl(string url, string setting = "TrainingS3BucketUrl", string variable = "TRAINING_S3_BUCKET_URL")
        {
            string value = url.Trim();
            if (!value.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
                throw TrainingErrors.Config(setting, variable, $"'{url}' is not an s3:// URL; expected s3://bucket/prefix");
            string rest = value.Substring(5);
            int slash = rest.IndexOf('/');
            string bucket = slash < 0 ? rest : rest.Substring(0, slash);
            string prefix = slash < 0 ? string.Empty : rest.Substring(slash + 1).Trim('/');
            if (bucket.Length < 3 || bucket.Length > 63 || !System.Text.RegularExpressions.Regex.IsMatch(bucket, "^[a-z0-9][a-z0-9.-]*[a-z0-9]$"))
                throw TrainingErrors.Config(setting, variable, $"'{url}' does not name a valid bucket ('{bucket}': 3-63 lower-case letters, digits, dots and hyphens)");
            if (prefix.Split('/').Any(s => s == ".." || s == "." || (s.Length == 0 && prefix.Length > 0)))
                throw TrainingErrors.Config(setting, variable, $"'{url}' has an empty, '.' or '..' segment in its prefix");
            return (bucket, prefix);
        }
    }

    /// <summary>Everything a training publish needs, from the one configuration resolver.</summary>
    public sealed class TrainingSettings
    {
        public PortalTargetType TargetType { get; set; }
        public string ArtifactPath { get; set; } = string.Empty;
        public S3PortalSettings? S3 { get; set; }
        public SshTarget? Ssh { get; set; }
        public string TargetDir { get; set; } = string.Empty;
        public int KeepReleases { get; set; } = 5;
        public int Concurrency { get; set; } = 8;
        public bool Enabled { get; set; } = true;

        public static readonly SshSettingNames SshNames = new SshSettingNames
        {
            Host = "TrainingPortalSshHost (TRAINING_PORTAL_SSH_HOST)",
            User = "TrainingPortalSshUser (TRAINING_PORTAL_SSH_USER)",
            PrivateKey = "TrainingPortalSshKey (TRAINING_PORTAL_SSH_KEY_SECRET)",
            HostKey = "TrainingPortalSshHostKey (TRAINING_PORTAL_SSH_HOST_KEY)",
            KnownHosts = "TrainingPortalSshKnownHosts (TRAINING_PORTAL_SSH_KNOWN_HOSTS)",
            TrustOnFirstUse = "TrainingPortalSshTrustOnFirstUse (TRAINING_PORTAL_SSH_TRUST_ON_FIRST_USE)",
        };

        public static TrainingSettings From(DeployConfiguration config)
        {
            string type = (config.Get("TrainingPortalTargetType") ?? "S3").Trim().ToUpperInvariant().Replace('-', '_');
            var settings = new TrainingSettings
            {
                ArtifactPath = config.Get("TrainingMaterialsArtifactPath") ?? "training_docs.zip",
                Concurrency = Math.Max(1, Math.Min(64, config.Integer("TrainingPublishConcurrency"))),
                KeepReleases = Math.Max(2, config.Integer("TrainingPortalKeepReleases")),
                Enabled = config.Toggle("EnableTrainingMaterialsDeploy"),
                TargetType = type switch
                {
                    "S3" => PortalTargetType.S3,
                    "WEBSERVER_SSH" or "WEBSERVERSSH" or "SSH" => PortalTargetType.WebServerSsh,
                    _ => throw TrainingErrors.Config("TrainingPortalTargetType", "TRAINING_PORTAL_TARGET_TYPE", $"'{config.Get("TrainingPortalTargetType")}' is not S3 or WEBSERVER_SSH"),
                },
            };
            if (settings.TargetType == PortalTargetType.S3) settings.S3 = S3From(config);
            else SshFrom(config, settings);
            return settings;
        }

        private static S3PortalSettings S3From(DeployConfiguration config)
        {
            string? url = config.Get("TrainingS3BucketUrl");
            string setting = "TrainingS3BucketUrl", variable = "TRAINING_S3_BUCKET_URL";
            if (string.IsNullOrEmpty(url) && config.Get("TrainingS3Bucket") is string bucketOnly && bucketOnly.Length > 0)
            {
                url = bucketOnly.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? bucketOnly : "s3://" + bucketOnly;
                setting = "TrainingS3Bucket"; variable = "TRAINING_MATERIALS_S3_BUCKET";
            }
            if (string.IsNullOrEmpty(url))
                throw TrainingErrors.Config("TrainingS3BucketUrl", "TRAINING_S3_BUCKET_URL", "no bucket: set TRAINING_S3_BUCKET_URL to s3://bucket/prefix");
            var (bucket, prefix) = S3PortalSettings.ParseBucketUrl(url!, setting, variable);

            // Credentials: the project's *_SECRET pair wins, then the standard AWS_ACCESS_KEY_ID chain.
            string? id = config.Get("AwsAccessKeyIdSecret"), secret = config.Get("AwsSecretAccessKeySecret");
            string source = "AWS_ACCESS_KEY_ID_SECRET / AWS_SECRET_ACCESS_KEY_SECRET";
            if (string.IsNullOrEmpty(id) && string.IsNullOrEmpty(secret))
            {
                id = config.Get("AwsAccessKeyId"); secret = config.Get("AwsSecretAccessKey");
                source = "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY";
            }
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
                throw new DeployException(ErrorIds.TrainingS3CredentialsMissing, ErrorKind.AuthenticationError,
                    string.IsNullOrEmpty(id) && string.IsNullOrEmpty(secret)
                        ? "no AWS credentials for the training portal: set AWS_ACCESS_KEY_ID_SECRET and AWS_SECRET_ACCESS_KEY_SECRET (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
                        : $"incomplete AWS credentials for the training portal: {source} must both be set ({(string.IsNullOrEmpty(id) ? "the access key id" : "the secret access key")} is missing)",
                    "AwsAccessKeyIdSecret");

            string? endpoint = config.Get("AwsEndpointUrlS3");
            string endpointSetting = "AWS_ENDPOINT_URL_S3";
            if (string.IsNullOrEmpty(endpoint)) { endpoint = config.Get("AwsEndpointUrl"); endpointSetting = "AWS_ENDPOINT_URL"; }
            string pathStyle = (config.Get("TrainingS3ForcePathStyle") ?? "auto").Trim().ToLowerInvariant();
            if (pathStyle != "auto" && pathStyle != "true" && pathStyle != "false")
                throw TrainingErrors.Config("TrainingS3ForcePathStyle", "TRAINING_S3_FORCE_PATH_STYLE", $"'{pathStyle}' is not auto, true or false");
            string? sse = config.Get("TrainingS3ServerSideEncryption");
            if (!string.IsNullOrEmpty(sse) && sse != "AES256" && sse != "aws:kms" && sse != "aws:kms:dsse")
                throw TrainingErrors.Config("TrainingS3ServerSideEncryption", "TRAINING_S3_SSE", $"'{sse}' is not AES256, aws:kms or aws:kms:dsse");
            string? acl = config.Get("TrainingS3Acl");
            string[] acls = { "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control" };
            if (!string.IsNullOrEmpty(acl) && Array.IndexOf(acls, acl) < 0)
                throw TrainingErrors.Config("TrainingS3Acl", "TRAINING_S3_ACL", $"'{acl}' is not a canned ACL ({string.Join(", ", acls)})");

            return new S3PortalSettings
            {
                Bucket = bucket,
                Prefix = prefix,
                AccessKeyId = id!,
                SecretAccessKey = secret!,
                SessionToken = config.Get("AwsSessionToken"),
                Region = config.Get("AwsRegion") ?? config.Get("AwsDefaultRegion") ?? "us-east-1",
                Endpoint = string.IsNullOrEmpty(endpoint) ? null : new Uri(endpoint),
                EndpointSetting = endpointSetting,
                ForcePathStyle = pathStyle == "true" || (pathStyle == "auto" && !string.IsNullOrEmpty(endpoint)),
                Acl = string.IsNullOrEmpty(acl) ? null : acl,
                ServerSideEncryption = string.IsNullOrEmpty(sse) ? null : sse,
                KmsKeyId = config.Get("TrainingS3KmsKeyId"),
                CredentialSource = source,
            };
        }

        /// <summary>Key exchange offered first to the portal's web server (see <see cref="SshTarget.KeyExchangePreference"/>).</summary>
        public static readonly IReadOnlyList<string> KeyExchange = new[] { "curve25519-sha256", "curve25519-sha256@libssh.org" };

        private static void SshFrom(DeployConfiguration config, TrainingSettings settings)
        {
            string dir = (config.Get("TrainingPortalTargetDir") ?? string.Empty).Trim();
            if (dir.Length == 0)
                throw TrainingErrors.Config("TrainingPortalTargetDir", "TRAINING_PORTAL_TARGET_DIR", "no target folder on the web server: set TRAINING_PORTAL_TARGET_DIR");
            if (!dir.StartsWith("/", StringComparison.Ordinal) || dir.Split('/').Any(s => s == ".." || s == ".") || dir.TrimEnd('/').Length == 0)
                throw TrainingErrors.Config("TrainingPortalTargetDir", "TRAINING_PORTAL_TARGET_DIR", $"'{dir}' must be an absolute folder other than / (no '.' or '..')");
            settings.TargetDir = dir.TrimEnd('/');
            settings.Ssh = new SshTarget
            {
                Host = config.Get("TrainingPortalSshHost") ?? string.Empty,
                Port = config.Integer("TrainingPortalSshPort"),
                User = config.Get("TrainingPortalSshUser") ?? string.Empty,
                PrivateKey = config.Get("TrainingPortalSshKey") ?? string.Empty,
                KeyPassphrase = config.Get("TrainingPortalSshKeyPassphrase"),
                HostKeyFingerprint = config.Get("TrainingPortalSshHostKey"),
                KnownHostsFile = config.Get("TrainingPortalSshKnownHosts"),
                TrustOnFirstUse = config.Toggle("TrainingPortalSshTrustOnFirstUse"),
                SettingNames = SshNames,
                // The session carries the public portal only: classic X25519 first saves SSH.NET's managed
                // post-quantum hybrid (~100 ms per connection); the host key pin and key authentication stay.
                KeyExchangePreference = KeyExchange,
            };
        }
    }
}
