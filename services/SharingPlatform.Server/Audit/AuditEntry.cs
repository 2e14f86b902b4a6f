namespace SharingPlatform.Server.Audit;

/// <summary>What to record: who did what to which resources, why, and how it ended.</summary>
public sealed record AuditEntry(
    string ActorClient, string ActorTenant, string Action, IReadOnlyList<string> Resources,
    string Purpose, string Outcome, string RequestId);
