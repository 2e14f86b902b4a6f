extern alias server;

using System.Data.Common;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Data;

namespace SharingPlatform.Tests.Cases;

/// <summary>
/// A client that gives up (a sync killed mid-pull or mid-push, a deadline) is normal: the server logs nothing above
/// Information for it. The window that once logged "An error occurred using a transaction" is the commit: a commit
/// started with the request's cancellation token fails if the client leaves just then. <see cref="CommitHold"/> holds
/// the next commit until the test has cancelled the call, which opens that window every time.
/// </summary>
public abstract class CancellationTests(PlatformFixture fixture, LogCapture logs, CommitHold hold)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_pull_cancelled_while_its_message_is_being_recorded_leaves_nothing_above_information_in_the_log()
    {
        var owner = await fixture.CreateClientAsync();
        using var connection = owner.Connect();
        await connection.Cases.PushCasesAsync(Records.Push(owner, [.. Enumerable.Range(0, 5).Select(i => Records.Valid(owner.CaseName($"c-{i}")))]));
        await connection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
        var linesBefore = logs.Lines.Count;

        var reached = hold.Arm();
        using var follower = new Follower(connection.Cases, new PullChangesRequest { Parent = owner.Parent, BatchSize = 2 });
        await reached.WaitAsync(Wait, TestContext.Current.CancellationToken);
        follower.Cancel();
        Assert.Equal(StatusCode.Cancelled, await follower.Ended.WaitAsync(Wait, TestContext.Current.CancellationToken));
        await Task.Delay(300, TestContext.Current.CancellationToken); // the server sees the cancellation
        hold.Release();

        await AssertNothingAboveInformationAsync(linesBefore);
    }

    [Fact]
    public async Task A_push_cancelled_at_its_commit_is_stored_and_leaves_nothing_above_information_in_the_log()
    {
        var owner = await fixture.CreateClientAsync();
        using var connection = owner.Connect();
        await connection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
        var linesBefore = logs.Lines.Count;

        var reached = hold.Arm();
        using var cancel = new CancellationTokenSource();
        var push = Records.Push(owner, Records.Valid(owner.CaseName("given-up")));
        var call = connection.Cases.PushCasesAsync(push, cancellationToken: cancel.Token).ResponseAsync;
        await reached.WaitAsync(Wait, TestContext.Current.CancellationToken);
        await cancel.CancelAsync();
        await Task.Delay(300, TestContext.Current.CancellationToken); // the server sees the cancellation
        hold.Release(); // (the in-process test server ends a cancelled unary call only once its handler has finished)
        await Assert.ThrowsAsync<RpcException>(() => call);

        await AssertNothingAboveInformationAsync(linesBefore);
        // Once written, the push commits even though its caller left; the same push again is answered from its receipt.
        var again = await connection.Cases.PushCasesAsync(push);
        Assert.Equal(PushOutcome.Created, Assert.Single(again.Results).Outcome);
        Assert.Single((await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = owner.Parent })).Cases);
    }

    private async Task AssertNothingAboveInformationAsync(int linesBefore)
    {
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var problems = logs.Lines.Skip(linesBefore).Where(l => l.Level >= LogLevel.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(" | ", problems.Select(l => $"{l.Category} {l.Level}: {l.Message}")));
    }
}

/// <summary>Holds the first commit after <see cref="Arm"/> until <see cref="Release"/>, or 15 seconds.</summary>
public sealed class CommitHold : DbTransactionInterceptor
{
    private TaskCompletionSource? _reached;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Arms the hold; the task completes when a commit reaches it.</summary>
    public Task Arm()
    {
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _reached, reached);
        return reached.Task;
    }

    public void Release() => _release.TrySetResult();

    public override async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reached, null) is { } reached)
        {
            reached.TrySetResult();
            await _release.Task.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
        }

        return result;
    }
}

public sealed class SqliteCancellationFixture : SqliteFixture
{
    public LogCapture Logs { get; } = new();

    public CommitHold Hold { get; } = new();

    protected override void ConfigureHost(IWebHostBuilder host) => host.ConfigureServices(s =>
    {
        s.AddSingleton<ILoggerProvider>(Logs);
        s.ConfigureDbContext<SqliteSharingDbContext>(o => o.AddInterceptors(Hold));
    });
}

public sealed class PostgresCancellationFixture : PostgresFixture
{
    public LogCapture Logs { get; } = new();

    public CommitHold Hold { get; } = new();

    protected override void ConfigureHost(IWebHostBuilder host) => host.ConfigureServices(s =>
    {
        s.AddSingleton<ILoggerProvider>(Logs);
        s.ConfigureDbContext<PostgresSharingDbContext>(o => o.AddInterceptors(Hold));
    });
}

public sealed class SqliteCancellationTests(SqliteCancellationFixture fixture)
    : CancellationTests(fixture, fixture.Logs, fixture.Hold), IClassFixture<SqliteCancellationFixture>;

public sealed class PostgresCancellationTests(PostgresCancellationFixture fixture)
    : CancellationTests(fixture, fixture.Logs, fixture.Hold), IClassFixture<PostgresCancellationFixture>;
