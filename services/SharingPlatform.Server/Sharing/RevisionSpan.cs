using SharingPlatform.Server.Cases;

namespace SharingPlatform.Server.Sharing;

/// <summary>While one revision was its record's current version: from its own sequence and time up to (not including) the next revision's.</summary>
public readonly record struct RevisionSpan(long FromSeq, DateTime FromTime, long ToSeq, DateTime ToTime)
{
    /// <summary>The spans of one record's revisions, in sequence order; the last lasts until now.</summary>
    public static IEnumerable<(CaseRevision Revision, RevisionSpan Span)> Of(IEnumerable<CaseRevision> revisions)
    {
        CaseRevision? previous = null;
        foreach (var revision in revisions.OrderBy(r => r.Seq))
        {
            if (previous is not null)
            {
                yield return (previous, Between(previous, revision));
            }

            previous = revision;
        }

        if (previous is not null)
        {
            yield return (previous, new RevisionSpan(previous.Seq, previous.Time, long.MaxValue, DateTime.MaxValue));
        }
    }

    // A revision written before times were kept has Time = MinValue: the span before it then ends at no known time,
    // and is taken to last for ever in time (judged by sequence alone), which can only send more tombstones, never fewer.
    private static RevisionSpan Between(CaseRevision revision, CaseRevision next) =>
        new(revision.Seq, revision.Time, next.Seq, next.Time == DateTime.MinValue ? DateTime.MaxValue : next.Time);
}
