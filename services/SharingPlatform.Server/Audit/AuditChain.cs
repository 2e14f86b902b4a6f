extern alias sdk;

using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Tenants;
using AuditHashing = sdk::SharingPlatform.Client.Audit.AuditHashing;

namespace SharingPlatform.Server.Audit;

/// <summary>
/// Appends to the single audit chain. An append locks the head row until its transaction commits, so events get
/// consecutive sequence numbers and each links to the one before, whatever the number of writers or replicas.
/// Writers that hold the change-sequence lock take this one after it (never the other way round).
/// <para>
/// Events that stand alone (reads, pull messages, refusals, tokens) are committed in groups: each caller queues its
/// entry and waits for the commit of the transaction that holds it; one loop per process appends everything queued
/// (up to <see cref="MaxGroup"/>) in one transaction, so concurrent readers share a commit instead of taking turns
/// for one each. A read is still recorded before it is served.
/// </para>
/// </summary>
public sealed class AuditChain : IAsyncDisposable, IDisposable
{
    /// <summary>Most events committed in one transaction.</summary>
    public const int MaxGroup = 256;

    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider time;
    private readonly bool _disabled;
    private readonly Channel<Queued> _queue = Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _appender;

    private readonly ILogger<AuditChain> _logger;
    private volatile string? _fault;

    private readonly StorageState _storage;
    private readonly Observability.PlatformMetrics _metrics;

    public AuditChain(IServiceScopeFactory scopes, TimeProvider time, IOptions<AuditOptions> options, IHostEnvironment environment, ILogger<AuditChain> logger, StorageState storage, Observability.PlatformMetrics metrics)
    {
        _metrics = metrics;
        _storage = storage;
        AuditOptions.Check(options.Value, environment);
        this.scopes = scopes;
        this.time = time;
        _logger = logger;
        _disabled = options.Value.Disabled;
        _appender = Task.Run(AppendQueuedAsync);
    }

    /// <summary>
    /// Why the chain cannot take events (its head does not match its last event), or null. While it is set every
    /// append fails with <see cref="AuditUnavailableException"/>, so nothing is served unrecorded; VerifyAuditChain
    /// alone still answers, for the diagnosis. Set at start and when an append is refused; cleared by a check that passes.
    /// </summary>
    public string? Fault => _fault;

    /// <summary>Checks the end of the chain (<see cref="AuditHeadCheck"/>) and sets or clears <see cref="Fault"/>.</summary>
    public async Task<string?> CheckHeadAsync(SharingDbContext db, CancellationToken cancellationToken)
    {
        var problem = await AuditHeadCheck.ProblemAsync(db, cancellationToken);
        if (problem is not null && _fault is null)
        {
            Hosting.Log.AuditChainFault(_logger, problem);
        }

        _fault = problem;
        return problem;
    }

    /// <summary>
    /// Appends inside the caller's open transaction: the events commit with the change they record, or not at all.
    /// An entry that names resources of several tenants becomes one event per tenant, each with that tenant's
    /// resources only, so that no tenant's auditor ever sees another tenant's resource names.
    /// </summary>
    public async Task AppendAsync(SharingDbContext db, AuditEntry entry, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("An audit event is appended inside the transaction of what it records.");
        }

        if (_disabled)
        {
            return; // the benchmark's measurement of what the audit costs (AuditOptions.Disabled)
        }

        ThrowIfFaulted();

        var byTenant = entry.Resources.GroupBy(TenantOf, StringComparer.Ordinal).ToList();
        if (byTenant.Count <= 1)
        {
            await AppendOneAsync(db, entry, byTenant.Select(g => g.Key).OfType<string>(), cancellationToken);
            return;
        }

        foreach (var group in byTenant)
        {
            await AppendOneAsync(db, entry with { Resources = [.. group] }, group.Key is null ? [] : [group.Key], cancellationToken);
        }
    }

    private static string? TenantOf(string resource) =>
        TenantNames.TryParse(string.Join('/', resource.Split('/').Take(2)), out var slug) ? slug : null;

    private async Task AppendOneAsync(SharingDbContext db, AuditEntry entry, IEnumerable<string> resourceTenants, CancellationToken cancellationToken)
    {
        await db.AuditHeads.Where(h => h.Id == AuditHead.SingletonId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.Size, h => h.Size), cancellationToken);
        var head = await db.AuditHeads.AsNoTracking().SingleAsync(h => h.Id == AuditHead.SingletonId, cancellationToken);

        var seq = head.Size + 1;
        var now = time.UtcNow();
        var salt = RandomNumberGenerator.GetBytes(AuditHashing.SaltLength);
        var digest = AuditHashing.ContentDigest(seq, now, entry.ActorClient, entry.ActorTenant, entry.Action, entry.Resources, entry.Purpose, entry.Outcome, entry.RequestId, salt);
        var hash = AuditHashing.ChainHash(head.Hash, digest);
        var tenants = resourceTenants.Append(entry.ActorTenant).Where(s => s != "-");
        var audit = new AuditEventEntity
        {
            Seq = seq,
            Time = now,
            ActorClient = entry.ActorClient,
            ActorTenant = entry.ActorTenant,
            Action = entry.Action,
            Resources = string.Join('\n', entry.Resources),
            Purpose = entry.Purpose,
            Outcome = entry.Outcome,
            RequestId = entry.RequestId,
            Tenants = Cases.CaseMapping.Pack(tenants),
            Salt = salt,
            ContentDigest = digest,
            PreviousHash = head.Hash,
            Hash = hash,
        };
        db.AuditEvents.Add(audit);
        await db.AuditHeads.Where(h => h.Id == AuditHead.SingletonId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.Size, seq).SetProperty(h => h.Hash, hash), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Appends in a transaction of its own (shared with other callers' events queued at the same time), for reads
    /// and refusals, which change nothing else; returns once the event is committed. A cancelled wait may still see
    /// the event recorded.
    /// </summary>
    public async Task AppendAloneAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        if (_disabled)
        {
            return;
        }

        ThrowIfFaulted();
        var queued = new Queued(entry, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), System.Diagnostics.Stopwatch.GetTimestamp());
        if (!_queue.Writer.TryWrite(queued))
        {
            throw new InvalidOperationException("The audit log is closed: the server is stopping.");
        }

        await queued.Committed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops taking events and waits until those queued are committed (or have failed).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _appender;
    }

    /// <summary>As <see cref="DisposeAsync"/>, for a container disposed synchronously.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _appender.GetAwaiter().GetResult();
    }

    private async Task AppendQueuedAsync()
    {
        var group = new List<Queued>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var queued))
            {
                group.Add(queued);
            }

            try
            {
                await CommitAsync(group);
                _storage.MarkWritten();
                _metrics.AuditCommitted(group.Count);
                group.ForEach(q => _metrics.AuditAppended(q.QueuedAt));
                group.ForEach(q => q.Committed.TrySetResult());
            }
            catch (DbUpdateException refused) when (group.Count > 1 && !StorageErrors.IsTransient(refused))
            {
                // One event the database refuses must not fail its neighbours: each is tried again alone. Any other
                // failure (a lock held too long, a lost connection) fails the whole group at once.
                foreach (var queued in group)
                {
                    await CommitAloneAsync(queued);
                }
            }
            catch (Exception failure)
            {
                await RecheckAfterAsync(failure);
                group.ForEach(q => q.Committed.TrySetException(failure));
            }

            group.Clear();
        }
    }

    private async Task CommitAloneAsync(Queued queued)
    {
        try
        {
            await CommitAsync([queued]);
            _storage.MarkWritten();
            _metrics.AuditCommitted(1);
            _metrics.AuditAppended(queued.QueuedAt);
            queued.Committed.TrySetResult();
        }
        catch (Exception failure)
        {
            await RecheckAfterAsync(failure);
            queued.Committed.TrySetException(failure);
        }
    }

    private void ThrowIfFaulted()
    {
        if (_fault is { } fault)
        {
            throw new AuditUnavailableException(fault);
        }
    }

    // An append the database refuses for good may mean the head was damaged while the server ran.
    private async Task RecheckAfterAsync(Exception failure)
    {
        if (StorageErrors.IsFull(failure))
        {
            _storage.MarkFull();
            return;
        }

        if (failure is not DbUpdateException || StorageErrors.IsTransient(failure))
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await CheckHeadAsync(scope.ServiceProvider.GetRequiredService<SharingDbContext>(), CancellationToken.None);
        }
        catch (Exception notChecked)
        {
            // The database cannot even be read now; the next refused append checks again.
            Hosting.Log.AuditHeadNotChecked(_logger, notChecked.GetType().FullName);
        }
    }

    private async Task CommitAsync(IReadOnlyList<Queued> group)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SharingDbContext>();
        await using var transaction = await ChangeSequence.BeginAsync(db, CancellationToken.None, urgent: true);
        foreach (var queued in group)
        {
            await AppendAsync(db, queued.Entry, CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    private sealed record Queued(AuditEntry Entry, TaskCompletionSource Committed, long QueuedAt);
}
