using System;
using System.Management.Automation;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>
    /// A failure of the module's purpose, carrying the stable ErrorId and category the cmdlet base
    /// turns into an ErrorRecord (design principle 4). Domain code throws these; cmdlets never build
    /// error ids by hand.
    /// </summary>
    public class DeployException : Exception
    {
        public DeployException(string errorId, ErrorCategory category, string message, object? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            Target = target;
        }

        public string ErrorId { get; }
        public ErrorCategory Category { get; }
        public object? Target { get; }
        /// <summary>What the user can do about it, shown as the ErrorRecord's RecommendedAction.</summary>
        public string? RecommendedAction { get; init; }
    }
}
