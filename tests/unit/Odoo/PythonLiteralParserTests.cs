using InfluenceGen.Deploy.Odoo;

namespace InfluenceGen.Deploy.Tests.Odoo
{
    [Trait("Category", "Fast")]
    public class PythonLiteralParserTests
    {
        private static PythonDict Dict(string text) => Assert.IsType<PythonDict>(PythonLiteralParser.Parse(text));

        private static object? Value(string text, string key)
        {
            Assert.True(Dict(text).TryGet(key, out object? value), $"key {key} missing");
            return value;
        }

        [Theory]
        [InlineData("{'a': 'x'}", "x")]
        [InlineData("{\"a\": \"x\"}", "x")]
        [InlineData("{'a': 'con' \"cat\"\n  'ena' 'tion'}", "concatenation")]
        [InlineData("{'a': '''tri\nple'''}", "tri\nple")]
        [InlineData("{'a': \"\"\"say \"hi\" \"\"\"}", "say \"hi\" ")]
        [InlineData("{'a': r'C:\\new\\t'}", "C:\\new\\t")]
        [InlineData("{'a': 'tab\\there\\nnl \\x41\\u00e9\\101 \\'q\\''}", "tab\there\nnl Aé\u0041 'q'")]
        [InlineData("{'a': u'unicode'}", "unicode")]
        [InlineData("{'a': 'line \\\ncontinued'}", "line continued")]
        [InlineData("{'a': 'keeps \\d unknown escapes'}", "keeps \\d unknown escapes")]
        public void Strings(string text, string expected) => Assert.Equal(expected, Value(text, "a"));

        [Fact]
        public void NumbersBooleansNone()
        {
            PythonDict d = Dict("{'i': 42, 'n': -7, 'h': 0x1F, 'o': 0o17, 'b': 0b101, 'u': 1_000, 'f': 1.5, 'e': 2e3, 't': True, 'F': False, 'N': None}");
            Assert.True(d.TryGet("i", out var i)); Assert.Equal(42L, i);
            Assert.True(d.TryGet("n", out var n)); Assert.Equal(-7L, n);
            Assert.True(d.TryGet("h", out var h)); Assert.Equal(31L, h);
            Assert.True(d.TryGet("o", out var o)); Assert.Equal(15L, o);
            Assert.True(d.TryGet("b", out var b)); Assert.Equal(5L, b);
            Assert.True(d.TryGet("u", out var u)); Assert.Equal(1000L, u);
            Assert.True(d.TryGet("f", out var f)); Assert.Equal(1.5, f);
            Assert.True(d.TryGet("e", out var e)); Assert.Equal(2000.0, e);
            Assert.True(d.TryGet("t", out var t)); Assert.Equal(true, t);
            Assert.True(d.TryGet("F", out var ff)); Assert.Equal(false, ff);
            Assert.True(d.TryGet("N", out var nn)); Assert.Same(NoneValue.Instance, nn);
        }

        [Fact]
        public void ContainersCommentsTrailingCommas()
        {
            const string text = @"# -*- coding: utf-8 -*-
# a comment
{
    'name': 'X',  # trailing comment
    'depends': ['base', 'mail',],
    'tuple': ('a', 'b'),
    'one': ('a',),
    'group': ('a'),
    'empty': (),
    'set': {'x', 'y'},
    'nested': {'assets': {'web.assets_backend': ['a.js', ('include', 'b')]}},
}
";
            PythonDict d = Dict(text);
            Assert.True(d.TryGet("depends", out var deps));
            Assert.Equal(new object?[] { "base", "mail" }, ((PythonList)deps!).ToArray());
            Assert.True(d.TryGet("tuple", out var tuple)); Assert.True(((PythonList)tuple!).IsTuple); Assert.Equal(2, ((PythonList)tuple!).Count);
            Assert.True(d.TryGet("one", out var one)); Assert.Single((PythonList)one!);
            Assert.True(d.TryGet("group", out var group)); Assert.Equal("a", group);
            Assert.True(d.TryGet("empty", out var empty)); Assert.Empty((PythonList)empty!);
            Assert.True(d.TryGet("set", out var set)); Assert.Equal(2, ((PythonList)set!).Count);
            Assert.True(d.TryGet("nested", out var nested));
            Assert.True(((PythonDict)nested!).TryGet("assets", out var assets));
            Assert.Equal(1, ((PythonDict)assets!).Count);
        }

        [Fact]
        public void RepeatedKeyKeepsTheLastValueLikePython()
        {
            Assert.Equal("second", Value("{'a': 'first', 'a': 'second'}", "a"));
        }

        [Fact]
        public void ListItemsKnowTheirLine()
        {
            PythonDict d = Dict("{\n 'data': [\n   'a.xml',\n   'b.xml',\n ],\n}");
            Assert.True(d.TryGet("data", out var data));
            Assert.Equal((4, 4), ((PythonList)data!).PositionOf(1));
            Assert.Equal((2, 2), d.PositionOf("data"));
        }

        [Theory]
        [InlineData("{\n  'name': 'Broken',\n  'depends': ['base'\n}", 4, 1, "expected")]
        [InlineData("{'a': 'unterminated}", 1, 7, "unterminated string")]
        [InlineData("{'a': '''never closed", 1, 7, "unterminated triple-quoted string")]
        [InlineData("{\n 'a': open('x').read(),\n}", 2, 7, "not a literal")]
        [InlineData("{'a': __import__('os')}", 1, 7, "not a literal")]
        [InlineData("{'a': f'{x}'}", 1, 7, "f-string")]
        [InlineData("{'a': 1 + 2}", 1, 9, "expected")]
        [InlineData("{'a': 1} {'b': 2}", 1, 10, "after the end")]
        [InlineData("", 1, 1, "empty")]
        [InlineData("{'a': 012}", 1, 7, "leading zeros")]
        [InlineData("{'a': 1,\n 'b' 2}", 2, 6, "':'")]
        public void SyntaxErrorsNameLineAndColumn(string text, int line, int column, string fragment)
        {
            var ex = Assert.Throws<PythonSyntaxException>(() => PythonLiteralParser.Parse(text));
            Assert.Equal(line, ex.Line);
            Assert.Equal(column, ex.Column);
            Assert.Contains(fragment, ex.Message);
        }

        [Fact]
        public void ANonDictLiteralParsesButIsNotAManifest()
        {
            Assert.IsType<PythonList>(PythonLiteralParser.Parse("['a']"));
        }

        [Fact]
        public void EveryRealSampleManifestParses()
        {
            foreach (string manifest in Directory.GetFiles(Harness.Repo.SampleAddons, "__manifest__.py", SearchOption.AllDirectories))
                Assert.IsType<PythonDict>(PythonLiteralParser.Parse(File.ReadAllText(manifest)));
        }
    }
}
