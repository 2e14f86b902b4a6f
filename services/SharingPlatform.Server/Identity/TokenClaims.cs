namespace SharingPlatform.Server.Identity;

/// <summary>Claims the platform puts in access tokens besides <c>sub</c> (the client id).</summary>
public static class TokenClaims
{
    /// <summary>The slug of the client's tenant.</summary>
    public const string Tenant = "tenant";

    /// <summary>One claim per role the client held when the token was issued.</summary>
    public const string Role = "role";
}
