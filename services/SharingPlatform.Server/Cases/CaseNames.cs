using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using SharingPlatform.Server.Tenants;

namespace SharingPlatform.Server.Cases;

/// <summary>Parses and formats <c>tenants/{tenant}/cases/{case}</c> resource names.</summary>
public static partial class CaseNames
{
    [GeneratedRegex("^tenants/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)/cases/([a-z0-9][a-z0-9-]{0,62})\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static string Format(string tenantSlug, string caseId) => $"{TenantNames.Prefix}{tenantSlug}/cases/{caseId}";

    public static bool TryParse(string? name, [NotNullWhen(true)] out string? tenantSlug, [NotNullWhen(true)] out string? caseId)
    {
        tenantSlug = null;
        caseId = null;
        var match = Pattern().Match(name ?? "");
        if (!match.Success)
        {
            return false;
        }

        tenantSlug = match.Groups[1].Value;
        caseId = match.Groups[2].Value;
        return true;
    }
}
