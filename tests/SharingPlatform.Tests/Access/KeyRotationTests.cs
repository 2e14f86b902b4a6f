using Grpc.Core;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Access;

/// <summary>Rotating a client's key stops access tokens obtained with the old key on the next call, not at their expiry.</summary>
public abstract class KeyRotationTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Token_obtained_before_a_key_rotation_is_refused_on_the_next_call_and_a_token_from_the_new_key_works()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var sync = await fixture.CreateClientAsync(admin.TenantSlug);
        using var adminConnection = admin.Connect();
        using var raw = new RawCalls(fixture, sync);
        var before = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(sync.ClientId, sync.Key.SigningKey));
        var oldToken = RawCalls.Bearer(before.Body.GetProperty("access_token").GetString());
        await raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent }, oldToken);
        var newKey = ClientKey.Create();

        await adminConnection.Tenants.RotateClientKeyAsync(new RotateClientKeyRequest { Name = sync.ClientId, PublicJwk = newKey.PublicJwkJson() });
        var refused = await Assert.ThrowsAsync<RpcException>(() => raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent }, oldToken).ResponseAsync);
        // Issued within the same second as the rotation: only the key decides, never the clock.
        var after = await Tokens.RequestWithAssertionAsync(fixture, Tokens.Assertion(sync.ClientId, newKey.SigningKey));
        var listed = await raw.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent }, RawCalls.Bearer(after.Body.GetProperty("access_token").GetString()));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Empty(listed.Cases);
    }

    [Fact]
    public async Task Sdk_connection_keeps_working_across_an_unrelated_clients_rotation()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var sync = await fixture.CreateClientAsync(admin.TenantSlug);
        var other = await fixture.CreateClientAsync(admin.TenantSlug);
        using var adminConnection = admin.Connect();
        using var syncConnection = sync.Connect();
        await syncConnection.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent });

        await adminConnection.Tenants.RotateClientKeyAsync(new RotateClientKeyRequest { Name = other.ClientId, PublicJwk = ClientKey.Create().PublicJwkJson() });
        var listed = await syncConnection.Cases.ListCasesAsync(new ListCasesRequest { Parent = sync.Parent });

        Assert.Empty(listed.Cases);
    }
}

public sealed class SqliteKeyRotationTests(SqliteFixture fixture) : KeyRotationTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresKeyRotationTests(PostgresFixture fixture) : KeyRotationTests(fixture), IClassFixture<PostgresFixture>;
