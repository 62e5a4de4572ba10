using System.Text;
using System.Text.RegularExpressions;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>Python's <c>fnmatch.fnmatchcase</c>: <c>*</c> matches anything including '/',
    /// <c>?</c> one character, <c>[seq]</c>/<c>[!seq]</c> a class.</summary>
    public sealed class FnMatch
    {
        private readonly Regex _regex;

        public FnMatch(string pattern)
        {
            Pattern = pattern;
            _regex = new Regex(Translate(pattern), RegexOptions.Singleline | RegexOptions.CultureInvariant);
        }

        public string Pattern { get; }
        public bool IsMatch(string name) => _regex.IsMatch(name);

        private static string Translate(string pattern)
        {
            var sb = new StringBuilder("^(?:");
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '*') sb.Append(".*");
                else if (c == '?') sb.Append('.');
                else if (c == '[')
                {
                    int j = i + 1;
                    if (j < pattern.Length && pattern[j] == '!') j++;
                    if (j < pattern.Length && pattern[j] == ']') j++;
                    while (j < pattern.Length && pattern[j] != ']') j++;
                    if (j >= pattern.Length) { sb.Append("\\["); continue; }
                    string body = pattern.Substring(i + 1, j - i - 1).Replace("\\", "\\\\");
                    if (body.StartsWith("!")) body = "^" + body.Substring(1);
                    else if (body.StartsWith("^")) body = "\\" + body;
                    sb.Append('[').Append(body).Append(']');
                    i = j;
                }
                else sb.Append(Regex.Escape(c.ToString()));
            }
            return sb.Append(")$").ToString();
        }
    }
}
