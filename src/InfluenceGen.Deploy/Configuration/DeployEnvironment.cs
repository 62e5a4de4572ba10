using System;
using System.Collections.Generic;
using System.Linq;

namespace InfluenceGen.Deploy.Configuration
{
    /// <summary>
    /// The one place that knows the names of the environments and which of them is production. The rule: an
    /// environment name is compared trimmed and case-insensitively, and <c>prod</c> is an alias of
    /// <c>production</c> everywhere (the resolver, the approval check, the database-copy guard and review
    /// environments all call <see cref="IsProduction"/> / <see cref="Normalize"/> instead of comparing strings).
    /// </summary>
    public static class DeployEnvironment
    {
        public const string Dev = "dev";
        public const string Staging = "staging";
        public const string Production = "production";
        public const string Local = "local";
        private const string ProductionAlias = "prod";

        /// <summary>The environments every installation knows; an environments file may add more.</summary>
        public static readonly IReadOnlyList<string> BuiltIn = new[] { Dev, Staging, Production, Local };

        /// <summary>Trimmed, lower-cased, with <c>prod</c> turned into <c>production</c>.</summary>
        public static string Normalize(string? environment)
        {
            string e = (environment ?? string.Empty).Trim().ToLowerInvariant();
            return e == ProductionAlias ? Production : e;
        }

        public static bool IsProduction(string? environment) => Normalize(environment) == Production;

        /// <summary>One of the built-in environments (review operations must never touch them).</summary>
        public static bool IsBuiltIn(string? environment) => BuiltIn.Contains(Normalize(environment));

        /// <summary>Backed up before upgrades by default.</summary>
        public static bool IsShared(string environment) => environment == Staging || IsProduction(environment);
    }
}
