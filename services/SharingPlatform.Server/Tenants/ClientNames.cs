using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace SharingPlatform.Server.Tenants;

/// <summary>
/// Client names, <c>tenants/{tenant}/clients/{client}</c>, which are also the OAuth client_id: a client id is
/// qualified by its tenant, so a tenant choosing one learns nothing about another tenant's clients.
/// </summary>
public static partial class ClientNames
{
    /// <summary>The longest name: OpenIddict stores client ids in 100 characters.</summary>
    public const int MaxLength = 100;

    /// <summary>The {client} part: 3-63 of a-z, 0-9 and -, starting and ending with a letter or digit.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\\z", RegexOptions.CultureInvariant)]
    public static partial Regex IdPattern();

    [GeneratedRegex("^tenants/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)/clients/([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    public static string Format(string tenantSlug, string clientId) => $"{TenantNames.Format(tenantSlug)}/clients/{clientId}";

    public static bool TryParse(string? name, [NotNullWhen(true)] out string? tenantSlug, [NotNullWhen(true)] out string? clientId)
    {
        var match = name is { Length: <= MaxLength } ? NamePattern().Match(name) : null;
        tenantSlug = match is { Success: true } ? match.Groups[1].Value : null;
        clientId = match is { Success: true } ? match.Groups[2].Value : null;
        return match is { Success: true };
    }

    /// <summary>Whether <paramref name="name"/> has the shape of a client name (a refused token request may claim any string).</summary>
    public static bool IsWellFormed(string? name) => TryParse(name, out _, out _);
}
