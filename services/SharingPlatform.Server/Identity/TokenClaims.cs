namespace SharingPlatform.Server.Identity;

/// <summary>Claims the platform puts in access tokens besides <c>sub</c> (the client id).</summary>
public static class TokenClaims
{
    /// <summary>The slug of the client's tenant.</summary>
    public const string Tenant = "tenant";

    /// <summary>One claim per role the client held when the token was issued.</summary>
    public const string Role = "role";

    /// <summary>
    /// RFC 7638 thumbprint of the client key whose assertion obtained the token (absent for a development secret
    /// client). Compared with the client's current key on every call, so a token outlives no key rotation.
    /// </summary>
    public const string ClientKey = "client_key";

    /// <summary>
    /// The client's <see cref="Tenants.ClientEntity.Generation"/> when the token was issued (absent means 0, as in
    /// tokens from before generations). Compared on every call, so a token obtained before a disable stays dead after
    /// the client is enabled again.
    /// </summary>
    public const string ClientGeneration = "client_generation";
}
