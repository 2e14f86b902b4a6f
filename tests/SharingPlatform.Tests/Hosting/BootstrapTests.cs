extern alias server;

using System.Text.Json;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Demo;

namespace SharingPlatform.Tests.Hosting;

/// <summary>A platform started with --demo on an empty database.</summary>
public sealed class DemoFixture : SqliteFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Demo:Enabled", "true"), new("Demo:RecordsPerTenant", "60")];
}

public sealed class BootstrapTests(DemoFixture fixture) : IClassFixture<DemoFixture>
{
    [Fact]
    public async Task First_start_writes_an_owner_only_platform_admin_key_that_gets_an_admin_token()
    {
        var keyPath = Path.Combine(fixture.DataDirectory, "bootstrap", "platform-admin.jwk");
        var connectionFile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.DataDirectory, "bootstrap", "platform-admin.json"), TestContext.Current.CancellationToken));

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(fixture.DataDirectory));
        }

        Assert.Equal(PlatformFixture.PlatformAdminId, connectionFile.RootElement.GetProperty("client_id").GetString());
        using var admin = fixture.Connect(PlatformFixture.PlatformAdminId, ClientKey.Load(keyPath));
        var token = new JsonWebToken(await admin.Tokens.GetTokenAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["platform-admin", "platform-auditor"], token.Claims.Where(c => c.Type == "role").Select(c => c.Value).Order());
        // Platform administration does not include reading partners' cases.
        var denied = await Assert.ThrowsAsync<RpcException>(() => admin.Cases.ListCasesAsync(new ListCasesRequest { Parent = "tenants/nkdb-demo" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task Demo_start_creates_three_partner_tenants_whose_clients_can_pull_their_synthetic_records()
    {
        foreach (var (slug, _, _) in DemoSeed.Tenants)
        {
            var keyPath = Path.Combine(fixture.DataDirectory, "demo", slug + "-sync.jwk");
            using var connection = fixture.Connect(PlatformFixture.ClientName(slug, "sync"), ClientKey.Load(keyPath));

            var (changes, _, caughtUp) = await connection.Cases.PullAllAsync("tenants/" + slug);

            Assert.True(caughtUp);
            Assert.Equal(60, changes.Count);
            Assert.All(changes, c => Assert.Contains("demo", c.Record.Tags));
        }
    }

    [Fact]
    public async Task Demo_subjects_written_in_hangul_at_one_partner_and_romanized_at_another_link_by_token()
    {
        async Task<HashSet<string>> TokensOf(string slug)
        {
            using var connection = fixture.Connect(PlatformFixture.ClientName(slug, "sync"), ClientKey.Load(Path.Combine(fixture.DataDirectory, "demo", slug + "-sync.jwk")));
            return [.. (await connection.Cases.PullAllAsync("tenants/" + slug)).Changes.Select(c => c.Record.SubjectToken)];
        }

        var documentation = await TokensOf("nkdb-demo");
        var rescue = await TokensOf("rescue-demo");

        Assert.NotEmpty(documentation.Intersect(rescue));
        Assert.NotEqual(documentation, rescue);
    }
}
