using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Approval
{
    /// <summary>Reads who approved from a JIRA issue: approver fields (user pickers, multi-user pickers, select
    /// options, text) and, from its changelog, who moved it into the approved status.</summary>
    internal static class Approvers
    {
        internal sealed class Person
        {
            public string Display = string.Empty;
            public List<string> Ids = new List<string>();
            public bool SameAs(Person other) => Ids.Any(i => other.Ids.Contains(i, StringComparer.OrdinalIgnoreCase));
        }

        /// <summary>A user picker (Cloud: accountId/displayName/emailAddress; Server: name/key/displayName),
        /// a multi-user picker (the first user), a select option ({"value"}), or text.</summary>
        public static Person? ReadPerson(JToken? token)
        {
            switch (token)
            {
                case null:
                    return null;
                case JArray array:
                    return array.Select(ReadPerson).FirstOrDefault(p => p != null);
                case JObject user:
                    var person = new Person();
                    foreach (string idField in new[] { "accountId", "key", "name", "emailAddress" })
                        if (user[idField] is JValue v && v.Type == JTokenType.String && ((string)v!).Length > 0) person.Ids.Add((string)v!);
                    string? display = (string?)user["displayName"] ?? (string?)user["value"] ?? (string?)user["name"] ?? person.Ids.FirstOrDefault();
                    if (string.IsNullOrWhiteSpace(display)) return null;
                    person.Display = display!;
                    if (person.Ids.Count == 0) person.Ids.Add(display!);
                    return person;
                case JValue value when value.Type == JTokenType.String:
                    string text = ((string)value!).Trim();
                    return text.Length == 0 ? null : new Person { Display = text, Ids = { text } };
                default:
                    return null;
            }
        }

        /// <summary>Who moved the issue into the approved status, from expand=changelog (latest first).</summary>
        public static string? StatusApprover(JObject issue, string approvedStatus)
        {
            if (!(issue.SelectToken("changelog.histories") is JArray histories)) return null;
            string? who = null;
            DateTimeOffset when = DateTimeOffset.MinValue;
            foreach (JObject history in histories.OfType<JObject>())
            {
                bool toApproved = (history["items"] as JArray)?.OfType<JObject>()
                    .Any(i => string.Equals((string?)i["field"], "status", StringComparison.OrdinalIgnoreCase)
                              && string.Equals((string?)i["toString"], approvedStatus, StringComparison.OrdinalIgnoreCase)) == true;
                if (!toApproved) continue;
                DateTimeOffset at = DateTimeOffset.TryParse((string?)history["created"], System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.None, out DateTimeOffset parsed) ? parsed : DateTimeOffset.MinValue;
                if (who == null || at >= when)
                {
                    who = (string?)history.SelectToken("author.displayName") ?? (string?)history.SelectToken("author.name");
                    when = at;
                }
            }
            return who;
        }
    }
}
