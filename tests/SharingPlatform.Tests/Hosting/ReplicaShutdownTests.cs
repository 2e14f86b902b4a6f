using System.Diagnostics;
using Google.Rpc;
using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// A replica stopped with SIGTERM (as an orchestrator stops one) while a follower is on it: the stream ends at once
/// with UNAVAILABLE (reason SERVER_STOPPING), the process exits with code 0 within seconds, and the follower resumes on
/// the other replica from its last cursor and gets every change pushed meanwhile, none lost and none doubled. Its own
/// pair of processes, since it stops one.
/// </summary>
public sealed class ReplicaShutdownTests(ReplicaPairFixture fixture) : IClassFixture<ReplicaPairFixture>
{
    private const string Parent = "tenants/nkdb-demo";

    [Fact]
    public async Task A_replica_stopped_with_sigterm_ends_its_follow_streams_with_unavailable_and_exits_and_the_follower_resumes_on_the_other()
    {
        Assert.SkipWhen(fixture.Unavailable is not null, fixture.Unavailable ?? "");
        var (clientId, key) = fixture.DemoSync("nkdb-demo");
        using var survivor = fixture.Connect(fixture.First, clientId, key);
        using var stopping = fixture.Connect(fixture.Second, clientId, key);
        using var follower = new Follower(stopping.Cases, new PullChangesRequest { Parent = Parent });
        var cursor = Assert.IsType<Follower.Arrival>(await follower.NextAsync(TimeSpan.FromSeconds(30))).Message.NextCursor;
        var received = new List<string>();
        var pushed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            pushed.Add(await PushAsync(survivor, $"before-{i}"));
        }

        while (received.Count < 3 && await follower.NextAsync(TimeSpan.FromSeconds(10)) is { } arrival)
        {
            cursor = arrival.Message.NextCursor;
            received.AddRange(arrival.Message.Changes.Select(c => c.Name));
        }

        Assert.Equal(pushed, received);

        // Pushes go on through the other replica while this one stops.
        using var pushing = new CancellationTokenSource();
        var pusher = Task.Run(async () =>
        {
            for (var i = 0; !pushing.IsCancellationRequested; i++)
            {
                var name = await PushAsync(survivor, $"during-{i}");
                lock (pushed)
                {
                    pushed.Add(name);
                }

                await Task.Delay(50);
            }
        });
        await Task.Delay(300);
        var clock = Stopwatch.StartNew();
        fixture.Second.Terminate();
        var ended = await follower.Ended.WaitAsync(TimeSpan.FromSeconds(40));
        var endedAfter = clock.Elapsed;
        var exitCode = await fixture.Second.WaitForExitAsync(TimeSpan.FromSeconds(40));
        var exitedAfter = clock.Elapsed;
        await Task.Delay(300);
        await pushing.CancelAsync();
        await pusher;
        while (await follower.NextAsync(TimeSpan.FromMilliseconds(100)) is { } arrival)
        {
            cursor = arrival.Message.NextCursor;
            received.AddRange(arrival.Message.Changes.Select(c => c.Name));
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"Stream ended {endedAfter.TotalMilliseconds:0} ms and process exited {exitedAfter.TotalMilliseconds:0} ms after SIGTERM.");
        Assert.True(ended == StatusCode.Unavailable, $"The stream ended with {ended} ({follower.Failure?.Status.Detail}) after {endedAfter.TotalSeconds:0.0} s.");
        Assert.Equal("SERVER_STOPPING", follower.Failure?.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
        Assert.True(endedAfter < TimeSpan.FromSeconds(5), $"The stream ended {endedAfter.TotalSeconds:0.0} s after SIGTERM.");
        Assert.Equal(0, exitCode);
        Assert.True(exitedAfter < TimeSpan.FromSeconds(10), $"The replica exited {exitedAfter.TotalSeconds:0.0} s after SIGTERM.");
        var refused = await Assert.ThrowsAsync<RpcException>(() => stopping.Cases.ListCasesAsync(new ListCasesRequest { Parent = Parent }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);

        // Resumed on the survivor from the last cursor received: exactly the rest.
        var (rest, _, caughtUp) = await survivor.Cases.PullAllAsync(Parent, cursor);
        Assert.True(caughtUp);
        received.AddRange(rest.Select(c => c.Name));
        Assert.Equal(pushed, received);
        using var auditor = fixture.ConnectOperator(fixture.First);
        var verified = await auditor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        Assert.True(verified.Intact, $"First bad sequence {verified.FirstBadSequence}: {verified.Problem}");
    }

    private static async Task<string> PushAsync(SharingPlatform.Client.SharingConnection connection, string id)
    {
        var name = $"{Parent}/cases/{id}";
        var answer = await connection.Cases.PushCasesAsync(new PushCasesRequest { Parent = Parent, RequestId = Records.RequestId(), Records = { Records.Valid(name) } });
        Assert.Equal(PushOutcome.Created, Assert.Single(answer.Results).Outcome);
        return name;
    }
}
