using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Hosting;

/// <summary>
/// Two server processes on one PostgreSQL database and one data directory (so one set of keys), as replicas behind a
/// load balancer that publishes one issuer URL: a token from either validates on the other, cursors and page tokens
/// carry over, a client assertion is spent on both, the audit chain stays one gap-free chain, and a follower on one
/// sees the other's writes within a second. (The heartbeat pass comes only once a minute, so nothing else could
/// bring a change that soon.)
/// </summary>
public sealed class ReplicaTests(ReplicaPairFixture fixture) : IClassFixture<ReplicaPairFixture>
{
    private const string Tenant = "nkdb-demo";
    private const string Parent = "tenants/" + Tenant;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_change_pushed_through_one_replica_reaches_a_follower_on_the_other_within_a_second(bool fromSecond)
    {
        Assert.SkipWhen(fixture.Unavailable is not null, fixture.Unavailable ?? "");
        var (writer, reader) = fromSecond ? (fixture.Second, fixture.First) : (fixture.First, fixture.Second);
        var (clientId, key) = fixture.DemoSync(Tenant);
        using var pushing = fixture.Connect(writer, clientId, key);
        using var following = fixture.Connect(reader, clientId, key);
        // From the end of the feed, so that only the new change can arrive.
        var (_, cursor, _) = await following.Cases.PullAllAsync(Parent);
        using var follower = new Follower(following.Cases, new PullChangesRequest { Parent = Parent, Cursor = cursor });
        Assert.NotNull(await follower.NextAsync(TimeSpan.FromSeconds(30)));

        var name = $"{Parent}/cases/across-replicas-" + (fromSecond ? "from-second" : "from-first");
        await pushing.Cases.PushCasesAsync(new PushCasesRequest { Parent = Parent, RequestId = Records.RequestId(), Records = { Records.Valid(name) } });
        var pushed = Stopwatch.GetTimestamp();
        var next = await follower.NextAsync(TimeSpan.FromSeconds(10));

        Assert.True(next is not null, "Nothing arrived on the other replica." + reader.Output);
        Assert.Equal(name, Assert.Single(next.Message.Changes).Name);
        var latency = Stopwatch.GetElapsedTime(pushed, next.At);
        Assert.True(latency < TimeSpan.FromSeconds(1), $"The change arrived {latency.TotalMilliseconds:0} ms after the push.");
    }

    [Fact]
    public async Task A_token_from_either_replicas_token_endpoint_is_accepted_by_both_and_names_the_one_issuer()
    {
        Assert.SkipWhen(fixture.Unavailable is not null, fixture.Unavailable ?? "");
        var (clientId, key) = fixture.DemoSync(Tenant);
        foreach (var issuing in new[] { fixture.First, fixture.Second })
        {
            // The assertion's audience is the issuer the load balancer publishes, whichever replica answers.
            var (status, body) = await RequestTokenAsync(issuing, Tokens.Assertion(clientId, key.SigningKey, audience: fixture.Issuer.ToString()));
            Assert.True(status == 200, $"Token endpoint of {issuing.IdentityAddress} answered {status}: {Describe(body)}");
            var token = body.GetProperty("access_token").GetString()!;
            Assert.Equal(fixture.Issuer.ToString(), new JsonWebToken(token).Issuer);
            foreach (var serving in new[] { fixture.First, fixture.Second })
            {
                using var channel = GrpcChannel.ForAddress(serving.GrpcAddress);
                var page = await new CaseService.CaseServiceClient(channel).ListCasesAsync(
                    new ListCasesRequest { Parent = Parent, PageSize = 1 }, RawCalls.Bearer(token));
                Assert.NotNull(page);
            }
        }

        // Discovery on either replica names the configured issuer, not the host the request came to.
        using var http = new HttpClient();
        var discovery = JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync(new Uri(fixture.Second.IdentityAddress, ".well-known/openid-configuration")));
        Assert.Equal(fixture.Issuer.ToString(), discovery.GetProperty("issuer").GetString());
    }

    [Fact]
    public async Task A_client_assertion_spent_on_one_replica_is_refused_by_the_other_and_of_two_at_once_exactly_one_wins()
    {
        Assert.SkipWhen(fixture.Unavailable is not null, fixture.Unavailable ?? "");
        var (clientId, key) = fixture.DemoSync("rescue-demo");
        var assertion = Tokens.Assertion(clientId, key.SigningKey, audience: fixture.Issuer.ToString());
        var (first, _) = await RequestTokenAsync(fixture.First, assertion);
        var (again, refusal) = await RequestTokenAsync(fixture.Second, assertion);

        Assert.Equal(200, first);
        Assert.Equal(400, again);
        Assert.Equal("invalid_client", refusal.GetProperty("error").GetString());

        for (var round = 0; round < 5; round++)
        {
            var same = Tokens.Assertion(clientId, key.SigningKey, audience: fixture.Issuer.ToString());
            var answers = await Task.WhenAll(RequestTokenAsync(fixture.First, same), RequestTokenAsync(fixture.Second, same));
            Assert.Equal(1, answers.Count(a => a.Status == 200));
            var loser = Assert.Single(answers, a => a.Status != 200);
            Assert.Equal("invalid_client", loser.Body.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task Page_tokens_and_cursors_from_one_replica_continue_on_the_other_with_nothing_missing_or_doubled()
    {
        Assert.SkipWhen(fixture.Unavailable is not null, fixture.Unavailable ?? "");
        var (clientId, key) = fixture.DemoSync("un-demo");
        using var first = fixture.Connect(fixture.First, clientId, key);
        using var second = fixture.Connect(fixture.Second, clientId, key);
        const string parent = "tenants/un-demo";
        await first.Cases.PushCasesAsync(new PushCasesRequest
        {
            Parent = parent, RequestId = Records.RequestId(),
            Records = { Enumerable.Range(0, 25).Select(i => Records.Valid($"{parent}/cases/paged-{i:00}")) },
        });

        // Pages alternate between the replicas, each continuing from the token the other issued.
        var whole = await first.Cases.ListCasesAsync(new ListCasesRequest { Parent = parent, PageSize = 1000 });
        Assert.Empty(whole.NextPageToken);
        var paged = new List<string>();
        var request = new ListCasesRequest { Parent = parent, PageSize = 7 };
        for (var page = 0; page == 0 || request.PageToken.Length > 0; page++)
        {
            var answer = await (page % 2 == 0 ? first : second).Cases.ListCasesAsync(request);
            paged.AddRange(answer.Cases.Select(c => c.Name));
            request.PageToken = answer.NextPageToken;
        }

        Assert.Equal(whole.Cases.Select(c => c.Name), paged);

        // A pull cut short on the first replica goes on from its cursor on the second.
        var (all, _, _) = await first.Cases.PullAllAsync(parent);
        var (head, cursor, caughtUp) = await first.Cases.PullAllAsync(parent, batchSize: 4, maxChanges: 10);
        Assert.False(caughtUp);
        var (rest, _, restCaughtUp) = await second.Cases.PullAllAsync(parent, cursor, batchSize: 4);
        Assert.True(restCaughtUp);
        Assert.Equal(10, head.Count);
        Assert.Equal(all.Select(c => (c.Name, c.Record?.Etag)), head.Concat(rest).Select(c => (c.Name, c.Record?.Etag)));
    }

    [Fact]
    public async Task Concurrent_calls_on_both_replicas_make_one_gap_free_chain_with_every_call_recorded_once()
    {
        Assert.SkipWhen(fixture.Unavailable is not null, fixture.Unavailable ?? "");
        const int perWorker = 50;
        var replicas = new[] { fixture.First, fixture.Second };
        var workers = new List<Task>();
        var names = new List<(string Name, string RequestId)>();
        var connections = new List<SharingConnection>();
        try
        {
            // Each tenant's sync client pushes through each replica and reads every record back through the other one:
            // 100 calls per client and replica, under the per-client burst; 600 audited calls in all.
            foreach (var tenant in new[] { "nkdb-demo", "rescue-demo", "un-demo" })
            {
                var (clientId, key) = fixture.DemoSync(tenant);
                var byReplica = replicas.Select(r => fixture.Connect(r, clientId, key)).ToArray();
                connections.AddRange(byReplica);
                for (var r = 0; r < 2; r++)
                {
                    var (writer, reader) = (byReplica[r], byReplica[1 - r]);
                    var batch = Enumerable.Range(0, perWorker).Select(i => ($"tenants/{tenant}/cases/chain-{r}-{i:00}", Records.RequestId())).ToList();
                    names.AddRange(batch);
                    workers.Add(Task.Run(async () =>
                    {
                        foreach (var (name, requestId) in batch)
                        {
                            await Paced(() => writer.Cases.PushCasesAsync(new PushCasesRequest { Parent = $"tenants/{tenant}", RequestId = requestId, Records = { Records.Valid(name) } }).ResponseAsync);
                            await Paced(() => reader.Cases.GetCaseAsync(new GetCaseRequest { Name = name }).ResponseAsync);
                        }
                    }));
                }
            }

            await Task.WhenAll(workers);
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }

        using var auditorFirst = fixture.ConnectOperator(fixture.First);
        using var auditorSecond = fixture.ConnectOperator(fixture.Second);
        var events = await AuditReader.AllAsync(auditorSecond);
        var verified = await auditorFirst.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        var verifiedOther = await auditorSecond.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

        Assert.True(verified.Intact, $"First bad sequence {verified.FirstBadSequence}: {verified.Problem}");
        Assert.True(verifiedOther.Intact, $"First bad sequence {verifiedOther.FirstBadSequence}: {verifiedOther.Problem}");
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.True(verified.Size >= events.Count);
        foreach (var (name, requestId) in names)
        {
            Assert.Single(events, e => e.Action == "sharing.v1.CaseService/PushCases" && e.RequestId == requestId && e.Outcome == "OK");
            Assert.Single(events, e => e.Action == "sharing.v1.CaseService/GetCase" && e.Resources.Contains(name));
        }
    }

    /// <summary>A call made again after a pause while the per-client rate limit refuses it (a refused call is not recorded).</summary>
    private static async Task Paced(Func<Task> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && attempt < 20)
            {
                await Task.Delay(100 * attempt);
            }
        }
    }

    private static async Task<(int Status, JsonElement Body)> RequestTokenAsync(ServerProcess replica, string assertion)
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_assertion_type"] = ClientAssertionJwt.AssertionType,
            ["client_assertion"] = assertion,
        });
        using var response = await http.PostAsync(new Uri(replica.IdentityAddress, "connect/token"), content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.StartsWith('{') ? JsonSerializer.Deserialize<JsonElement>(text) : default);
    }

    /// <summary>The OAuth error of a refused token request, never the token.</summary>
    private static string Describe(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error_description", out var description) ? description.GetString() ?? "" : "";
}
