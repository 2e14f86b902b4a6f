using System.CommandLine;

namespace SharingPlatform.Cli;

/// <summary>
/// Every option that takes a key file is named <c>--key-file</c>, or <c>--ROLE-key-file</c> where a command takes a key
/// of another role (<c>--admin-key-file</c>, <c>--linkage-key-file</c>). The names of earlier versions still work.
/// </summary>
internal static class KeyFileOption
{
    public const string Name = "--key-file";

    /// <summary>An option for a key file; <paramref name="role"/> null is the client key (or the audit key for <c>audit verify</c>).</summary>
    public static Option<FileInfo> Create(string? role, string description, string? earlierName)
    {
        var option = new Option<FileInfo>(role is null ? Name : $"--{role}-key-file") { Description = description, Required = true };
        if (earlierName is not null)
        {
            option.Aliases.Add(earlierName);
        }

        return option;
    }
}
