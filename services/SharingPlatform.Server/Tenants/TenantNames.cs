using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace SharingPlatform.Server.Tenants;

/// <summary>Parses and formats <c>tenants/{tenant}</c> resource names.</summary>
public static partial class TenantNames
{
    public const string Prefix = "tenants/";

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    public static partial Regex SlugPattern();

    public static string Format(string slug) => Prefix + slug;

    public static bool TryParse(string? name, [NotNullWhen(true)] out string? slug)
    {
        slug = null;
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var candidate = name[Prefix.Length..];
        if (!SlugPattern().IsMatch(candidate))
        {
            return false;
        }

        slug = candidate;
        return true;
    }
}
