using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using SharingPlatform.Client.Audit;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Cli;

/// <summary>An auditor keeps a checkpoint, exports the chain and verifies it offline, all with sharectl.</summary>
public sealed class AuditCommandTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private static void Ok((int Exit, string Out, string Error) result) => Assert.True(result.Exit == 0, result.Error);

    /// <summary>
    /// An early checkpoint, some activity, then a kept checkpoint, an export and a latest checkpoint, as files under
    /// the CLI's home.
    /// </summary>
    private async Task<(Sharectl Cli, string Early, string Kept, string Events, string Latest)> ExportAsync()
    {
        var cli = new Sharectl(fixture);
        await AdminCommandTests.LoginPlatformAdminAsync(cli, fixture);
        var early = Path.Combine(cli.Home, "early.json");
        Ok(await cli.RunAsync("audit", "checkpoint", "--out", early, "--profile", "admin"));
        var client = await fixture.CreateClientAsync();
        using (var connection = client.Connect())
        {
            await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("c-1"))));
            await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent });
        }

        var (kept, events, latest) = (Path.Combine(cli.Home, "kept.json"), Path.Combine(cli.Home, "events.jsonl"), Path.Combine(cli.Home, "latest.json"));
        Ok(await cli.RunAsync("audit", "checkpoint", "--out", kept, "--profile", "admin"));
        Ok(await cli.RunAsync("audit", "export", "--out", events, "--profile", "admin"));
        Ok(await cli.RunAsync("audit", "checkpoint", "--out", latest, "--profile", "admin"));
        return (cli, early, kept, events, latest);
    }

    private static async Task<long> SizeAsync(string checkpointFile) =>
        SharingPlatform.Cli.ProtoJson.Parse<SignedCheckpoint>(await File.ReadAllTextAsync(checkpointFile, TestContext.Current.CancellationToken)).Checkpoint.Size;

    [Fact]
    public async Task Checkpoint_export_and_offline_verify_succeed_on_an_untouched_log()
    {
        var (cli, _, kept, events, latest) = await ExportAsync();
        using var _ = cli;
        var keyFile = Path.Combine(cli.Home, "audit-key.jwk");
        var checkpoint = SharingPlatform.Cli.ProtoJson.Parse<SignedCheckpoint>(await File.ReadAllTextAsync(kept, TestContext.Current.CancellationToken));
        await File.WriteAllTextAsync(keyFile, checkpoint.PublicJwk, TestContext.Current.CancellationToken);
        var lines = await File.ReadAllLinesAsync(events, TestContext.Current.CancellationToken);

        var byCheckpoint = await cli.RunAsync("audit", "verify", "--events", events, "--key-file", kept, "--kept", kept, "--latest", latest);
        var byJwk = await cli.RunAsync("audit", "verify", "--events", events, "--key-file", keyFile, "--kept", kept, "--output", "json");
        var exported = await cli.RunAsync("audit", "export", "--out", events, "--profile", "admin", "--output", "json");
        var again = await cli.RunAsync("audit", "checkpoint", "--out", kept, "--profile", "admin");

        Ok(byCheckpoint);
        Assert.Contains("Intact", byCheckpoint.Out, StringComparison.Ordinal);
        Ok(byJwk);
        using var result = JsonDocument.Parse(byJwk.Out);
        Assert.True(result.RootElement.GetProperty("intact").GetBoolean());
        Assert.Equal(lines.Length, result.RootElement.GetProperty("events").GetInt32());
        Assert.True(lines.Length >= checkpoint.Checkpoint.Size);
        Assert.Equal(Enumerable.Range(1, lines.Length).Select(i => (long)i), lines.Select(l => SharingPlatform.Cli.ProtoJson.Parse<AuditEvent>(l).Sequence));
        Ok(exported);
        using var export = JsonDocument.Parse(exported.Out);
        Assert.True(export.RootElement.GetProperty("events").GetInt64() > lines.Length);
        Assert.Equal(1, again.Exit);
        Assert.Empty(Directory.GetFiles(cli.Home, "*.partial-*"));
    }

    [Fact]
    public async Task An_edited_actor_in_the_export_fails_verification_at_that_sequence()
    {
        var (cli, _, kept, events, latest) = await ExportAsync();
        using var _ = cli;
        var lines = await File.ReadAllLinesAsync(events, TestContext.Current.CancellationToken);
        var target = lines.Length / 2;
        var edited = JsonNode.Parse(lines[target])!.AsObject();
        Assert.NotNull(edited["actorClient"]);
        edited["actorClient"] = "someone-else";
        lines[target] = edited.ToJsonString();
        var tampered = Path.Combine(cli.Home, "tampered.jsonl");
        await File.WriteAllLinesAsync(tampered, lines, TestContext.Current.CancellationToken);

        var result = await cli.RunAsync("audit", "verify", "--events", tampered, "--key-file", latest, "--kept", kept, "--latest", latest);
        var json = await cli.RunAsync("audit", "verify", "--events", tampered, "--key-file", latest, "--output", "json");

        Assert.Equal(6, result.Exit);
        Assert.Contains($"first bad sequence {target + 1}: content changed", result.Error, StringComparison.Ordinal);
        Assert.Equal(6, json.Exit);
        using var document = JsonDocument.Parse(json.Out);
        Assert.False(document.RootElement.GetProperty("intact").GetBoolean());
        Assert.Equal(target + 1, document.RootElement.GetProperty("firstBadSequence").GetInt64());
        Assert.Equal(target + 1, document.RootElement.GetProperty("firstBadFrom").GetInt64());
        Assert.Equal(target + 1, document.RootElement.GetProperty("firstBadTo").GetInt64());
    }

    [Fact]
    public async Task A_consistent_rewrite_of_the_export_fails_verification_with_the_range_the_kept_checkpoints_leave()
    {
        var (cli, early, kept, events, _) = await ExportAsync();
        using var _ = cli;
        var (earlySize, keptSize) = (await SizeAsync(early), await SizeAsync(kept));
        Assert.True(earlySize + 1 < keptSize);
        // From the first event after the early checkpoint on, every digest and link recomputed: the export fits itself.
        var previous = ByteString.CopyFrom(AuditHashing.Genesis);
        var rewritten = new List<string>();
        foreach (var line in await File.ReadAllLinesAsync(events, TestContext.Current.CancellationToken))
        {
            var e = SharingPlatform.Cli.ProtoJson.Parse<AuditEvent>(line);
            if (e.Sequence > earlySize)
            {
                Assert.False(e.Redacted);
                e.ActorClient = "insider";
                e.ContentDigest = ByteString.CopyFrom(AuditHashing.ContentDigest(e.Sequence, e.Time.ToDateTime(), e.ActorClient, e.ActorTenant, e.Action,
                    e.Resources, e.Purpose, e.Outcome, e.RequestId, e.Salt.Span));
                e.PreviousHash = previous;
                e.Hash = ByteString.CopyFrom(AuditHashing.ChainHash(previous.Span, e.ContentDigest.Span));
            }

            previous = e.Hash;
            rewritten.Add(JsonFormatter.Default.Format(e));
        }

        var tampered = Path.Combine(cli.Home, "rewritten.jsonl");
        await File.WriteAllLinesAsync(tampered, rewritten, TestContext.Current.CancellationToken);

        var unanchored = await cli.RunAsync("audit", "verify", "--events", tampered, "--key-file", kept);
        var one = await cli.RunAsync("audit", "verify", "--events", tampered, "--key-file", kept, "--kept", kept);
        var two = await cli.RunAsync("audit", "verify", "--events", tampered, "--key-file", kept, "--kept", kept, "--kept", early, "--output", "json");

        Ok(unanchored);
        Assert.Equal(6, one.Exit);
        Assert.Contains($"first bad sequence between 1 and {keptSize}, not known more closely", one.Error, StringComparison.Ordinal);
        Assert.Equal(6, two.Exit);
        using var document = JsonDocument.Parse(two.Out);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("firstBadSequence").ValueKind);
        Assert.Equal(earlySize + 1, document.RootElement.GetProperty("firstBadFrom").GetInt64());
        Assert.Equal(keptSize, document.RootElement.GetProperty("firstBadTo").GetInt64());
        // Sequences and the problem only: nothing of any event's content.
        Assert.DoesNotContain("insider", one.Out + one.Error + two.Out + two.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kept_checkpoint_that_does_not_verify_fails_without_naming_an_event()
    {
        var (cli, _, kept, events, _) = await ExportAsync();
        using var _ = cli;
        var forged = SharingPlatform.Cli.ProtoJson.Parse<SignedCheckpoint>(await File.ReadAllTextAsync(kept, TestContext.Current.CancellationToken));
        forged.Checkpoint.Size -= 1;
        var forgedFile = Path.Combine(cli.Home, "forged.json");
        await File.WriteAllTextAsync(forgedFile, JsonFormatter.Default.Format(forged), TestContext.Current.CancellationToken);

        var result = await cli.RunAsync("audit", "verify", "--events", events, "--key-file", kept, "--kept", forgedFile);
        var json = await cli.RunAsync("audit", "verify", "--events", events, "--key-file", kept, "--kept", forgedFile, "--output", "json");

        Assert.Equal(6, result.Exit);
        Assert.Contains("checkpoint signature invalid: no event is shown to be bad", result.Error, StringComparison.Ordinal);
        Assert.Equal(6, json.Exit);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("firstBadSequence").ValueKind);
        Assert.Equal(0, document.RootElement.GetProperty("firstBadFrom").GetInt64());
        Assert.Equal("checkpoint signature invalid", document.RootElement.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task Verify_refuses_unusable_files_with_bad_input()
    {
        var (cli, _, kept, events, _) = await ExportAsync();
        using var _ = cli;
        var garbage = Path.Combine(cli.Home, "garbage.jsonl");
        await File.WriteAllTextAsync(garbage, "{\"sequence\": \"x\"}\n", TestContext.Current.CancellationToken);

        var badEvents = await cli.RunAsync("audit", "verify", "--events", garbage, "--key-file", kept);
        var badKey = await cli.RunAsync("audit", "verify", "--events", events, "--key-file", events);
        var missing = await cli.RunAsync("audit", "verify", "--events", Path.Combine(cli.Home, "none.jsonl"), "--key-file", kept);

        Assert.Equal(1, badEvents.Exit);
        Assert.Contains("line 1", badEvents.Error, StringComparison.Ordinal);
        Assert.Equal(1, badKey.Exit);
        Assert.Equal(1, missing.Exit);
    }

    [Fact]
    public async Task Audit_list_filters_pages_up_to_the_limit_and_prints_json()
    {
        using var cli = new Sharectl(fixture);
        await AdminCommandTests.LoginPlatformAdminAsync(cli, fixture);
        for (var i = 0; i < 3; i++)
        {
            Ok(await cli.RunAsync("tenants", "list", "--profile", "admin"));
        }

        var limited = await cli.RunAsync("audit", "list", "--limit", "2", "--profile", "admin", "--output", "json");
        var filtered = await cli.RunAsync("audit", "list", "--actor-client", PlatformFixture.PlatformAdminId, "--action", "sharing.v1.TenantAdminService/ListTenants",
            "--since", DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--limit", "1000", "--profile", "admin", "--output", "json");
        var table = await cli.RunAsync("audit", "list", "--limit", "3", "--profile", "admin");

        Ok(limited);
        using var first = JsonDocument.Parse(limited.Out);
        Assert.Equal(2, first.RootElement.GetArrayLength());
        Ok(filtered);
        using var second = JsonDocument.Parse(filtered.Out);
        Assert.True(second.RootElement.GetArrayLength() >= 3);
        Assert.All(second.RootElement.EnumerateArray(), e => Assert.Equal(PlatformFixture.PlatformAdminId, e.GetProperty("actorClient").GetString()));
        Ok(table);
        Assert.Contains("Audit events", table.Out, StringComparison.Ordinal);
    }
}
