using System;
using System.Collections.Generic;
using System.Linq;

namespace InfluenceGen.Deploy.Odoo
{
    /// <summary>A dependency cycle between packaged addons.</summary>
    public sealed class DependencyCycleException : Exception
    {
        public DependencyCycleException(IReadOnlyList<string> cycle)
            : base("the addons depend on each other in a cycle: " + string.Join(" -> ", cycle))
        {
            Cycle = cycle;
        }

        public IReadOnlyList<string> Cycle { get; }
    }

    /// <summary>Stable topological order: dependencies first, otherwise alphabetical (Kahn's
    /// algorithm with a sorted ready set), so the same addons always come out in the same order.</summary>
    public static class DependencyOrder
    {
        public static List<string> Sort(IReadOnlyDictionary<string, IReadOnlyList<string>> dependsOf)
        {
            var indegree = dependsOf.Keys.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
            var dependents = dependsOf.Keys.ToDictionary(k => k, _ => new List<string>(), StringComparer.Ordinal);
            foreach (var pair in dependsOf)
            {
                foreach (string dep in pair.Value.Distinct(StringComparer.Ordinal))
                {
                    if (!dependsOf.ContainsKey(dep)) continue; // external
                    indegree[pair.Key]++;
                    dependents[dep].Add(pair.Key);
                }
            }
            var ready = new SortedSet<string>(indegree.Where(p => p.Value == 0).Select(p => p.Key), StringComparer.Ordinal);
            var order = new List<string>();
            while (ready.Count > 0)
            {
                string next = ready.Min!;
                ready.Remove(next);
                order.Add(next);
                foreach (string dependent in dependents[next])
                    if (--indegree[dependent] == 0) ready.Add(dependent);
            }
            if (order.Count != dependsOf.Count)
                throw new DependencyCycleException(FindCycle(dependsOf, indegree.Where(p => p.Value > 0).Select(p => p.Key).ToList()));
            return order;
        }

        private static List<string> FindCycle(IReadOnlyDictionary<string, IReadOnlyList<string>> dependsOf, List<string> remaining)
        {
            var inCycle = new HashSet<string>(remaining, StringComparer.Ordinal);
            string start = remaining.OrderBy(n => n, StringComparer.Ordinal).First();
            var path = new List<string>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            string current = start;
            while (!seen.ContainsKey(current))
            {
                seen[current] = path.Count;
                path.Add(current);
                current = dependsOf[current].Where(inCycle.Contains).OrderBy(n => n, StringComparer.Ordinal).First();
            }
            var cycle = path.Skip(seen[current]).ToList();
            cycle.Add(current);
            return cycle;
        }
    }
}
