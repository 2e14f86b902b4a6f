namespace SharingPlatform.Client.Audit;

/// <summary>
/// What an offline check of an exported audit chain found, shaped like the server's own
/// <c>VerifyAuditChainResponse</c> so an auditor can compare the two answers side by side.
/// </summary>
/// <param name="Intact">True when every event fits and every checkpoint given agrees with the export.</param>
/// <param name="VerifiedSize">
/// How many events from sequence 1 chain together. On its own this proves only internal consistency (whoever
/// rewrites history can recompute every hash); a signed checkpoint is what anchors it.
/// </param>
/// <param name="FirstBadSequence">The earliest sequence that does not fit; 0 when intact.</param>
/// <param name="Problem">What is wrong there, e.g. <c>gap</c> or <c>content changed</c>; empty when intact.</param>
public sealed record AuditVerification(bool Intact, long VerifiedSize, long FirstBadSequence, string Problem)
{
    /// <summary>An intact chain of <paramref name="size"/> events.</summary>
    public static AuditVerification Ok(long size) => new(true, size, 0, "");

    /// <summary>A chain whose first <paramref name="verifiedSize"/> events fit, broken at <paramref name="firstBad"/>.</summary>
    public static AuditVerification Failed(long verifiedSize, long firstBad, string problem) =>
        new(false, verifiedSize, firstBad, problem);
}
