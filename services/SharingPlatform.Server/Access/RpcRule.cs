namespace SharingPlatform.Server.Access;

/// <summary>Who may call one RPC: nobody authenticated (health), or a client holding one of <see cref="AnyOf"/>.</summary>
public sealed record RpcRule(bool Anonymous, IReadOnlySet<string> AnyOf)
{
    public static RpcRule Public { get; } = new(true, new HashSet<string>());

    public static RpcRule Require(params string[] anyOf) => new(false, anyOf.ToHashSet(StringComparer.Ordinal));
}
