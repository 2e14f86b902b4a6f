extern alias server;

using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Tenants;

namespace SharingPlatform.Tests.Access;

/// <summary>Every CaseService method refuses bad tokens, and client or tenant changes bite on the next call.</summary>
public abstract class ApiAuthorizationTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Every_method_refuses_a_call_without_a_token()
    {
        var client = await fixture.CreateClientAsync();
        using var raw = new RawCalls(fixture, client);

        foreach (var (method, call) in raw.AllCaseMethods())
        {
            await AssertStatus(StatusCode.Unauthenticated, method, call(RawCalls.Bearer(null)));
        }
    }

    [Fact]
    public async Task Every_method_refuses_expired_misaddressed_and_forged_tokens()
    {
        var client = await fixture.CreateClientAsync();
        using var raw = new RawCalls(fixture, client);
        var foreignKey = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = Tokens.ServerSigningKey(fixture).KeyId };
        var badTokens = new Dictionary<string, string>
        {
            ["expired"] = Tokens.ForgeAccessToken(fixture, client, expiresIn: TimeSpan.FromMinutes(-10)),
            ["wrong audience"] = Tokens.ForgeAccessToken(fixture, client, audience: "other-api"),
            ["wrong signature"] = Tokens.ForgeAccessToken(fixture, client, signingKey: foreignKey),
            ["garbage"] = "not.a.token",
        };

        foreach (var (kind, token) in badTokens)
        {
            foreach (var (method, call) in raw.AllCaseMethods())
            {
                await AssertStatus(StatusCode.Unauthenticated, $"{method} with {kind} token", call(RawCalls.Bearer(token)));
            }
        }
    }

    [Fact]
    public async Task A_well_formed_token_still_works_so_the_refusals_above_are_about_the_token()
    {
        var client = await fixture.CreateClientAsync();
        using var raw = new RawCalls(fixture, client);

        var listed = await raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent }, RawCalls.Bearer(Tokens.ForgeAccessToken(fixture, client)));

        Assert.Empty(listed.Cases);
    }

    [Fact]
    public async Task Client_without_the_sync_role_is_denied_every_case_method()
    {
        var auditor = await fixture.CreateClientAsync(roles: ["auditor", "tenant-admin"]);
        using var connection = auditor.Connect();
        using var raw = new RawCalls(fixture, auditor);
        var token = await connection.Tokens.GetTokenAsync();

        foreach (var (method, call) in raw.AllCaseMethods())
        {
            await AssertStatus(StatusCode.PermissionDenied, method, call(RawCalls.Bearer(token)));
        }
    }

    [Fact]
    public async Task Role_in_the_token_that_the_client_no_longer_holds_is_ignored()
    {
        var client = await fixture.CreateClientAsync(roles: ["auditor"]);
        using var raw = new RawCalls(fixture, client);
        var stale = Tokens.ForgeAccessToken(fixture, client, roles: ["sync"]);

        await AssertStatus(StatusCode.PermissionDenied, "ListCases",
            raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent }, RawCalls.Bearer(stale)).ResponseAsync);
    }

    [Fact]
    public async Task Disabled_client_is_refused_on_the_next_call_and_gets_no_new_token()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent });

        await fixture.WithDbAsync(db => db.Clients.Where(c => c.ClientId == client.ClientId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ClientStatus.Disabled)));

        await AssertStatus(StatusCode.Unauthenticated, "ListCases", connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent }).ResponseAsync);
        var refused = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(client.ClientId, client.Key.SigningKey));
        Assert.Equal("invalid_client", refused.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Suspended_tenant_is_refused_on_the_next_call_and_gets_no_new_token()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent });

        await fixture.WithDbAsync(db => db.Tenants.Where(t => t.Slug == client.TenantSlug)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TenantStatus.Suspended)));

        await AssertStatus(StatusCode.PermissionDenied, "ListCases", connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent }).ResponseAsync);
        var refused = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(client.ClientId, client.Key.SigningKey));
        Assert.Equal("invalid_client", refused.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Health_answers_without_a_token()
    {
        var client = await fixture.CreateClientAsync();
        using var raw = new RawCalls(fixture, client);

        var health = await new Health.HealthClient(raw.Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    private static async Task AssertStatus(StatusCode expected, string what, Task call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.True(expected == error.StatusCode, $"{what}: expected {expected}, got {error.StatusCode} ({error.Status.Detail})");
    }
}

public sealed class SqliteApiAuthorizationTests(SqliteFixture fixture) : ApiAuthorizationTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresApiAuthorizationTests(PostgresFixture fixture) : ApiAuthorizationTests(fixture), IClassFixture<PostgresFixture>;
