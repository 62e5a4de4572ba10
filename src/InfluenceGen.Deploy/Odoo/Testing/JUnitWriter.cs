using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Odoo.Testing
{
    /// <summary>
    /// Writes an Odoo test run as JUnit XML the way GitLab reads it (artifacts:reports:junit):
    /// one &lt;testsuite&gt; per module and test class, &lt;testcase classname="odoo.addons.m.tests.file.Class"
    /// name="test_method"&gt;, &lt;failure&gt;/&lt;error&gt; with the exception line as message and the
    /// traceback as text, the test's own Odoo log lines in &lt;system-out&gt;. A class fixture error
    /// (setUpClass raising) is a testcase named after the fixture; everything else that makes the run
    /// red (no tests for a module, a module that failed to load, ERROR records outside tests, a crash,
    /// a timeout) is an &lt;error&gt; testcase in the suite "odoo", so GitLab shows why the job failed.
    /// The file is written to a temporary name and renamed.
    /// </summary>
    public static class JUnitWriter
    {
        public static void Write(OdooTestRunResult run, string path, DateTime? timestamp = null)
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            AtomicFile.WriteAllText(path, ToXml(run, timestamp ?? DateTime.UtcNow));
        }

        public static string ToXml(OdooTestRunResult run, DateTime timestamp)
        {
            var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
            var sb = new StringBuilder();
            using (var sw = new Utf8StringWriter(sb))
            using (XmlWriter w = XmlWriter.Create(sw, settings))
            {
                string stamp = timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
                var suites = run.TestCases
                    .GroupBy(t => (t.Module, Class: t.ClassName))
                    .OrderBy(g => g.Key.Module, StringComparer.Ordinal).ThenBy(g => g.Key.Class, StringComparer.Ordinal)
                    .ToList();
                int total = run.TestCases.Length + run.Problems.Length;
                int failures = run.TestCases.Count(t => t.Outcome == OdooTestOutcome.Failed);
                int errors = run.TestCases.Count(t => t.Outcome == OdooTestOutcome.Error) + run.Problems.Length;
                double seconds = run.Duration > TimeSpan.Zero ? run.Duration.TotalSeconds : run.TestCases.Sum(t => t.Seconds ?? 0);

                w.WriteStartDocument();
                w.WriteStartElement("testsuites");
                w.WriteAttributeString("name", "Odoo tests" + (run.Database.Length > 0 ? " (" + run.Database + ")" : string.Empty));
                w.WriteAttributeString("tests", Num(total));
                w.WriteAttributeString("failures", Num(failures));
                w.WriteAttributeString("errors", Num(errors));
                w.WriteAttributeString("time", Secs(seconds));
                int id = 0;
                foreach (var suite in suites)
                {
                    var cases = suite.ToList();
                    w.WriteStartElement("testsuite");
                    w.WriteAttributeString("name", suite.Key.Class);
                    w.WriteAttributeString("tests", Num(cases.Count));
                    w.WriteAttributeString("failures", Num(cases.Count(t => t.Outcome == OdooTestOutcome.Failed)));
                    w.WriteAttributeString("errors", Num(cases.Count(t => t.Outcome == OdooTestOutcome.Error)));
                    w.WriteAttributeString("skipped", Num(cases.Count(t => t.Outcome == OdooTestOutcome.Skipped)));
                    w.WriteAttributeString("time", Secs(cases.Sum(t => t.Seconds ?? 0)));
                    w.WriteAttributeString("timestamp", stamp);
                    w.WriteAttributeString("id", Num(id++));
                    w.WriteAttributeString("package", "odoo.addons." + suite.Key.Module);
                    w.WriteStartElement("properties");
                    Property(w, "odoo.module", suite.Key.Module);
                    Property(w, "odoo.phase", string.Join(",", cases.Select(c => c.Phase == OdooTestPhase.PostInstall ? "post_install" : "at_install").Distinct()));
                    w.WriteEndElement();
                    foreach (OdooTestCaseResult t in cases) WriteCase(w, t);
                    w.WriteEndElement();
                }
                if (run.Problems.Length > 0 || run.UnnamedPassed > 0 || run.Notes.Length > 0)
                {
                    w.WriteStartElement("testsuite");
                    w.WriteAttributeString("name", "odoo");
                    w.WriteAttributeString("tests", Num(run.Problems.Length));
                    w.WriteAttributeString("failures", "0");
                    w.WriteAttributeString("errors", Num(run.Problems.Length));
                    w.WriteAttributeString("time", "0.000");
                    w.WriteAttributeString("timestamp", stamp);
                    w.WriteAttributeString("id", Num(id));
                    w.WriteAttributeString("package", "odoo");
                    w.WriteStartElement("properties");
                    if (run.OdooSummary != null) Property(w, "odoo.summary", run.OdooSummary);
                    if (run.ExitCode != null) Property(w, "odoo.exit_code", Num(run.ExitCode.Value));
                    Property(w, "odoo.tests", Num(run.Tests));
                    Property(w, "odoo.failed", Num(run.Failed));
                    Property(w, "odoo.errors", Num(run.Errors));
                    w.WriteEndElement();
                    foreach (OdooTestProblem p in run.Problems)
                    {
                        w.WriteStartElement("testcase");
                        w.WriteAttributeString("classname", "odoo" + (p.Module != null ? ".addons." + p.Module : string.Empty));
                        w.WriteAttributeString("name", p.Kind + (p.Module != null ? " " + p.Module : string.Empty));
                        w.WriteAttributeString("time", "0.000");
                        w.WriteStartElement("error");
                        w.WriteAttributeString("type", p.ErrorId);
                        w.WriteAttributeString("message", Clean(p.Message));
                        w.WriteString(Clean(p.Detail ?? p.Message));
                        w.WriteEndElement();
                        w.WriteEndElement();
                    }
                    if (run.Notes.Length > 0 || run.UnnamedPassed > 0)
                        w.WriteElementString("system-out", Clean(string.Join("\n", run.Notes)));
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                w.WriteEndDocument();
            }
            return sb.ToString();
        }

        private static void WriteCase(XmlWriter w, OdooTestCaseResult t)
        {
            w.WriteStartElement("testcase");
            w.WriteAttributeString("classname", t.ClassName);
            w.WriteAttributeString("name", t.Method);
            w.WriteAttributeString("time", Secs(t.Seconds ?? 0));
            switch (t.Outcome)
            {
                case OdooTestOutcome.Failed:
                case OdooTestOutcome.Error:
                    w.WriteStartElement(t.Outcome == OdooTestOutcome.Failed ? "failure" : "error");
                    w.WriteAttributeString("type", t.ExceptionType ?? (t.Outcome == OdooTestOutcome.Failed ? "AssertionError" : "Error"));
                    w.WriteAttributeString("message", Clean(t.Message ?? string.Empty));
                    w.WriteString(Clean(t.Traceback ?? t.Message ?? string.Empty));
                    w.WriteEndElement();
                    break;
                case OdooTestOutcome.Skipped:
                    w.WriteStartElement("skipped");
                    w.WriteAttributeString("message", Clean(t.Message ?? string.Empty));
                    w.WriteEndElement();
                    break;
            }
            if (t.LogLines.Count > 0)
                w.WriteElementString("system-out", Clean(string.Join("\n", t.LogLines)));
            w.WriteEndElement();
        }

        private static void Property(XmlWriter w, string name, string value)
        {
            w.WriteStartElement("property");
            w.WriteAttributeString("name", name);
            w.WriteAttributeString("value", Clean(value));
            w.WriteEndElement();
        }

        private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
        private static string Secs(double s) => Math.Max(0, s).ToString("0.000", CultureInfo.InvariantCulture);

        /// <summary>Removes characters XML 1.0 cannot carry (control characters from a log).</summary>
        internal static string Clean(string text)
        {
            var sb = new StringBuilder(text.Length);
            foreach (char c in text)
                if (c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF)) sb.Append(c);
            return sb.ToString();
        }

        private sealed class Utf8StringWriter : StringWriter
        {
            public Utf8StringWriter(StringBuilder sb) : base(sb, CultureInfo.InvariantCulture) { }
            public override Encoding Encoding => new UTF8Encoding(false);
        }
    }
}
