using System;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Environments
{
    /// <summary>
    /// The names of a review environment, derived from its branch slug (GitLab's CI_COMMIT_REF_SLUG: lower case,
    /// [a-z0-9-], at most 63 characters). The key is the slug itself when it has at most 24 characters, else its
    /// first 16 characters, '-' and 8 hex digits of its SHA-256: a shortened key is 25 characters long and an
    /// unshortened one at most 24, so two slugs never share a key. The database, deploy root and service are the
    /// dev environment's with the key appended; the HTTP port is hashed into a range (a clash between two live
    /// review environments is refused when the second is created, never shared).
    /// </summary>
    public sealed class ReviewEnvironment
    {
        public const string Prefix = "review/";
        public const int MaxKeyLength = 24;
        private static readonly Regex Slug = new Regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant);

        private ReviewEnvironment(string slug)
        {
            Slug_ = slug;
            Key = slug.Length <= MaxKeyLength ? slug : slug.Substring(0, 16).TrimEnd('-') + "-" + Hashing.Sha256Hex(slug).Substring(0, 8);
        }

        private string Slug_ { get; }
        /// <summary>The branch slug as GitLab gives it.</summary>
        public string BranchSlug => Slug_;
        /// <summary>The slug, or its shortened form with a hash (at most 25 characters, [a-z0-9-]).</summary>
        public string Key { get; }
        /// <summary>review/&lt;slug&gt;: GitLab's environment name and the module's.</summary>
        public string Name => Prefix + Slug_;

        /// <summary>True for names starting with review/ (valid or not).</summary>
        public static bool IsReviewName(string environment) => environment.Trim().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

        /// <summary>The review environment named <paramref name="environment"/> (review/&lt;slug&gt;); a bad slug is an error saying why.</summary>
        public static ReviewEnvironment Parse(string environment)
        {
            string name = environment.Trim();
            if (!IsReviewName(name))
                throw new DeployException(ErrorIds.NotAReviewEnvironment, ErrorKind.InvalidArgument,
                    $"'{environment}' is not a review environment: review environments are named review/<branch slug> (CI_COMMIT_REF_SLUG)", environment);
            string slug = name.Substring(Prefix.Length).ToLowerInvariant();
            if (!Slug.IsMatch(slug))
                throw new DeployException(ErrorIds.InvalidReviewName, ErrorKind.InvalidArgument,
                    $"'{environment}': the branch slug '{slug}' is not a GitLab ref slug (1-63 characters of a-z, 0-9 and '-', not starting or ending with '-'); pass $CI_COMMIT_REF_SLUG", environment);
            return new ReviewEnvironment(slug);
        }

        /// <summary>The database: the dev database's name, "_rv_" and the key with '-' as '_'.</summary>
        public string Database(string devDatabase)
        {
            string db = devDatabase + "_rv_" + Key.Replace('-', '_');
            if (db.Length > 63)
                throw new DeployException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument,
                    $"the database of {Name} would be '{db}', longer than PostgreSQL's 63 characters: shorten the dev OdooDatabase", "OdooDatabase");
            return db;
        }

        /// <summary>The deploy root: &lt;dev DeployRoot&gt;/review/&lt;key&gt;.</summary>
        public string DeployRoot(string devRoot) => devRoot.TrimEnd('/') + "/review/" + Key;

        /// <summary>The Odoo service: &lt;dev service&gt;@&lt;key&gt; (a systemd template instance, e.g. odoo@.service).</summary>
        public string Service(string devService) => devService + "@" + Key;

        /// <summary>The HTTP port: base + (first 4 bytes of SHA-256(key)) mod count.</summary>
        public int Port(int portBase, int portCount)
        {
            if (portCount < 1) throw new DeployException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidArgument, "ReviewPortCount must be at least 1", "ReviewPortCount");
            uint h = uint.Parse(Hashing.Sha256Hex(Key).Substring(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return portBase + (int)(h % (uint)portCount);
        }

        /// <summary>The URL: the template (ReviewUrl: {slug} {key} {port}), else the dev OdooUrl's scheme and host on the review port.</summary>
        public string? Url(string? template, string? devUrl, int port)
        {
            if (!string.IsNullOrEmpty(template))
                return template!.Replace("{slug}", Slug_).Replace("{key}", Key).Replace("{port}", port.ToString(CultureInfo.InvariantCulture));
            if (string.IsNullOrEmpty(devUrl) || !Uri.TryCreate(devUrl, UriKind.Absolute, out Uri? uri)) return null;
            return new UriBuilder(uri.Scheme, uri.Host, port).Uri.ToString().TrimEnd('/');
        }

        /// <summary>The fixed environments a review operation must never touch.</summary>
        public static bool IsFixed(string environment) =>
            Configuration.DeployEnvironment.IsBuiltIn(environment);

        public override string ToString() => Name;
    }
}
