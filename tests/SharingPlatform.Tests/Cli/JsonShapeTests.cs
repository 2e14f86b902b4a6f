using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using SharingPlatform.Cli;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Cli;

/// <summary>
/// <c>--output json</c> gives each resource one shape, whichever command returns it: the resource as the server sends
/// it, in the proto3 JSON mapping with 64-bit numbers as numbers and bytes in base64url. Each test reads the resource
/// straight from the server and compares it with what every sharectl command printed.
/// </summary>
public sealed class JsonShapeTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private static JsonNode Json((int Exit, string Out, string Error) result)
    {
        Assert.True(result.Exit == 0, result.Error);
        Assert.Empty(result.Error);
        return JsonNode.Parse(result.Out)!;
    }

    /// <summary>The one shape: exactly the server's resource in ProtoJson's mapping, names lowerCamel throughout.</summary>
    private static void Same(IMessage fromServer, JsonNode printed)
    {
        var expected = ProtoJson.ToNode(fromServer);
        Assert.True(JsonNode.DeepEquals(expected, printed), $"expected {expected.ToJsonString()}\nprinted  {printed.ToJsonString()}");
        Assert.All(Names(printed), name => Assert.DoesNotContain('_', name));
    }

    private static IEnumerable<string> Names(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Names(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(Names),
        _ => [],
    };

    private static void Rfc3339(JsonNode? time)
    {
        var text = time!.GetValue<string>();
        Assert.EndsWith("Z", text, StringComparison.Ordinal);
        Assert.Contains('T', text);
        Assert.True(DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _), text);
    }

    [Fact]
    public async Task A_tenant_has_one_shape_in_create_list_and_suspend()
    {
        using var cli = new Sharectl(fixture);
        await AdminCommandTests.LoginPlatformAdminAsync(cli, fixture);
        var slug = "shape-" + Guid.NewGuid().ToString("N")[..8];
        var publicKey = Path.Combine(cli.Home, "admin.public.jwk");
        Json(await cli.RunAsync("keys", "new", "--out", Path.Combine(cli.Home, "admin.jwk"), "--public-out", publicKey, "-o", "json"));

        var created = Json(await cli.RunAsync("tenants", "create", slug, "--name", "Shape Test", "--kind", "advocacy", "--admin-key-file", publicKey, "--profile", "admin", "-o", "json"));
        var listed = Json(await cli.RunAsync("tenants", "list", "--profile", "admin", "-o", "json")).AsArray().Single(t => t!["name"]!.GetValue<string>() == "tenants/" + slug)!;
        Tenant fromServer;
        using (var admin = fixture.ConnectPlatformAdmin())
        {
            fromServer = await admin.Tenants.GetTenantAsync(new GetTenantRequest { Name = "tenants/" + slug });
        }

        var suspended = Json(await cli.RunAsync("tenants", "suspend", slug, "--profile", "admin", "-o", "json"));

        Same(fromServer, created);
        Same(fromServer, listed);
        Assert.Equal("TENANT_KIND_ADVOCACY", created["kind"]!.GetValue<string>());
        Rfc3339(created["createTime"]);
        fromServer.State = TenantState.Suspended;
        Same(fromServer, suspended);
    }

    [Fact]
    public async Task A_client_has_one_shape_in_register_list_and_disable()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(admin);
        var key = Path.Combine(cli.Home, "sync.jwk");
        Json(await cli.RunAsync("keys", "new", "--out", key, "-o", "json"));

        var registered = Json(await cli.RunAsync("clients", "register", "shape-sync", "--roles", "sync", "--key-file", key, "-o", "json"));
        var listed = Json(await cli.RunAsync("clients", "list", "-o", "json")).AsArray().Single(c => c!["name"]!.GetValue<string>() == admin.Parent + "/clients/shape-sync")!;
        var disabled = Json(await cli.RunAsync("clients", "disable", "shape-sync", "-o", "json"));
        V1.Client fromServer;
        using (var connection = admin.Connect())
        {
            fromServer = (await connection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = admin.Parent })).Clients.Single(c => c.Name.EndsWith("/shape-sync", StringComparison.Ordinal));
        }

        Same(fromServer, disabled);
        fromServer.State = ClientState.Active;
        Same(fromServer, registered);
        Same(fromServer, listed);
        Assert.Equal(["sync"], registered["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Rfc3339(registered["createTime"]);
    }

    [Fact]
    public async Task An_agreement_has_one_shape_in_create_list_and_revoke_with_every_scalar_present()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var grantee = await fixture.CreateClientAsync();
        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(admin);
        var until = DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var created = Json(await cli.RunAsync("agreements", "create", "--to", grantee.TenantSlug, "--fields", "status", "--purpose", "documentation", "--until", until, "-o", "json"));
        var listed = Json(await cli.RunAsync("agreements", "list", "-o", "json")).AsArray().Single()!;
        SharingAgreement fromServer;
        using (var connection = admin.Connect())
        {
            fromServer = await connection.Sharing.GetAgreementAsync(new GetAgreementRequest { Name = created["name"]!.GetValue<string>() });
        }

        var revoked = Json(await cli.RunAsync("agreements", "revoke", created["name"]!.GetValue<string>(), "-o", "json"));

        Same(fromServer, created);
        Same(fromServer, listed);
        // Scalars at their default are printed too, so a script finds the same keys in every agreement.
        Assert.False(created["linkage"]!.GetValue<bool>());
        Assert.False(created["aggregateOnly"]!.GetValue<bool>());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, created["minCellSize"]!.GetValueKind());
        Assert.Equal("status", created["fields"]!.GetValue<string>());
        Rfc3339(created["validUntil"]);
        Assert.False(revoked["live"]!.GetValue<bool>());
        Rfc3339(revoked["revokeTime"]);
    }

    [Fact]
    public async Task A_case_record_has_one_shape_in_get_and_list_and_counts_are_numbers()
    {
        var client = await fixture.CreateClientAsync();
        using (var connection = client.Connect())
        {
            await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("shape-1"))));
        }

        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(client);

        var got = Json(await cli.RunAsync("cases", "get", "shape-1", "-o", "json"));
        var listed = Json(await cli.RunAsync("cases", "list", "-o", "json")).AsArray().Single()!;
        var stats = Json(await cli.RunAsync("cases", "stats", "--by", "status", "-o", "json"));
        CaseRecord fromServer;
        CountCasesResponse counts;
        using (var connection = client.Connect())
        {
            fromServer = await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = client.CaseName("shape-1") });
            counts = await connection.Cases.CountCasesAsync(new CountCasesRequest { Parent = client.Parent, GroupBy = CountDimension.Status });
        }

        Same(fromServer, got);
        Same(fromServer, listed);
        Assert.StartsWith("CASE_STATUS_", got["status"]!.GetValue<string>(), StringComparison.Ordinal);
        Rfc3339(got["updateTime"]);
        Same(counts, stats);
        // count is an int64: a JSON number here, where the plain proto3 mapping would give a string.
        Assert.Equal(1, stats["total"]!["count"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_audit_event_has_one_shape_in_list_and_export_with_numbers_and_base64url_hashes()
    {
        using var cli = new Sharectl(fixture);
        await AdminCommandTests.LoginPlatformAdminAsync(cli, fixture);
        Json(await cli.RunAsync("tenants", "list", "--profile", "admin", "-o", "json"));
        var export = Path.Combine(cli.Home, "audit.jsonl");
        var checkpointFile = Path.Combine(cli.Home, "checkpoint.json");

        var listed = Json(await cli.RunAsync("audit", "list", "--limit", "5", "--profile", "admin", "-o", "json")).AsArray();
        Json(await cli.RunAsync("audit", "export", "--out", export, "--profile", "admin", "-o", "json"));
        var checkpoint = Json(await cli.RunAsync("audit", "checkpoint", "--out", checkpointFile, "--profile", "admin", "-o", "json"));
        var exported = (await File.ReadAllLinesAsync(export, TestContext.Current.CancellationToken)).Select(l => JsonNode.Parse(l)!).ToDictionary(e => e["sequence"]!.GetValue<long>());
        ListAuditEventsResponse fromServer;
        using (var admin = fixture.ConnectPlatformAdmin())
        {
            fromServer = await admin.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 5 });
        }

        Assert.Equal(5, listed.Count);
        foreach (var (printed, expected) in listed.Zip(fromServer.Events))
        {
            Same(expected, printed!);
            Same(expected, exported[expected.Sequence]);
            Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(printed!["hash"]!.GetValue<string>()).Length);
        }

        Assert.Equal(1, listed[0]!["sequence"]!.GetValue<long>());
        Rfc3339(listed[0]!["time"]);
        var signed = ProtoJson.Parse<SignedCheckpoint>(await File.ReadAllTextAsync(checkpointFile, TestContext.Current.CancellationToken));
        Assert.Equal(Output.Hash(signed.Checkpoint.HeadHash), checkpoint["headHash"]!.GetValue<string>());
        Assert.Equal(signed.Checkpoint.Size, checkpoint["size"]!.GetValue<long>());
        Rfc3339(checkpoint["time"]);
    }
}
