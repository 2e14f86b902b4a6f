using System.CommandLine;

namespace SharingPlatform.Cli;

/// <summary>Options every command takes.</summary>
public sealed class GlobalOptions
{
    public Option<string?> Profile { get; } = new("--profile") { Description = "Saved connection to use (default: default).", Recursive = true };

    public Option<OutputFormat> Output { get; } = new("--output", "-o") { Description = "table (for people) or json (for scripts).", DefaultValueFactory = _ => OutputFormat.Table, Recursive = true };
}

public enum OutputFormat
{
    Table,
    Json,
}
