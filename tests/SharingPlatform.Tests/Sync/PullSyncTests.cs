using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using SharingPlatform.Client;
using SharingPlatform.Client.Sync;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Sync;

/// <summary>
/// The SDK's pull into its local view against the real server: calls cut short, streams dropped, reset or silent,
/// following until cancelled, and what a tombstone leaves in the file.
/// </summary>
public sealed class PullSyncTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>, IDisposable
{
    private const int Pushed = 1200;

    private readonly string _directory = Directory.CreateTempSubdirectory("pullsync-test-").FullName;

    private string Temp(string name) => Path.Combine(_directory, name);

    private static async Task<TestClient> PartnerWithRecordsAsync(PlatformFixture fixture, int count = Pushed)
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var records = Enumerable.Range(0, count).Select(i => Records.Valid(client.CaseName($"c-{i:D4}"))).ToList();
        Assert.All(await PushSync.PushAsync(connection.Cases, client.Parent, records), r => Assert.Equal(PushOutcome.Created, r.Outcome));
        return client;
    }

    private static SharingConnection Connect(TestClient client, FaultyTransport transport) =>
        new(PlatformFixture.GrpcAddress, PlatformFixture.Issuer, client.ClientId, client.Key, transport);

    private async Task<List<ByteString>> ReferenceAsync(TestClient client)
    {
        using var connection = client.Connect();
        using var view = LocalView.Open(Temp("reference-" + Guid.NewGuid().ToString("N") + ".db"));
        Assert.True((await PullSync.PullAsync(connection.Cases, client.Parent, view)).CaughtUp);
        return [.. view.Records.Select(r => r.ToByteString())];
    }

    [Fact]
    public async Task A_pull_the_server_ends_early_is_called_again_from_the_stored_cursor_until_caught_up()
    {
        var client = await PartnerWithRecordsAsync(fixture);
        using var connection = client.Connect();
        var requests = new PullRequests(maxChanges: 300);
        using var view = LocalView.Open(Temp("cut-short.db"));

        var summary = await PullSync.PullAsync(new CaseService.CaseServiceClient(connection.Channel.Intercept(requests)), client.Parent, view);

        Assert.True(summary.CaughtUp);
        Assert.Equal(Pushed, summary.Held);
        Assert.Equal(Pushed, summary.Upserts); // each call went on from the last: nothing fetched twice
        Assert.InRange(requests.Seen.Count, Pushed / 300, Pushed / 300 + 1);
        Assert.All(requests.Seen.Skip(1), r => Assert.NotEmpty(r.Cursor));
        Assert.All(requests.Seen, r => Assert.False(r.Follow));
    }

    [Fact]
    public async Task A_pull_whose_stream_drops_resumes_from_the_stored_cursor_to_the_same_records()
    {
        var client = await PartnerWithRecordsAsync(fixture);
        using var transport = new FaultyTransport(fixture.Factory.Server.CreateHandler(), StreamFault.DropAfterFirstMessage, StreamFault.DropAfterFirstMessage);
        using var connection = Connect(client, transport);
        using var view = LocalView.Open(Temp("dropped.db"));

        var summary = await PullSync.PullAsync(connection.Cases, client.Parent, view);

        Assert.True(summary.CaughtUp);
        Assert.Equal(Pushed, summary.Upserts);
        Assert.Equal(3, transport.Pulls);
        Assert.Equal(await ReferenceAsync(client), view.Records.Select(r => r.ToByteString()));
    }

    [Fact]
    public async Task Follow_reconnects_after_a_dropped_and_a_silent_stream_and_ends_cleanly_when_cancelled()
    {
        var client = await PartnerWithRecordsAsync(fixture);
        using var transport = new FaultyTransport(fixture.Factory.Server.CreateHandler(), StreamFault.DropAfterFirstMessage, StreamFault.Stall);
        using var connection = Connect(client, transport);
        var requests = new PullRequests();
        using var view = LocalView.Open(Temp("follow.db"));
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var timing = new FollowTiming(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), SilenceLimit: TimeSpan.FromSeconds(2));

        var following = PullSync.FollowAsync(new CaseService.CaseServiceClient(connection.Channel.Intercept(requests)), client.Parent, view, (summary, _) =>
        {
            if (summary.Held == Pushed)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        }, timing, stop.Token);
        await all.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        stop.Cancel();
        var ended = await following;

        Assert.Equal(Pushed, ended.Held);
        Assert.Equal(Pushed, ended.Upserts);
        Assert.True(transport.Pulls >= 3, $"{transport.Pulls} calls");
        Assert.All(requests.Seen, r => Assert.True(r.Follow));
        Assert.Equal(await ReferenceAsync(client), view.Records.Select(r => r.ToByteString()));
    }

    [Fact]
    public async Task A_tombstone_erases_the_record_from_the_store_file()
    {
        const string Marker = "seen by the moonlit quarry whistle";
        var client = await PartnerWithRecordsAsync(fixture, 20);
        using var connection = client.Connect();
        var marked = Records.Valid(client.CaseName("marked"));
        marked.Narrative = "Arrested at the market, " + Marker + ".";
        await connection.Cases.PushCasesAsync(Records.Push(client, marked));
        var store = Temp("erased.db");
        using (var view = LocalView.Open(store))
        {
            await PullSync.PullAsync(connection.Cases, client.Parent, view);
        }

        Assert.True(FileHolds(store, Marker), "the record is in the store before it is retracted");

        await connection.Cases.RetractCaseAsync(new RetractCaseRequest { Name = marked.Name });
        using (var view = LocalView.Open(store))
        {
            Assert.Equal(1, (await PullSync.PullAsync(connection.Cases, client.Parent, view)).Deletions);
            Assert.Equal(20, view.Count);
        }

        Assert.False(FileHolds(store, Marker));
        Assert.False(FileHolds(store + "-journal", Marker));
    }

    [Fact]
    public async Task A_second_pull_writing_the_same_store_meanwhile_is_refused_and_changes_nothing()
    {
        var client = await PartnerWithRecordsAsync(fixture, 30);
        using var connection = client.Connect();
        var store = Temp("shared.db");
        using var first = LocalView.Open(store);
        using var second = LocalView.Open(store);
        await PullSync.PullAsync(connection.Cases, client.Parent, first);
        var cursor = first.Cursor;

        var refused = await Assert.ThrowsAsync<IOException>(() => PullSync.PullAsync(connection.Cases, client.Parent, second));

        Assert.Contains("another pull", refused.Message, StringComparison.Ordinal);
        using var after = LocalView.Open(store);
        Assert.Equal(cursor, after.Cursor);
        Assert.Equal(30, after.Count);
    }

    private static bool FileHolds(string path, string text) =>
        File.Exists(path) && File.ReadAllBytes(path).AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Records every PullChanges request, and caps each call's changes when asked (as a server ending calls early).</summary>
    private sealed class PullRequests(int maxChanges = 0) : Interceptor
    {
        public List<PullChangesRequest> Seen { get; } = [];

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
        {
            if (request is PullChangesRequest pull)
            {
                lock (Seen)
                {
                    Seen.Add(pull.Clone());
                }

                if (maxChanges > 0)
                {
                    var capped = pull.Clone();
                    capped.MaxChanges = maxChanges;
                    request = (TRequest)(object)capped;
                }
            }

            return continuation(request, context);
        }
    }
}
