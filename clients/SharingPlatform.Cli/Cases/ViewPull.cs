using SharingPlatform.Client.Sync;

namespace SharingPlatform.Cli.Cases;

/// <summary>
/// What <c>cases pull</c> tells the user and when it rewrites the .jsonl export: after a pull; while following, at
/// most every <see cref="ExportInterval"/> once new changes are in (each export rewrites the whole file), and when
/// the follow ends.
/// </summary>
internal sealed class ViewPull(CliContext context, LocalView view, string? export, int imported)
{
    public static readonly TimeSpan ExportInterval = TimeSpan.FromSeconds(10);

    private int _reported = -1;
    private int _exported = -1;
    private DateTime _exportTime = DateTime.MinValue;
    private int _applied;

    public void Export(PullSummary summary)
    {
        _applied = summary.Upserts + summary.Deletions;
        Export();
    }

    private void Export()
    {
        if (export is not null)
        {
            view.ExportJsonl(export);
            _exported = _applied;
            _exportTime = DateTime.UtcNow;
        }
    }

    /// <summary>What was applied, and what the view holds: the tenant's own records apart from those each grantor shares.</summary>
    public void Report(PullSummary summary)
    {
        var byTenant = view.CountByTenant();
        var own = byTenant.GetValueOrDefault(context.OwnParent);
        var shared = byTenant.Where(t => t.Key != context.OwnParent).ToDictionary(t => t.Key["tenants/".Length..], t => t.Value, StringComparer.Ordinal);
        var sharedText = shared.Count == 0 ? "none shared with you" : string.Join(", ", shared.Select(s => $"{s.Value} shared by {s.Key}"));
        var text = $"{summary.Upserts} records added or updated, {summary.Deletions} removed; {summary.Held} held in {view.Path} ({own} your own, {sharedText})"
            + (export is null ? "" : _exported == _applied ? $", exported to {export}" : ", export to follow")
            + (summary.CaughtUp ? "" : "; not caught up yet, pull again");
        context.Output.Result(
            new { upserts = summary.Upserts, deletions = summary.Deletions, held = summary.Held, own, sharedByGrantor = shared, caughtUp = summary.CaughtUp, imported }, text);
    }

    /// <summary>With --follow: a line whenever changes came in since the last one (and at the first catch-up).</summary>
    public Task CaughtUpAsync(PullSummary summary, CancellationToken cancellationToken)
    {
        _applied = summary.Upserts + summary.Deletions;
        if (_applied != _exported && DateTime.UtcNow - _exportTime >= ExportInterval)
        {
            Export();
        }

        if (_applied != _reported)
        {
            if (_reported < 0 && !context.Output.Json)
            {
                context.Output.Out.WriteLine("Caught up; following new changes until Ctrl-C.");
            }

            _reported = _applied;
            Report(summary);
        }

        return Task.CompletedTask;
    }

    /// <summary>When a follow ends: the export catches up with the view.</summary>
    public void Finish(PullSummary summary)
    {
        _applied = summary.Upserts + summary.Deletions;
        if (_applied != _exported)
        {
            Export();
        }
    }
}
