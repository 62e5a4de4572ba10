using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Odoo.Testing
{
    /// <summary>The real Odoo logs and what Odoo itself said about each (fixtures/odoo README tables).</summary>
    public static class OdooFixtures
    {
        public static string Dir => Path.Combine(Repo.Fixtures, "odoo");
        public static string Log(string name) => Path.Combine(Dir, name + ".log");
        public static string TestData => Path.Combine(Repo.Root, "tests", "unit", "Odoo", "Testing", "testdata");
        public static string FakeOdoo => Path.Combine(TestData, "fake-odoo.sh");

        public static int ExitCode(string name)
        {
            string line = File.ReadAllLines(Path.Combine(Dir, name + ".cmd")).Single(l => l.StartsWith("exit_code:"));
            return int.Parse(line.Substring("exit_code:".Length).Trim());
        }

        /// <summary>Every fixture log with a test summary: name, Odoo's failed, errors, tests.</summary>
        public static IEnumerable<object[]> WithSummary() => new[]
        {
            new object[] { "pass_default", 0, 0, 3 },
            new object[] { "pass_test_level", 0, 0, 3 },
            new object[] { "fail_default", 2, 0, 3 },
            new object[] { "fail_test_level", 2, 0, 3 },
            new object[] { "error_default", 0, 2, 2 },
            new object[] { "17.0-current/pass_default", 0, 0, 3 },
            new object[] { "17.0-current/fail_default", 2, 0, 3 },
            new object[] { "17.0-current/error_default", 0, 2, 2 },
            new object[] { "18.0/pass_default", 0, 0, 3 },
            new object[] { "18.0/pass_test_level", 0, 0, 3 },
            new object[] { "18.0/fail_default", 2, 0, 3 },
            new object[] { "18.0/fail_test_level", 2, 0, 3 },
            new object[] { "18.0/error_default", 0, 2, 2 },
            new object[] { "18.0/error_test_level", 0, 2, 2 },
            new object[] { "18.0/upgrade_tests", 0, 0, 3 },
        };

        /// <summary>Every .log of the fixture folder (so a new capture cannot be forgotten).</summary>
        public static IEnumerable<object[]> AllLogs() => Directory.GetFiles(Dir, "*.log", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Dir, p).Replace('\\', '/'))
            .Select(p => p.Substring(0, p.Length - 4)).OrderBy(p => p).Select(p => new object[] { p });

        public static void ValidateJUnit(string xml)
        {
            var schemas = new XmlSchemaSet();
            schemas.Add("", Path.Combine(TestData, "junit.xsd"));
            var errors = new List<string>();
            XDocument.Parse(xml).Validate(schemas, (_, e) => errors.Add(e.Message));
            Assert.True(errors.Count == 0, "JUnit not valid: " + string.Join("; ", errors));
        }
    }
}
