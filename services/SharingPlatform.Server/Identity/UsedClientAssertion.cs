namespace SharingPlatform.Server.Identity;

/// <summary>
/// A client assertion (private_key_jwt) already spent. The primary key refuses a second use of the same
/// jti on every replica that shares the database; rows are dropped once the assertion has expired.
/// </summary>
public sealed class UsedClientAssertion
{
    public required string ClientId { get; set; }

    public required string TokenId { get; set; }

    public DateTime ExpireTime { get; set; }
}
