namespace SharingPlatform.Server.Audit;

/// <summary>
/// One kind of refusal from one source, the unit that <see cref="RefusalCounts"/> counts. <paramref name="Source"/> is a
/// pseudonym from <see cref="SourceAddresses"/> for unauthenticated callers, empty for a known client;
/// <paramref name="ActorTenant"/> is null when the tenant is looked up only when the count is written.
/// </summary>
public readonly record struct RefusalKey(string ActorClient, string? ActorTenant, string Source, string Action, string Outcome)
{
    /// <summary>Where refusals from sources beyond <c>RateLimits:MaxTrackedSources</c> are counted together.</summary>
    public RefusalKey Overflow() => new("-", "-", "other-sources", Action, Outcome);
}
