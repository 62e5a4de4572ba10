using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Images
{
    /// <summary>What to build, resolved (parameters and CI variables already applied).</summary>
    public sealed class ImageBuildRequest
    {
        public string ContextDirectory { get; set; } = ".";
        /// <summary>The Dockerfile: relative to the context, or a full path.</summary>
        public string Dockerfile { get; set; } = "Dockerfile";
        /// <summary>The Dockerfile as the user named it (in messages).</summary>
        public string? DisplayDockerfile { get; set; }
        /// <summary>The repository, with its registry when it is to be pushed (registry.example.com/group/app).</summary>
        public string Repository { get; set; } = string.Empty;
        public IReadOnlyList<string> Tags { get; set; } = Array.Empty<string>();
        public IDictionary<string, string> BuildArgs { get; set; } = new Dictionary<string, string>();
        public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();
        public string? Target { get; set; }
        public bool NoCache { get; set; }
        public string? Platform { get; set; }
        public string? NetworkMode { get; set; }
        public bool Push { get; set; }
        public RegistryCredential? Credential { get; set; }
        /// <summary>How many of the build's last output lines a failure shows.</summary>
        public int FailureContextLines { get; set; } = 12;

        public IEnumerable<string> References => Tags.Select(t => Repository + ":" + t);
    }

    /// <summary>A registry login; the password is a secret (registered with the masker by whoever made it).</summary>
    public sealed class RegistryCredential
    {
        public RegistryCredential(string server, string user, string password) { Server = server; User = user; Password = password; }
        public string Server { get; }
        public string User { get; }
        public string Password { get; }
        public override string ToString() => $"{User}@{Server}";
    }

    /// <summary>One tag of a built image and, once pushed, the registry's manifest digest for it.</summary>
    public sealed class ImageTagResult
    {
        public string Tag { get; set; } = string.Empty;
        public string Reference { get; set; } = string.Empty;
        public string? Digest { get; set; }
        /// <summary><c>repository@sha256:…</c>, what a deploy pins; null until pushed.</summary>
        public string? PinnedReference { get; set; }
        public override string ToString() => PinnedReference ?? Reference;
    }

    /// <summary>The outcome of Build-InfluenceGenImage.</summary>
    public sealed class InfluenceGenImage
    {
        public string Repository { get; set; } = string.Empty;
        public string ImageId { get; set; } = string.Empty;
        public string[] Tags { get; set; } = Array.Empty<string>();
        public ImageTagResult[] TagResults { get; set; } = Array.Empty<ImageTagResult>();
        public bool Pushed { get; set; }
        /// <summary>The pushed manifest digest (the same for every tag of one image); null when not pushed.</summary>
        public string? Digest { get; set; }
        public string? PinnedReference => Digest == null ? null : Repository + "@" + Digest;
        public string Dockerfile { get; set; } = string.Empty;
        public string Context { get; set; } = string.Empty;
        public int ContextFiles { get; set; }
        public long ContextBytes { get; set; }
        public int Steps { get; set; }
        public int CachedSteps { get; set; }
        /// <summary>True when the first tag already held the image of these exact inputs (the build fingerprint label
        /// matched): no step ran and the context was not sent.</summary>
        public bool Reused { get; set; }
        public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();
        public TimeSpan Duration { get; set; }
    }

    /// <summary>
    /// Image names and tags as the pipeline derives them: the repository under the registry prefix,
    /// the commit SHA, the branch slug, and <c>latest</c> on the default branch; OCI labels from the
    /// CI variables.
    /// </summary>
    public static class ImageNaming
    {
        private static readonly Regex TagPattern = new Regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$");
        private static readonly Regex RepositoryPattern = new Regex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$");

        /// <summary>registry/name: a name that already starts with a registry host is kept.</summary>
        public static string Repository(string name, string? registryPrefix)
        {
            string n = name.Trim().TrimEnd('/');
            string? prefix = registryPrefix?.Trim();
            if (!string.IsNullOrEmpty(prefix))
            {
                prefix = Regex.Replace(prefix!, "^[a-zA-Z][a-zA-Z0-9+.-]*://", string.Empty).TrimEnd('/');
                if (RegistryHost(n) == null && !n.StartsWith(prefix + "/", StringComparison.Ordinal) && n != prefix) n = prefix + "/" + n;
            }
            string host = RegistryHost(n) ?? string.Empty;
            string path = host.Length == 0 ? n : n.Substring(host.Length + 1);
            if (path.Length == 0 || !RepositoryPattern.IsMatch(path))
                throw new DeployException(ErrorIds.InvalidImageName, ErrorKind.InvalidArgument,
                    $"'{n}' is not a valid image repository (lower-case letters, digits and . _ - separated by /; no tag here — use -Tag)", name);
            return n;
        }

        /// <summary>The registry host of a repository (first component with a '.' or ':' or 'localhost'), or null (Docker Hub).</summary>
        public static string? RegistryHost(string repository)
        {
            int slash = repository.IndexOf('/');
            if (slash < 0) return null;
            string first = repository.Substring(0, slash);
            return first.Contains(".") || first.Contains(":") || first == "localhost" ? first : null;
        }

        /// <summary>The tags: explicit ones, else IMAGE_TAG_PARAM; plus the commit SHA, the branch slug and
        /// latest on the default branch (for a build in CI); <c>latest</c> when nothing else applies.</summary>
        public static IReadOnlyList<string> Tags(IEnumerable<string>? explicitTags, Func<string, string?> variable)
        {
            var tags = new List<string>();
            void Add(string? t) { if (!string.IsNullOrWhiteSpace(t) && !tags.Contains(t!.Trim())) tags.Add(t.Trim()); }
            if (explicitTags != null) foreach (string t in explicitTags) Add(t);
            if (tags.Count == 0) foreach (string t in (variable("IMAGE_TAG_PARAM") ?? string.Empty).Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries)) Add(t);
            if (explicitTags == null || !explicitTags.Any())
            {
                Add(variable("CI_COMMIT_SHA"));
                string? branch = variable("CI_COMMIT_BRANCH");
                Add(variable("CI_COMMIT_REF_SLUG") ?? (branch == null ? null : Slug(branch)));
                string? defaultBranch = variable("CI_DEFAULT_BRANCH");
                if (!string.IsNullOrEmpty(branch) && branch == defaultBranch) Add("latest");
            }
            if (tags.Count == 0) tags.Add("latest");
            foreach (string t in tags)
                if (!TagPattern.IsMatch(t))
                    throw new DeployException(ErrorIds.InvalidImageTag, ErrorKind.InvalidArgument,
                        $"'{t}' is not a valid image tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -)", t);
            return tags;
        }

        /// <summary>GitLab's CI_COMMIT_REF_SLUG: lower-cased, [^a-z0-9] to '-', at most 63, no leading/trailing '-'.</summary>
        public static string Slug(string reference)
        {
            string s = Regex.Replace(reference.ToLowerInvariant(), "[^a-z0-9]", "-");
            if (s.Length > 63) s = s.Substring(0, 63);
            return s.Trim('-');
        }

        /// <summary>OCI annotations from GitLab's predefined variables (only those that are set).
        /// <c>created</c> is the commit's time, so the same commit gives the same labels.</summary>
        public static IDictionary<string, string> Labels(Func<string, string?> variable)
        {
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
            void Add(string key, string? value) { if (!string.IsNullOrEmpty(value)) labels["org.opencontainers.image." + key] = value!; }
            Add("revision", variable("CI_COMMIT_SHA"));
            Add("source", variable("CI_PROJECT_URL"));
            Add("created", variable("CI_COMMIT_TIMESTAMP"));
            Add("version", variable("CI_COMMIT_TAG") ?? variable("CI_COMMIT_SHORT_SHA"));
            Add("title", variable("CI_PROJECT_TITLE"));
            return labels;
        }
    }
}
