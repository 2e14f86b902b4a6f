namespace SharingPlatform.Client.Audit;

/// <summary>
/// What an offline check of an exported audit chain found, and no more than the evidence shows. An event that does
/// not fit the events before it is named exactly. But a checkpoint holds only the head hash of its first <c>size</c>
/// events, so when the events fit together and a checkpoint still disagrees (another head there, or a chain that
/// ends short of it, as after a truncation even when new events were appended after the cut), nothing names the
/// event that differs: the first bad sequence is then a range, from one past the largest kept checkpoint that still
/// matches to the checkpoint's size. Either way the events before it are only shown to chain together; that they are
/// the ones written is proven as far as a kept checkpoint still matches.
/// </summary>
/// <param name="Intact">True when every event fits and every checkpoint given is genuine and agrees with the export.</param>
/// <param name="VerifiedSize">
/// How many events from sequence 1 chain together. On its own this proves only internal consistency (whoever
/// rewrites history can recompute every hash); a signed checkpoint is what anchors it.
/// </param>
/// <param name="FirstBadFrom">
/// The first sequence that does not fit is at least this one. 0 when intact, and when the fault is a checkpoint's
/// alone (its signature does not verify with the pinned key, or an older one is given as the latest): that shows no
/// event to be bad, only that the checkpoint is no evidence.
/// </param>
/// <param name="FirstBadTo">
/// The first sequence that does not fit is at most this one; equal to <paramref name="FirstBadFrom"/> when it is known
/// exactly.
/// </param>
/// <param name="Problem">
/// What is wrong there, e.g. <c>gap</c> or <c>content changed</c>; empty when intact. One problem: the one that
/// places the earliest bad sequence, otherwise the checkpoint's.
/// </param>
public sealed record AuditVerification(bool Intact, long VerifiedSize, long FirstBadFrom, long FirstBadTo, string Problem)
{
    /// <summary>The first sequence that does not fit when the evidence names it exactly; null when intact or when only a range is known.</summary>
    public long? FirstBadSequence => FirstBadFrom > 0 && FirstBadFrom == FirstBadTo ? FirstBadFrom : null;

    /// <summary>An intact chain of <paramref name="size"/> events.</summary>
    public static AuditVerification Ok(long size) => new(true, size, 0, 0, "");

    /// <summary>
    /// A chain that goes wrong somewhere in <paramref name="from"/>..<paramref name="to"/>, no closer known (exactly
    /// when they are equal; 0..0 when only a checkpoint is at fault).
    /// </summary>
    public static AuditVerification Failed(long verifiedSize, long from, long to, string problem) =>
        new(false, verifiedSize, from, to, problem);
}
