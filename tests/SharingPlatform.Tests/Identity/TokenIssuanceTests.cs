extern alias server;

using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using server::SharingPlatform.Server.Data;
using server::SharingPlatform.Server.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Identity;

/// <summary>The token endpoint: what it issues, and every way a client assertion is refused.</summary>
public abstract class TokenIssuanceTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Sdk_assertion_gets_a_short_lived_signed_token_for_sharing_api_with_client_tenant_and_roles()
    {
        var client = await fixture.CreateClientAsync(roles: ["sync", "auditor"]);
        using var connection = client.Connect();

        var response = await connection.Tokens.RequestAsync();

        Assert.Equal(3, response.AccessToken!.Split('.').Length); // a JWS, not an encrypted JWE
        var token = new JsonWebToken(response.AccessToken);
        Assert.Equal("ES256", token.Alg);
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal(["sharing-api"], token.Audiences);
        Assert.Equal(PlatformFixture.Issuer.ToString(), token.Issuer);
        Assert.Equal(client.ClientId, token.Subject);
        Assert.Equal(client.TenantSlug, token.GetClaim("tenant").Value);
        Assert.Equal(["auditor", "sync"], token.Claims.Where(c => c.Type == "role").Select(c => c.Value).Order());
        var lifetime = token.ValidTo - token.IssuedAt;
        Assert.InRange(lifetime, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15));
    }

    [Fact]
    public async Task Replayed_assertion_is_refused()
    {
        var client = await fixture.CreateClientAsync();
        var assertion = Tokens.Assertion(client.ClientId, client.Key.SigningKey);

        var first = await Tokens.RequestWithAssertionAsync(fixture, assertion);
        var replay = await Tokens.RequestWithAssertionAsync(fixture, assertion);

        Assert.Equal(200, first.Status);
        Assert.Equal(400, replay.Status);
        Assert.Equal("invalid_client", replay.Body.GetProperty("error").GetString());
        Assert.False(replay.Body.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task A_jti_whose_earlier_use_expired_but_is_not_purged_yet_is_accepted_once_more()
    {
        var client = await fixture.CreateClientAsync();
        var jti = Guid.NewGuid().ToString("N");
        await fixture.WithScopeAsync(async services =>
        {
            // What Housekeeping would purge next: a use of this jti whose assertion expired an hour ago.
            var db = services.GetRequiredService<SharingDbContext>();
            db.UsedClientAssertions.Add(new UsedClientAssertion { ClientId = client.ClientId, TokenId = jti, ExpireTime = DateTime.UtcNow.AddHours(-1) });
            await db.SaveChangesAsync();
        });
        var assertion = Tokens.Assertion(client.ClientId, client.Key.SigningKey, jti: jti);

        var first = await Tokens.RequestWithAssertionAsync(fixture, assertion);
        var replay = await Tokens.RequestWithAssertionAsync(fixture, assertion);

        Assert.Equal(200, first.Status);
        Assert.Equal(400, replay.Status);
        Assert.Equal("invalid_client", replay.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_jti_whose_earlier_use_expired_only_moments_ago_is_still_refused()
    {
        var client = await fixture.CreateClientAsync();
        var jti = Guid.NewGuid().ToString("N");
        await fixture.WithScopeAsync(async services =>
        {
            // Expired by less than the clock skew: the rules' clock, or another replica's, could still accept its assertion.
            var db = services.GetRequiredService<SharingDbContext>();
            db.UsedClientAssertions.Add(new UsedClientAssertion { ClientId = client.ClientId, TokenId = jti, ExpireTime = DateTime.UtcNow.AddSeconds(-5) });
            await db.SaveChangesAsync();
        });

        var reused = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(client.ClientId, client.Key.SigningKey, jti: jti));

        Assert.Equal(400, reused.Status);
        Assert.Equal("invalid_client", reused.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Assertion_without_the_client_authentication_type_is_refused()
    {
        var client = await fixture.CreateClientAsync();

        var untyped = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(client.ClientId, client.Key.SigningKey, type: "JWT"));

        Assert.Equal("invalid_client", untyped.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Assertion_addressed_to_the_token_endpoint_instead_of_the_issuer_is_refused()
    {
        var client = await fixture.CreateClientAsync();
        var audience = new Uri(PlatformFixture.Issuer, "connect/token").ToString();

        var result = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(client.ClientId, client.Key.SigningKey, audience: audience));

        Assert.Equal(400, result.Status);
        Assert.Equal("invalid_client", result.Body.GetProperty("error").GetString());
        Assert.False(result.Body.TryGetProperty("access_token", out _));
        // The same client with the issuer as audience succeeds: the refusal is about the audience alone.
        var control = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(client.ClientId, client.Key.SigningKey));
        Assert.Equal(200, control.Status);
    }

    [Fact]
    public async Task Long_lived_or_future_dated_assertions_are_refused()
    {
        var client = await fixture.CreateClientAsync();

        var longLived = await Tokens.RequestWithAssertionAsync(fixture,
            Tokens.Assertion(client.ClientId, client.Key.SigningKey, lifetime: TimeSpan.FromMinutes(30)));
        var future = await Tokens.RequestWithAssertionAsync(fixture,
            Tokens.Assertion(client.ClientId, client.Key.SigningKey, issuedAt: DateTime.UtcNow.AddMinutes(3)));

        Assert.Equal("invalid_client", longLived.Body.GetProperty("error").GetString());
        Assert.Equal("invalid_client", future.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Unknown_client_and_foreign_key_are_refused()
    {
        var client = await fixture.CreateClientAsync();
        var stranger = ClientKey.Create();
        var impostorKey = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = client.Key.KeyId };

        var unknown = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion("nobody-" + Guid.NewGuid().ToString("N")[..6], stranger.SigningKey));
        var impostor = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(client.ClientId, impostorKey));

        Assert.Equal("invalid_client", unknown.Body.GetProperty("error").GetString());
        Assert.Equal("invalid_client", impostor.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Scope_naming_a_role_grants_nothing()
    {
        var client = await fixture.CreateClientAsync();

        var escalation = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(client.ClientId, client.Key.SigningKey), scope: "platform-admin");
        var plain = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(client.ClientId, client.Key.SigningKey));

        Assert.False(escalation.Body.TryGetProperty("access_token", out _));
        var token = new JsonWebToken(plain.Body.GetProperty("access_token").GetString());
        Assert.Equal(["sync"], token.Claims.Where(c => c.Type == "role").Select(c => c.Value));
    }

    [Fact]
    public async Task Client_secret_is_refused_while_secrets_are_disabled()
    {
        var tenantClient = await fixture.CreateClientAsync();
        var secretClientId = await SecretClients.RegisterAsync(fixture, tenantClient.TenantSlug, "secret", "correct horse battery staple");

        var result = await Tokens.RequestAsync(fixture, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = secretClientId,
            ["client_secret"] = "correct horse battery staple",
        });

        Assert.Equal(400, result.Status);
        Assert.Equal("invalid_client", result.Body.GetProperty("error").GetString());
        Assert.False(result.Body.TryGetProperty("access_token", out _));
    }
}

public sealed class SqliteTokenIssuanceTests(SqliteFixture fixture) : TokenIssuanceTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresTokenIssuanceTests(PostgresFixture fixture) : TokenIssuanceTests(fixture), IClassFixture<PostgresFixture>;
