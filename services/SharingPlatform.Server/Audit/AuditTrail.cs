namespace SharingPlatform.Server.Audit;

/// <summary>
/// What one call read, collected as it runs (scoped to the call): the resource names returned and the purposes
/// of the agreements they were shared through. <see cref="Written"/> is set once the call recorded its own event
/// (a write in its transaction, or each message of a pull), so the interceptor does not record it twice.
/// </summary>
public sealed class AuditTrail
{
    public List<string> Resources { get; } = [];

    public SortedSet<string> Purposes { get; } = new(StringComparer.Ordinal);

    public bool Written { get; set; }

    /// <summary>The outcome of a call that succeeded without doing what it asks: <c>REPLAYED</c> for a push answered
    /// from its receipt, so that an auditor tells a retry from a second write. Null: <c>OK</c>.</summary>
    public string? SucceededAs { get; set; }

    public string Purpose => string.Join(',', Purposes);
}
