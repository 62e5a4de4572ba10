using System;
using System.Text;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Approval
{
    public enum JiraFlavor
    {
        /// <summary>JIRA Cloud: REST API v3 (comments in Atlassian Document Format), Basic auth with
        /// the account e-mail and an API token.</summary>
        Cloud,
        /// <summary>JIRA Server / Data Center: REST API v2 (plain-text comments), a personal access
        /// token sent as a bearer token.</summary>
        Server,
    }

    /// <summary>Where JIRA is and how to authenticate; the token never leaves this object except as
    /// the Authorization header.</summary>
    public sealed class JiraConnection
    {
        public JiraConnection(Uri baseUrl, JiraFlavor flavor, string? username, string token)
        {
            BaseUrl = baseUrl; Flavor = flavor; Username = username; Token = token;
        }

        public Uri BaseUrl { get; }
        public JiraFlavor Flavor { get; }
        public string? Username { get; }
        internal string Token { get; }
        public int ApiVersion => Flavor == JiraFlavor.Cloud ? 3 : 2;

        public string AuthorizationHeader => Flavor == JiraFlavor.Cloud
            ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes((Username ?? string.Empty) + ":" + Token))
            : "Bearer " + Token;

        public Uri Api(string relative) => new Uri(BaseUrl.AbsoluteUri.TrimEnd('/') + $"/rest/api/{ApiVersion}/" + relative.TrimStart('/'));

        public string Browse(string key) => BaseUrl.AbsoluteUri.TrimEnd('/') + "/browse/" + Uri.EscapeDataString(key);

        /// <summary>cloud / server / auto (auto = cloud for *.atlassian.net, else server).</summary>
        public static JiraFlavor ParseFlavor(string? value, Uri baseUrl)
        {
            switch ((value ?? "auto").Trim().ToLowerInvariant())
            {
                case "cloud": case "v3": case "3": return JiraFlavor.Cloud;
                case "server": case "datacenter": case "data-center": case "dc": case "v2": case "2": return JiraFlavor.Server;
                case "auto": case "":
                    return baseUrl.Host.EndsWith(".atlassian.net", StringComparison.OrdinalIgnoreCase) ? JiraFlavor.Cloud : JiraFlavor.Server;
                default:
                    throw new Infrastructure.DeployException(ErrorIds.InvalidConfigurationValue, ErrorKind.InvalidArgument,
                        $"JiraFlavor (JIRA_FLAVOR) '{value}' is not cloud, server or auto", "JiraFlavor");
            }
        }
    }
}
