extern alias server;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using SharingPlatform.Client.Audit;
using SharingPlatform.Client.Auth;
using SharingPlatform.Client.Sync;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Audit;

namespace SharingPlatform.Tests.Access;

/// <summary>Small limits and a one-second refusal window, so that floods and recoveries fit in a test.</summary>
public static class TightRateLimits
{
    public const int AnonymousPerMinute = 50;
    public const int CallsPerSecond = 5;
    public const int TokensPerMinute = 2;

    public static IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("RateLimits:AnonymousRequestsPerMinute", AnonymousPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("RateLimits:CallsPerClientPerSecond", CallsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("RateLimits:CallBurst", CallsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("RateLimits:TokensPerClientPerMinute", TokensPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("RateLimits:RefusalWindow", "00:00:01"),
    ];
}

public sealed class SqliteTightRateLimitsFixture : SqliteFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => TightRateLimits.Settings;
}

public sealed class PostgresTightRateLimitsFixture : PostgresFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => TightRateLimits.Settings;
}

/// <summary>
/// Rate limits per client and per source address, and floods recorded as counted refusals. Each flood comes from its
/// own documentation address (203.0.113.0/24), so that tests do not share a source's budget.
/// </summary>
public abstract class RateLimitTests(PlatformFixture fixture)
{
    [Fact]
    public async Task A_burst_past_the_anonymous_limit_at_the_token_endpoint_gets_429_with_retry_after_and_other_sources_are_unaffected()
    {
        using var flooder = HttpFrom("203.0.113.1");
        using var neighbour = HttpFrom("203.0.113.2");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < TightRateLimits.AnonymousPerMinute + 5; i++)
        {
            var response = await PostUnknownClientAssertionAsync(flooder);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited?.Dispose();
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        using var other = await PostUnknownClientAssertionAsync(neighbour);

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(TightRateLimits.AnonymousPerMinute));
        Assert.All(statuses.Skip(TightRateLimits.AnonymousPerMinute), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.NotNull(limited);
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal("rate_limited", (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.NotEqual(HttpStatusCode.TooManyRequests, other.StatusCode);
        limited.Dispose();
    }

    [Fact]
    public async Task Addresses_of_one_ipv6_64_network_share_one_anonymous_budget()
    {
        using var first = HttpFrom("2001:db8:0:7::1");
        using var sameNetwork = HttpFrom("2001:db8:0:7::2");
        using var otherNetwork = HttpFrom("2001:db8:0:8::1");

        for (var i = 0; i < TightRateLimits.AnonymousPerMinute; i++)
        {
            using var response = await PostUnknownClientAssertionAsync(first);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
        }

        using var neighbour = await PostUnknownClientAssertionAsync(sameNetwork);
        using var stranger = await PostUnknownClientAssertionAsync(otherNetwork);

        Assert.Equal(HttpStatusCode.TooManyRequests, neighbour.StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, stranger.StatusCode);
    }

    [Fact]
    public async Task Calls_without_a_valid_token_past_the_anonymous_limit_get_resource_exhausted_with_a_retry_delay()
    {
        var client = await fixture.CreateClientAsync();
        using var channel = GrpcFrom("203.0.113.3");
        var cases = new CaseService.CaseServiceClient(channel);

        var codes = new List<StatusCode>();
        RpcException? exhausted = null;
        for (var i = 0; i < TightRateLimits.AnonymousPerMinute + 5; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent }).ResponseAsync);
            codes.Add(error.StatusCode);
            exhausted = error.StatusCode == StatusCode.ResourceExhausted ? error : exhausted;
        }

        Assert.All(codes.Take(TightRateLimits.AnonymousPerMinute), c => Assert.Equal(StatusCode.Unauthenticated, c));
        Assert.All(codes.Skip(TightRateLimits.AnonymousPerMinute), c => Assert.Equal(StatusCode.ResourceExhausted, c));
        var status = exhausted!.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal("RATE_LIMITED", status.GetDetail<ErrorInfo>()?.Reason);
        Assert.InRange(status.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan() ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Client_past_its_call_limit_gets_resource_exhausted_that_other_clients_do_not_feel_and_recovers_after_the_window()
    {
        var busy = await fixture.CreateClientAsync();
        var quiet = await fixture.CreateClientAsync();
        using var busyConnection = busy.Connect();
        using var quietConnection = quiet.Connect();
        var request = new ListCasesRequest { Parent = busy.Parent };

        RpcException? exhausted = null;
        for (var i = 0; i < 20 * TightRateLimits.CallsPerSecond && exhausted is null; i++)
        {
            try
            {
                await busyConnection.Cases.ListCasesAsync(request);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                exhausted = e;
            }
        }

        var unaffected = await quietConnection.Cases.ListCasesAsync(new ListCasesRequest { Parent = quiet.Parent });
        Assert.NotNull(exhausted);
        await Task.Delay(exhausted.GetRpcStatus()!.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan() + TimeSpan.FromMilliseconds(300));
        var recovered = await busyConnection.Cases.ListCasesAsync(request);

        Assert.Empty(unaffected.Cases);
        Assert.Empty(recovered.Cases);
        using var auditor = await PlatformAuditorAsync();
        var counted = await EventuallyAsync(auditor, new ListAuditEventsRequest { ActorClient = busy.ClientId },
            events => events.Any(e => e.Outcome == "RESOURCE_EXHAUSTED"));
        var limited = Assert.Single(counted, e => e.Outcome == "RESOURCE_EXHAUSTED");
        Assert.Equal(busy.TenantSlug, limited.ActorTenant);
        Assert.Equal("sharing.v1.CaseService/ListCases", limited.Action);
        Assert.Equal(1, RefusalsIn(limited));
    }

    [Fact]
    public async Task The_SDK_push_waits_out_the_rate_limit_and_stores_every_batch_once()
    {
        var partner = await fixture.CreateClientAsync();
        using var connection = partner.Connect();
        var names = Enumerable.Range(0, 8 * TightRateLimits.CallsPerSecond).Select(_ => partner.CaseName(Guid.NewGuid().ToString("N"))).ToList();

        // One push per record, as fast as the SDK goes: far past the burst, so the server refuses some with RATE_LIMITED.
        var outcomes = new List<PushOutcome>();
        foreach (var name in names)
        {
            outcomes.AddRange((await PushSync.PushAsync(connection.Cases, partner.Parent, [Records.Valid(name)],
                cancellationToken: TestContext.Current.CancellationToken)).Select(r => r.Outcome));
        }

        Assert.All(outcomes, o => Assert.Equal(PushOutcome.Created, o));
        Assert.Equal(names.Count, outcomes.Count);
        // The pushes spent the budget: the count waits it out the same way.
        var stored = await PushSync.WithRetriesAsync(() => connection.Cases.CountCasesAsync(
            new CountCasesRequest { Parent = partner.Parent, GroupBy = CountDimension.Status }).ResponseAsync, TestContext.Current.CancellationToken);
        Assert.Equal(names.Count, stored.Total.Count);
        using var auditor = await PlatformAuditorAsync();
        var counted = await EventuallyAsync(auditor, new ListAuditEventsRequest { ActorClient = partner.ClientId },
            events => events.Any(e => e.Outcome == "RESOURCE_EXHAUSTED"));
        Assert.Contains(counted, e => e.Outcome == "RESOURCE_EXHAUSTED" && e.Action == "sharing.v1.CaseService/PushCases");
    }

    [Fact]
    public async Task Calls_with_a_rotated_away_keys_token_spend_their_own_budget_and_are_counted_not_recorded_one_by_one()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var sync = await fixture.CreateClientAsync(admin.TenantSlug);
        using var adminConnection = admin.Connect();
        var stolen = RawCalls.Bearer((await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(sync.ClientId, sync.Key.SigningKey))).Body.GetProperty("access_token").GetString());
        var newKey = ClientKey.Create();
        await adminConnection.Tenants.RotateClientKeyAsync(new RotateClientKeyRequest { Name = sync.ClientId, PublicJwk = newKey.PublicJwkJson() });
        using var raw = new RawCalls(fixture, sync);
        using var rotated = fixture.Connect(sync.ClientId, newKey);
        var calls = 4 * TightRateLimits.CallsPerSecond;

        var codes = new List<StatusCode>();
        for (var i = 0; i < calls; i++)
        {
            codes.Add((await Assert.ThrowsAsync<RpcException>(() => raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent }, stolen).ResponseAsync)).StatusCode);
        }

        var listed = await rotated.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent });

        Assert.Empty(listed.Cases);
        Assert.Contains(StatusCode.ResourceExhausted, codes);
        Assert.All(codes, c => Assert.True(c is StatusCode.Unauthenticated or StatusCode.ResourceExhausted, c.ToString()));
        using var auditor = await PlatformAuditorAsync();
        var filter = new ListAuditEventsRequest { ActorClient = sync.ClientId, Action = "sharing.v1.CaseService/ListCases" };
        static int Total(List<AuditEvent> events) => events.Where(e => e.Outcome != "OK").Sum(e => Math.Max(1, RefusalsIn(e)));
        var events = await EventuallyAsync(auditor, filter, all => Total(all) >= calls);
        Assert.Equal(calls, Total(events));
        Assert.True(events.Count(e => e.Outcome == "UNAUTHENTICATED") < codes.Count(c => c == StatusCode.Unauthenticated),
            "refusals of a rotated-away key's token are counted, not one event each");
    }

    [Fact]
    public async Task Token_requests_past_the_per_client_limit_get_429_while_other_clients_still_get_tokens()
    {
        var busy = await fixture.CreateClientAsync();
        var quiet = await fixture.CreateClientAsync();

        var statuses = new List<int>();
        for (var i = 0; i <= TightRateLimits.TokensPerMinute; i++)
        {
            statuses.Add((await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(busy.ClientId, busy.Key.SigningKey))).Status);
        }

        var other = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(quiet.ClientId, quiet.Key.SigningKey));

        Assert.Equal([.. Enumerable.Repeat(200, TightRateLimits.TokensPerMinute), 429], statuses);
        Assert.Equal(200, other.Status);
    }

    [Fact]
    public async Task Five_hundred_refused_token_requests_become_a_few_events_that_count_every_one_and_the_chain_verifies()
    {
        const int flood = 500;
        using var auditor = await PlatformAuditorAsync();
        var source = IPAddress.Parse("203.0.113.4");
        var pseudonym = fixture.Factory.Services.GetRequiredService<SourceAddresses>().Pseudonym(source);
        var claimed = "tenants/flood/clients/c" + Guid.NewGuid().ToString("N")[..8];
        using var flooder = HttpFrom(source.ToString());

        for (var i = 0; i < flood; i++)
        {
            using var response = await PostAssertionAsync(flooder, claimed);
        }

        var events = await EventuallyAsync(auditor, new ListAuditEventsRequest { Action = "token.refuse" },
            all => Recorded(all, claimed, pseudonym) >= flood);
        var mine = events.Where(e => e.RequestId == claimed || e.RequestId.EndsWith("source=" + pseudonym, StringComparison.Ordinal)).ToList();

        Assert.Equal(flood, Recorded(mine, claimed, pseudonym));
        Assert.InRange(mine.Count, 2, 30);
        Assert.Contains(mine, e => e.Outcome == "invalid_client" && RefusalsIn(e) > 0);
        Assert.Contains(mine, e => e.Outcome == "rate_limited");
        Assert.All(mine, e => Assert.Equal("-", e.ActorClient));
        Assert.DoesNotContain(events, e => e.RequestId.Contains("203.0.113", StringComparison.Ordinal));
        var verified = await auditor.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        Assert.True(verified.Intact, verified.Problem);
        var checkpoint = await auditor.Audit.GetCheckpointAsync(new GetCheckpointRequest());
        var exported = await AuditReader.ExportAsync(auditor, checkpoint.Checkpoint.Size);
        var offline = AuditVerifier.Verify(exported, checkpoint.PublicJwk, [], checkpoint);
        Assert.True(offline.Intact, offline.Problem);
    }

    [Fact]
    public async Task A_flood_of_unauthenticated_calls_is_recorded_as_a_few_counted_events()
    {
        var client = await fixture.CreateClientAsync();
        using var auditor = await PlatformAuditorAsync();
        var source = IPAddress.Parse("203.0.113.5");
        var pseudonym = fixture.Factory.Services.GetRequiredService<SourceAddresses>().Pseudonym(source);
        using var channel = GrpcFrom(source.ToString());
        var cases = new CaseService.CaseServiceClient(channel);
        var calls = TightRateLimits.AnonymousPerMinute + 30;

        for (var i = 0; i < calls; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => cases.CountCasesAsync(new CountCasesRequest { Parent = client.Parent, GroupBy = CountDimension.Status }).ResponseAsync);
        }

        var action = new ListAuditEventsRequest { Action = "sharing.v1.CaseService/CountCases", ActorClient = "-" };
        // The first refusal of a window is an event of its own (this test's source is the only one calling CountCases
        // without a token); the others are counted under the source's pseudonym.
        static int Total(List<AuditEvent> events, string pseudonym) =>
            events.Count(e => !e.RequestId.StartsWith("refusals=", StringComparison.Ordinal))
            + events.Where(e => e.RequestId.EndsWith("source=" + pseudonym, StringComparison.Ordinal)).Sum(RefusalsIn);
        var events = await EventuallyAsync(auditor, action, all => Total(all, pseudonym) >= calls);

        Assert.Equal(calls, Total(events, pseudonym));
        Assert.InRange(events.Count, 2, 30);
        Assert.Contains(events, e => e.Outcome == "UNAUTHENTICATED" && RefusalsIn(e) > 0);
        Assert.Contains(events, e => e.Outcome == "RESOURCE_EXHAUSTED" && RefusalsIn(e) > 0);
        Assert.All(events, e => Assert.Empty(e.Resources));
    }

    /// <summary>Events of one flood: first-of-window events name the claimed client; counted ones carry the source pseudonym.</summary>
    private static int Recorded(IEnumerable<AuditEvent> events, string claimed, string pseudonym) =>
        events.Sum(e => e.RequestId == claimed ? 1 : e.RequestId.EndsWith("source=" + pseudonym, StringComparison.Ordinal) ? RefusalsIn(e) : 0);

    /// <summary>N of a counted event's <c>refusals=N;...</c>; 0 for an event of its own.</summary>
    public static int RefusalsIn(AuditEvent e) =>
        e.RequestId.StartsWith("refusals=", StringComparison.Ordinal)
            ? int.Parse(e.RequestId["refusals=".Length..].Split(';')[0], System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    private async Task<SharingPlatform.Client.SharingConnection> PlatformAuditorAsync()
    {
        var auditor = await fixture.CreateClientAsync("platform", "platform-auditor");
        var connection = auditor.Connect();
        await connection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    /// <summary>Counted refusals are written when their window closes: polls until <paramref name="done"/> holds.</summary>
    public static async Task<List<AuditEvent>> EventuallyAsync(SharingPlatform.Client.SharingConnection auditor, ListAuditEventsRequest filter, Func<List<AuditEvent>, bool> done)
    {
        var events = new List<AuditEvent>();
        for (var attempt = 0; attempt < 20 && !done(events); attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            events = await AuditReader.AllAsync(auditor, filter.Clone());
        }

        return events;
    }

    private HttpClient HttpFrom(string address) => HttpFrom(fixture, address);

    public static HttpClient HttpFrom(PlatformFixture fixture, string address)
    {
        var source = IPAddress.Parse(address);
        return new HttpClient(fixture.Factory.Server.CreateHandler(c => c.Connection.RemoteIpAddress = source)) { BaseAddress = PlatformFixture.Issuer };
    }

    private GrpcChannel GrpcFrom(string address)
    {
        var source = IPAddress.Parse(address);
        return GrpcChannel.ForAddress(PlatformFixture.GrpcAddress,
            new GrpcChannelOptions { HttpHandler = fixture.Factory.Server.CreateHandler(c => c.Connection.RemoteIpAddress = source) });
    }

    private static Task<HttpResponseMessage> PostUnknownClientAssertionAsync(HttpClient http) =>
        PostAssertionAsync(http, "nobody-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A token request for <paramref name="clientId"/> signed with a key nobody registered: always refused.</summary>
    public static Task<HttpResponseMessage> PostAssertionAsync(HttpClient http, string clientId) =>
        http.PostAsync(new Uri("connect/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_assertion_type"] = ClientAssertionJwt.AssertionType,
            ["client_assertion"] = Tokens.Assertion(clientId, ClientKey.Create().SigningKey),
        }));
}

public sealed class SqliteRateLimitTests(SqliteTightRateLimitsFixture fixture) : RateLimitTests(fixture), IClassFixture<SqliteTightRateLimitsFixture>;

public sealed class PostgresRateLimitTests(PostgresTightRateLimitsFixture fixture) : RateLimitTests(fixture), IClassFixture<PostgresTightRateLimitsFixture>;

public sealed class CappedRefusalsFixture : SqliteFixture
{
    public const int MaxTrackedSources = 10;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        // A window of 5 s, not 1: on a loaded machine one source's ten requests take about a second, and each would
        // then open a window of its own, leaving nothing to share the overflow count.
        [new("RateLimits:MaxTrackedSources", MaxTrackedSources.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("RateLimits:RefusalWindow", "00:00:05")];
}

/// <summary>Counting refusals takes bounded memory: sources past the cap share one count, and no refusal goes uncounted.</summary>
public sealed class CappedRefusalTests(CappedRefusalsFixture fixture) : IClassFixture<CappedRefusalsFixture>
{
    [Fact]
    public async Task Refusals_from_more_sources_than_are_tracked_share_one_overflow_count_and_all_are_recorded()
    {
        const int sources = 3 * CappedRefusalsFixture.MaxTrackedSources;
        const int each = 10;
        var auditorClient = await fixture.CreateClientAsync("platform", "platform-auditor");
        using var auditor = auditorClient.Connect();
        await auditor.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
        var claimed = "tenants/capped/clients/c" + Guid.NewGuid().ToString("N")[..8];

        foreach (var source in Enumerable.Range(1, sources))
        {
            using var http = RateLimitTests.HttpFrom(fixture, $"198.51.100.{source}");
            for (var i = 0; i < each; i++)
            {
                using var response = await RateLimitTests.PostAssertionAsync(http, claimed);
            }
        }

        // Every token refusal in this class comes from this test: first-of-window events name the claimed client.
        static int Total(List<AuditEvent> events, string claimed) =>
            events.Sum(e => e.RequestId == claimed ? 1 : RateLimitTests.RefusalsIn(e));
        var events = await RateLimitTests.EventuallyAsync(auditor, new ListAuditEventsRequest { Action = "token.refuse" },
            all => Total(all, claimed) >= sources * each);

        Assert.Equal(sources * each, Total(events, claimed));
        Assert.Contains(events, e => e.RequestId.EndsWith("source=other-sources", StringComparison.Ordinal) && RateLimitTests.RefusalsIn(e) > 0);
        Assert.True(events.Count < sources * each / 3, $"{events.Count} events for {sources * each} refusals");
    }
}
