// Lets netstandard2.0 use C# 'init' accessors and records.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
