using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using SharingPlatform.Client.Auth;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Cli;

/// <summary>Onboarding, clients and agreements through the real sharectl commands against the in-process platform.</summary>
public sealed class AdminCommandTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    /// <summary>Saves the bootstrap platform-admin as profile <c>admin</c>.</summary>
    internal static async Task LoginPlatformAdminAsync(Sharectl cli, PlatformFixture fixture)
    {
        var key = Path.Combine(fixture.DataDirectory, "bootstrap", "platform-admin.jwk");
        var (exit, _, error) = await cli.RunAsync("login", "--server", PlatformFixture.GrpcAddress.ToString(), "--identity", PlatformFixture.Issuer.ToString(),
            "--client-id", PlatformFixture.PlatformAdminId, "--key-file", key, "--profile", "admin");
        Assert.True(exit == 0, error);
    }

    private static void Ok((int Exit, string Out, string Error) result) => Assert.True(result.Exit == 0, result.Error);

    private static JsonElement Json((int Exit, string Out, string Error) result)
    {
        Ok(result);
        using var document = JsonDocument.Parse(result.Out);
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task Platform_admin_onboards_a_partner_whose_admin_registers_a_sync_client_with_sharectl()
    {
        using var cli = new Sharectl(fixture);
        await LoginPlatformAdminAsync(cli, fixture);
        var slug = "ngo-" + Guid.NewGuid().ToString("N")[..8];
        var adminKey = Path.Combine(cli.Home, "admin.jwk");
        var adminPublic = Path.Combine(cli.Home, "admin.public.jwk");
        var syncKey = Path.Combine(cli.Home, "sync.jwk");
        var syncPublic = Path.Combine(cli.Home, "sync.public.jwk");

        // The partner makes its admin key and sends only the public half; the operator creates the tenant with it.
        Ok(await cli.RunAsync("keys", "new", "--out", adminKey, "--public-out", adminPublic));
        var privateRefused = await cli.RunAsync("tenants", "create", slug, "--name", "North Rescue Network", "--kind", "rescue", "--admin-key-file", adminKey, "--profile", "admin");
        Ok(await cli.RunAsync("tenants", "create", slug, "--name", "North Rescue Network", "--kind", "rescue", "--admin-key-file", adminPublic, "--profile", "admin"));
        var tenants = Json(await cli.RunAsync("tenants", "list", "--output", "json", "--profile", "admin"));
        Ok(await cli.RunAsync("login", "--server", PlatformFixture.GrpcAddress.ToString(), "--identity", PlatformFixture.Issuer.ToString(),
            "--client-id", $"tenants/{slug}/clients/admin", "--key-file", adminKey));
        var newKey = Json(await cli.RunAsync("keys", "new", "--out", syncKey, "--output", "json"));
        await File.WriteAllTextAsync(syncPublic, newKey.GetProperty("publicJwk").GetString(), TestContext.Current.CancellationToken);
        var registered = Json(await cli.RunAsync("clients", "register", "sync", "--roles", "sync,auditor", "--key-file", syncPublic, "--output", "json"));
        var clients = Json(await cli.RunAsync("clients", "list", "--output", "json"));
        var operatorRegister = await cli.RunAsync("clients", "register", "backdoor", "--roles", "sync", "--key-file", syncPublic, "--tenant", slug, "--profile", "admin");

        var tenant = Assert.Single(tenants.EnumerateArray(), t => t.GetProperty("name").GetString() == "tenants/" + slug);
        Assert.Equal("TENANT_KIND_RESCUE", tenant.GetProperty("kind").GetString());
        Assert.Equal("TENANT_STATE_ACTIVE", tenant.GetProperty("state").GetString());
        Assert.True(privateRefused.Exit == 1, privateRefused.Error);
        Assert.True(operatorRegister.Exit == 2, operatorRegister.Error);
        Assert.Equal($"tenants/{slug}/clients/sync", registered.GetProperty("name").GetString());
        Assert.Equal(["auditor", "sync"], registered.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).Order());
        Assert.Equal(ClientKey.Load(syncKey).KeyId, registered.GetProperty("keyId").GetString());
        Assert.Equal([$"tenants/{slug}/clients/admin", $"tenants/{slug}/clients/sync"], clients.EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order());
    }

    [Fact]
    public async Task Suspend_reactivate_rotate_and_disable_through_sharectl()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var sync = await fixture.CreateClientAsync(admin.TenantSlug);
        using var cli = new Sharectl(fixture);
        await LoginPlatformAdminAsync(cli, fixture);
        await cli.LoginAsync(admin);
        var newKey = Path.Combine(cli.Home, "rotated.jwk");
        Ok(await cli.RunAsync("keys", "new", "--out", newKey));

        var suspended = Json(await cli.RunAsync("tenants", "suspend", admin.TenantSlug, "--profile", "admin", "--output", "json"));
        var refused = await cli.RunAsync("clients", "list");
        Ok(await cli.RunAsync("tenants", "reactivate", admin.TenantSlug, "--profile", "admin"));
        var rotated = Json(await cli.RunAsync("clients", "rotate-key", sync.ClientId, "--key-file", newKey, "--output", "json"));
        var disabled = Json(await cli.RunAsync("clients", "disable", sync.ClientId, "--output", "json"));
        var enabled = Json(await cli.RunAsync("clients", "enable", sync.ClientId, "--output", "json"));

        Assert.Equal("TENANT_STATE_SUSPENDED", suspended.GetProperty("state").GetString());
        Assert.True(refused.Exit == 3, refused.Error);
        Assert.Equal(ClientKey.Load(newKey).KeyId, rotated.GetProperty("keyId").GetString());
        Assert.Equal("CLIENT_STATE_DISABLED", disabled.GetProperty("state").GetString());
        Assert.Equal("CLIENT_STATE_ACTIVE", enabled.GetProperty("state").GetString());
        Assert.Equal(disabled.GetProperty("name").GetString(), enabled.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Clients_and_agreements_lists_follow_the_page_tokens_past_the_first_page()
    {
        // The server's default page is 100: 101 clients (with the admin) and 101 agreements need a second page.
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var grantee = await fixture.CreateClientAsync();
        using (var connection = admin.Connect())
        {
            for (var i = 0; i < 101; i++)
            {
                await connection.Tenants.RegisterClientAsync(new RegisterClientRequest
                {
                    Parent = admin.Parent, ClientId = $"sync-{i:D3}", Roles = { "sync" }, PublicJwk = ClientKey.Create().PublicJwkJson(),
                });
                await connection.Sharing.CreateAgreementAsync(Agreements.Create(admin, Agreements.To(grantee, "status")));
            }
        }

        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(admin);
        var clients = Json(await cli.RunAsync("clients", "list", "--output", "json"));
        var agreements = Json(await cli.RunAsync("agreements", "list", "--direction", "outgoing", "--output", "json"));

        var clientNames = clients.EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        var agreementNames = agreements.EnumerateArray().Select(a => a.GetProperty("name").GetString()).ToList();
        Assert.Equal(102, clientNames.Count);
        Assert.Equal(clientNames.Count, clientNames.Distinct().Count());
        Assert.Contains($"{admin.Parent}/clients/sync-100", clientNames);
        Assert.Equal(101, agreementNames.Count);
        Assert.Equal(agreementNames.Count, agreementNames.Distinct().Count());
    }

    [Fact]
    public async Task Agreements_are_created_listed_and_revoked_with_readable_flags()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var grantee = await fixture.CreateClientAsync();
        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(admin);
        var until = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var created = await cli.RunAsync("agreements", "create", "--to", grantee.TenantSlug, "--fields", "status,events,birthYear", "--purpose", "un_submission",
            "--until", until, "--max-classification", "confidential", "--statuses", "detained,repatriated", "--event-types", "arrested,died-in-custody",
            "--regions", "CN-LN,cn-jl", "--date-precision", "month", "--output", "json");
        Ok(created);
        var agreement = JsonParser.Default.Parse<SharingAgreement>(created.Out);
        var id = agreement.Name[(agreement.Name.LastIndexOf('/') + 1)..];
        var listed = Json(await cli.RunAsync("agreements", "list", "--direction", "outgoing", "--output", "json"));
        var table = await cli.RunAsync("agreements", "list");
        var revoked = await cli.RunAsync("agreements", "revoke", id);
        var afterRevoke = Json(await cli.RunAsync("agreements", "list", "--output", "json"));
        var ended = Json(await cli.RunAsync("agreements", "list", "--include-ended", "--output", "json"));

        Assert.Equal(Purpose.UnSubmission, agreement.Purpose);
        Assert.Equal(["status", "events", "birth_year"], agreement.Fields.Paths);
        Assert.Equal(Classification.Confidential, agreement.Filter.MaxClassification);
        Assert.Equal([CaseStatus.Detained, CaseStatus.Repatriated], agreement.Filter.Statuses);
        Assert.Equal([EventType.Arrested, EventType.DiedInCustody], agreement.Filter.EventTypes);
        Assert.Equal(["CN-JL", "CN-LN"], agreement.Filter.Regions.Order());
        Assert.Equal(DatePrecision.Month, agreement.DatePrecision);
        Assert.Equal(DateTime.ParseExact(until, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(1).AddSeconds(-1), agreement.ValidUntil.ToDateTime());
        var row = Assert.Single(listed.EnumerateArray());
        Assert.Equal(agreement.Name, row.GetProperty("name").GetString());
        Assert.Equal(grantee.Parent, row.GetProperty("grantee").GetString());
        Assert.Equal("PURPOSE_UN_SUBMISSION", row.GetProperty("purpose").GetString());
        Assert.True(row.GetProperty("live").GetBoolean());
        Ok(table);
        Assert.Contains("outgoing", table.Out, StringComparison.Ordinal);
        Ok(revoked);
        Assert.Empty(afterRevoke.EnumerateArray());
        var ended1 = Assert.Single(ended.EnumerateArray());
        Assert.False(ended1.GetProperty("live").GetBoolean());
        Assert.Equal(JsonValueKind.String, ended1.GetProperty("revokeTime").ValueKind);
    }

    [Theory]
    [InlineData("--purpose", "un-submision", "un_submission")]
    [InlineData("--statuses", "detained,jailed", "repatriated")]
    [InlineData("--date-precision", "week", "month")]
    [InlineData("--until", "30/06/2027", "yyyy-MM-dd")]
    public async Task Unknown_names_are_refused_before_anything_is_sent_listing_the_allowed_ones(string option, string value, string listed)
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var grantee = await fixture.CreateClientAsync();
        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(admin);
        var args = new Dictionary<string, string> { ["--purpose"] = "documentation", ["--until"] = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
        args[option] = value;

        var result = await cli.RunAsync(["agreements", "create", "--to", grantee.TenantSlug, "--fields", "status", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(1, result.Exit);
        Assert.Contains(option, result.Error, StringComparison.Ordinal);
        Assert.Contains(listed, result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task A_tenant_admin_acting_on_another_tenant_is_refused_with_exit_2()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var other = await fixture.CreateClientAsync(null, "tenant-admin");
        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(admin);
        var key = Path.Combine(cli.Home, "x.jwk");
        var publicKey = Path.Combine(cli.Home, "x.public.jwk");
        Ok(await cli.RunAsync("keys", "new", "--out", key, "--public-out", publicKey));

        var list = await cli.RunAsync("clients", "list", "--tenant", other.TenantSlug);
        var register = await cli.RunAsync("clients", "register", other.TenantSlug + "-x", "--roles", "sync", "--key-file", key, "--tenant", other.TenantSlug);
        var disable = await cli.RunAsync("clients", "disable", other.ClientId, "--tenant", other.TenantSlug);
        var grant = await cli.RunAsync("agreements", "create", "--tenant", other.TenantSlug, "--to", admin.TenantSlug, "--fields", "status",
            "--purpose", "documentation", "--until", DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var createTenant = await cli.RunAsync("tenants", "create", "x-" + admin.TenantSlug, "--name", "x", "--kind", "advocacy", "--admin-key-file", publicKey);

        Assert.All(new[] { list, register, disable, grant, createTenant }, r => Assert.Equal(2, r.Exit));
        Assert.Contains("NotFound", list.Error, StringComparison.Ordinal);
        Assert.Contains("PermissionDenied", createTenant.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_private_key_file_is_reduced_to_its_public_half_and_a_missing_file_is_bad_input()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(admin);
        var key = Path.Combine(cli.Home, "private.jwk");
        ClientKey.Create().Save(key);

        var registered = Json(await cli.RunAsync("clients", "register", admin.TenantSlug + "-p", "--roles", "sync", "--key-file", key, "--output", "json"));
        var missing = await cli.RunAsync("clients", "register", admin.TenantSlug + "-q", "--roles", "sync", "--key-file", Path.Combine(cli.Home, "none.jwk"));

        Assert.Equal(ClientKey.Load(key).KeyId, registered.GetProperty("keyId").GetString());
        Assert.Equal(1, missing.Exit);
    }
}
