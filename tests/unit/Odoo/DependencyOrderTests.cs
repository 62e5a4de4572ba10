using InfluenceGen.Deploy.Odoo;

namespace InfluenceGen.Deploy.Tests.Odoo
{
    [Trait("Category", "Fast")]
    public class DependencyOrderTests
    {
        private static IReadOnlyDictionary<string, IReadOnlyList<string>> Graph(params (string Name, string[] Depends)[] nodes) =>
            nodes.ToDictionary(n => n.Name, n => (IReadOnlyList<string>)n.Depends);

        [Fact]
        public void DependenciesComeFirstAndTiesAreAlphabetical()
        {
            var order = DependencyOrder.Sort(Graph(("c", new[] { "a" }), ("b", new[] { "base" }), ("a", new string[0]), ("d", new[] { "c", "b" })));
            Assert.Equal(new[] { "a", "b", "c", "d" }, order);
        }

        [Fact]
        public void OrderIsStableWhateverTheInputOrder()
        {
            var one = DependencyOrder.Sort(Graph(("z", new string[0]), ("m", new[] { "z" }), ("a", new string[0])));
            var two = DependencyOrder.Sort(Graph(("a", new string[0]), ("m", new[] { "z" }), ("z", new string[0])));
            Assert.Equal(one, two);
            Assert.Equal(new[] { "a", "z", "m" }, one);
        }

        [Fact]
        public void ACycleIsNamed()
        {
            var ex = Assert.Throws<DependencyCycleException>(() => DependencyOrder.Sort(Graph(("a", new[] { "c" }), ("b", new[] { "a" }), ("c", new[] { "b" }), ("x", new string[0]))));
            Assert.Equal(new[] { "a", "c", "b", "a" }, ex.Cycle);
            Assert.Contains("a -> c -> b -> a", ex.Message);
        }
    }
}
