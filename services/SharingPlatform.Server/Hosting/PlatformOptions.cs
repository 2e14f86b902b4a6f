using System.ComponentModel.DataAnnotations;

namespace SharingPlatform.Server.Hosting;

/// <summary>Section <c>Platform</c>: where the server keeps its files.</summary>
public sealed class PlatformOptions
{
    public const string Section = "Platform";

    /// <summary>Holds the SQLite database, key files and bootstrap credentials; created owner-only if missing.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";
}
