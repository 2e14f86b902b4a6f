extern alias server;

using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Identity;

/// <summary>
/// What a client assertion must look like (DESIGN section 13: clock skew at most 30 s, <c>nbf</c> honoured, <c>aud</c>
/// exactly the issuer string), and that anything else gets a plain OAuth refusal that is recorded, never a crash.
/// </summary>
public abstract class ClientAssertionRulesTests(PlatformFixture fixture)
{
    [Theory]
    [InlineData(45)]
    [InlineData(60)]
    [InlineData(330)]
    public async Task Assertion_expired_more_than_30_seconds_ago_is_refused(int secondsAgo)
    {
        var client = await fixture.CreateClientAsync();

        var assertion = RawAssertion.For(client).Times(issuedAt: -secondsAgo - 60, notBefore: -secondsAgo - 60, expires: -secondsAgo);

        await AssertRefusedAndRecordedAsync(client, assertion.Sign(client.Key.SigningKey));
    }

    [Theory]
    [InlineData(3600)]
    [InlineData(90)]
    public async Task Assertion_not_valid_before_a_time_still_ahead_is_refused(int secondsAhead)
    {
        var client = await fixture.CreateClientAsync();

        var assertion = RawAssertion.For(client).Times(issuedAt: 0, notBefore: secondsAhead, expires: secondsAhead + 60);

        await AssertRefusedAndRecordedAsync(client, assertion.Sign(client.Key.SigningKey));
    }

    [Fact]
    public async Task Clocks_up_to_30_seconds_apart_are_tolerated()
    {
        var client = await fixture.CreateClientAsync();

        var justExpired = RawAssertion.For(client).Times(issuedAt: -70, notBefore: -70, expires: -10);
        var clientClockAhead = RawAssertion.For(client).Times(issuedAt: 10, notBefore: 10, expires: 70);

        Assert.Equal(200, (await Tokens.RequestWithAssertionAsync(fixture, justExpired.Sign(client.Key.SigningKey))).Status);
        Assert.Equal(200, (await Tokens.RequestWithAssertionAsync(fixture, clientClockAhead.Sign(client.Key.SigningKey))).Status);
    }

    [Theory]
    [InlineData("[\"http://localhost/\"]")]
    [InlineData("[\"http://localhost/\", \"http://localhost/connect/token\"]")]
    [InlineData("\"http://localhost\"")]
    [InlineData("\"HTTP://LOCALHOST/\"")]
    [InlineData("\"http://localhost/connect/token\"")]
    [InlineData("\"\"")]
    [InlineData(null)]
    public async Task Audience_other_than_exactly_the_issuer_string_is_refused(string? audience)
    {
        var client = await fixture.CreateClientAsync();

        var assertion = RawAssertion.For(client).With("aud", audience);

        await AssertRefusedAndRecordedAsync(client, assertion.Sign(client.Key.SigningKey));
    }

    [Theory]
    [InlineData("CLIENT-AUTHENTICATION+JWT")]
    [InlineData("Client-Authentication+JWT")]
    [InlineData("APPLICATION/CLIENT-AUTHENTICATION+JWT")]
    [InlineData("client-authentication+jwt ")]
    public async Task Type_other_than_the_exact_lower_case_name_is_refused_not_a_crash(string type)
    {
        var client = await fixture.CreateClientAsync();
        var assertion = RawAssertion.For(client);

        assertion.Header["typ"] = type;

        await AssertRefusedAndRecordedAsync(client, assertion.Sign(client.Key.SigningKey));
    }

    [Fact]
    public async Task Type_with_the_application_prefix_is_accepted()
    {
        var client = await fixture.CreateClientAsync();
        var assertion = RawAssertion.For(client);

        assertion.Header["typ"] = "application/" + ClientAssertionJwt.TokenType;

        Assert.Equal(200, (await Tokens.RequestWithAssertionAsync(fixture, assertion.Sign(client.Key.SigningKey))).Status);
    }

    [Theory]
    [InlineData("iat", "1000000000000")]
    [InlineData("exp", "9007199254740992")]
    [InlineData("nbf", "1e300")]
    [InlineData("exp", "1e400")]
    [InlineData("iat", "-62135596801")]
    [InlineData("exp", "\"soon\"")]
    [InlineData("iat", "[0]")]
    [InlineData("exp", null)]
    [InlineData("iat", null)]
    public async Task Time_claim_out_of_range_or_of_the_wrong_kind_is_refused_not_a_crash(string claim, string? json)
    {
        var client = await fixture.CreateClientAsync();

        var assertion = RawAssertion.For(client).With(claim, json);

        await AssertRefusedAndRecordedAsync(client, assertion.Sign(client.Key.SigningKey));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("es256")]
    public async Task Algorithm_other_than_es256_is_refused(string algorithm)
    {
        var client = await fixture.CreateClientAsync();
        var assertion = RawAssertion.For(client);

        assertion.Header["alg"] = algorithm;

        await AssertRefusedAndRecordedAsync(client, assertion.Sign(client.Key.SigningKey));
    }

    [Theory]
    [InlineData("aud", "\"http://localhost/connect/token\"")]
    [InlineData("exp", "1")]
    public async Task Claim_written_twice_is_refused(string claim, string otherValue)
    {
        var client = await fixture.CreateClientAsync();
        var assertion = RawAssertion.For(client);
        var claims = assertion.Claims.ToJsonString();

        // The second copy is the one a last-member-wins parser would read.
        var twice = claims[..^1] + $",\"{claim}\":{otherValue}}}";

        // Unreadable as a whole, so not even its claimed client id is taken from it.
        await AssertRefusedAndRecordedAsync(RawAssertion.Sign(assertion.Header.ToJsonString(), twice, client.Key.SigningKey), claimedClientId: "");
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("e30.e30.e30.e30.e30")]
    [InlineData("W10.W10.AAAA")]
    public async Task Assertion_that_is_not_a_signed_jwt_is_refused(string assertion)
    {
        Assert.SkipWhen(fixture.Unavailable is not null, fixture.Unavailable ?? "");

        await AssertRefusedAndRecordedAsync(assertion, claimedClientId: "");
    }

    [Fact]
    public async Task Sdk_assertion_names_exactly_the_issuer_and_is_accepted()
    {
        var client = await fixture.CreateClientAsync();
        var assertion = ClientAssertionJwt.Create(client.ClientId, client.Key, PlatformFixture.Issuer.ToString());

        var result = await Tokens.RequestWithAssertionAsync(fixture, assertion);

        Assert.Equal(200, result.Status);
        Assert.Equal(PlatformFixture.Issuer.ToString(), new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(assertion).GetPayloadValue<string>("aud"));
    }

    [Fact]
    public async Task Discovery_offers_only_private_key_jwt_signed_with_es256()
    {
        Assert.SkipWhen(fixture.Unavailable is not null, fixture.Unavailable ?? "");
        using var http = fixture.Factory.CreateClient();

        var document = JsonSerializer.Deserialize<JsonElement>(
            await http.GetStringAsync(new Uri(PlatformFixture.Issuer, ".well-known/openid-configuration"), TestContext.Current.CancellationToken));

        Assert.Equal(PlatformFixture.Issuer.ToString(), document.GetProperty("issuer").GetString());
        Assert.Equal(["private_key_jwt"], document.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["ES256"], document.GetProperty("token_endpoint_auth_signing_alg_values_supported").EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>
    /// Refused with a plain OAuth error, and exactly one refusal accounted for it: an event of its own naming the client
    /// it claimed to be when it is the first of its kind in the refusal window, otherwise one more counted refusal
    /// (pending in memory, or in a "refusals=N" event written meanwhile).
    /// </summary>
    private async Task AssertRefusedAndRecordedAsync(string assertion, string claimedClientId)
    {
        using var platform = fixture.ConnectPlatformAdmin();
        var counts = fixture.Factory.Services.GetRequiredService<server::SharingPlatform.Server.Audit.RefusalCounts>();
        var before = (await RefusalsAsync(platform)).Select(e => e.Sequence).DefaultIfEmpty().Max();
        var pendingBefore = counts.Pending;

        var result = await Tokens.RequestWithAssertionAsync(fixture, assertion);

        Assert.Equal(400, result.Status);
        Assert.Equal("invalid_client", result.Body.GetProperty("error").GetString());
        Assert.False(result.Body.TryGetProperty("access_token", out _));
        var recorded = (await RefusalsAsync(platform)).Where(e => e.Sequence > before).ToList();
        var own = recorded.Where(e => !e.RequestId.StartsWith("refusals=", StringComparison.Ordinal)).ToList();
        var counted = recorded.Except(own).Sum(e => long.Parse(e.RequestId.Split(';')[0]["refusals=".Length..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, own.Count + counted + (counts.Pending - pendingBefore));
        Assert.All(own, e =>
        {
            Assert.Equal("invalid_client", e.Outcome);
            Assert.Equal(claimedClientId, e.RequestId);
        });
    }

    private Task AssertRefusedAndRecordedAsync(TestClient client, string assertion) => AssertRefusedAndRecordedAsync(assertion, client.ClientId);

    private static Task<List<AuditEvent>> RefusalsAsync(SharingConnection platform) =>
        AuditReader.AllAsync(platform, new ListAuditEventsRequest { Action = "token.refuse" });
}

public sealed class SqliteClientAssertionRulesTests(SqliteFixture fixture) : ClientAssertionRulesTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresClientAssertionRulesTests(PostgresFixture fixture) : ClientAssertionRulesTests(fixture), IClassFixture<PostgresFixture>;
