using System.Text;
using System.Text.Json;
using SharingPlatform.Client.Pseudonymization;
using SharingPlatform.Client.Sync;
using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Cli;

/// <summary>The partner's workflow with the real sharectl commands: push a file of named cases, pull the view, survive a crash.</summary>
public sealed class CasesCommandTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>, IDisposable
{
    private const string Header = "case_id,family_name,given_name,birth_date,sex,home_county,status,classification,consent_scope,origin_region,event_type,event_date,event_country,event_region,event_locality,event_facility,event_authority,narrative,tags,source_type,reliability,credibility";

    private readonly Sharectl _cli = new(fixture);

    private string Temp(string name) => Path.Combine(_cli.Home, name);

    private async Task<(TestClient Client, string LinkageKey)> PartnerAsync()
    {
        var client = await fixture.CreateClientAsync();
        await _cli.LoginAsync(client);
        var key = Temp("linkage-" + client.TenantSlug + ".key");
        Assert.Equal(0, (await _cli.RunAsync("keys", "new-linkage-key", "--out", key)).Exit);
        return (client, key);
    }

    private string CsvFile(string name, int count, Func<int, string>? narrative = null)
    {
        var lines = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < count; i++)
        {
            var text = narrative?.Invoke(i) ?? "Arrested with two others at a bus station.";
            lines.Append(System.Globalization.CultureInfo.InvariantCulture, $"c-{i:D4},최,미라{i},1994-03-15,F,,detained,restricted,partners,KP-09,arrested,2024-03,CN,CN-LN,Dandong,,,\"{text}\",demo,family,B,2\n");
            lines.Append(System.Globalization.CultureInfo.InvariantCulture, $"c-{i:D4},최,미라{i},1994-03-15,F,,detained,restricted,partners,KP-09,detained,2024-03-20,CN,CN-LN,Dandong,Dandong detention centre,,\"{text}\",demo,family,B,2\n");
        }

        var path = Temp(name);
        File.WriteAllText(path, lines.ToString());
        return path;
    }

    [Fact]
    public async Task Pushing_a_csv_then_pulling_gives_the_records_with_tokens_and_never_the_names()
    {
        var (client, key) = await PartnerAsync();
        var csv = CsvFile("cases.csv", 30);
        var view = Temp("view.jsonl");

        var push = await _cli.RunAsync("cases", "push", csv, "--linkage-key-file", key, "--output", "json");
        var pull = await _cli.RunAsync("cases", "pull", "--out", view);

        Assert.True(push.Exit == 0, push.Error);
        Assert.Equal(30, JsonDocument.Parse(push.Out).RootElement.GetProperty("counts").GetProperty("created").GetInt32());
        Assert.Equal(0, pull.Exit);
        var pulled = await File.ReadAllLinesAsync(view, TestContext.Current.CancellationToken);
        Assert.Equal(30, pulled.Length);
        var first = JsonDocument.Parse(pulled[0]).RootElement;
        Assert.Equal(2, first.GetProperty("events").GetArrayLength());
        Assert.Equal(1994, first.GetProperty("birthYear").GetInt32());
        var token = new SubjectPseudonymizer(LinkageKey.Load(key)).Token(new PersonIdentifiers("최", "미라0", new DateOnly(1994, 3, 15), "F"));
        Assert.Contains(pulled, line => line.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(pulled, line => line.Contains('최', StringComparison.Ordinal) || line.Contains("1994-03-15", StringComparison.Ordinal));
        var again = await _cli.RunAsync("cases", "push", csv, "--linkage-key-file", key, "--output", "json");
        Assert.Equal(30, JsonDocument.Parse(again.Out).RootElement.GetProperty("counts").GetProperty("unchanged").GetInt32());
        _ = client;
    }

    [Fact]
    public async Task A_pull_killed_part_way_resumes_to_exactly_the_same_view()
    {
        var (client, key) = await PartnerAsync();
        Assert.Equal(0, (await _cli.RunAsync("cases", "push", CsvFile("many.csv", 1200), "--linkage-key-file", key)).Exit);
        var interrupted = Temp("interrupted.db");
        var reference = Temp("reference.jsonl");

        // Kill the pull after the first messages: the store keeps what it applied, each message with its cursor.
        int partial;
        using (var connection = client.Connect())
        using (var stop = new CancellationTokenSource())
        using (var view = LocalView.Open(interrupted))
        {
            var progress = new SynchronousProgress(n => { if (n >= 500) { stop.Cancel(); } });
            var stopped = await Assert.ThrowsAnyAsync<Exception>(() => PullSync.PullAsync(connection.Cases, client.Parent, view, progress, stop.Token));
            Assert.True(stopped is OperationCanceledException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled }, stopped.GetType().Name);
            partial = view.Count;
            Assert.NotEmpty(view.Cursor);
        }

        Assert.InRange(partial, 500, 1199);

        var resumed = await _cli.RunAsync("cases", "pull", "--store", interrupted, "--out", Temp("interrupted.jsonl"), "--output", "json");
        Assert.Equal(0, (await _cli.RunAsync("cases", "pull", "--out", reference)).Exit);

        Assert.True(resumed.Exit == 0, resumed.Error);
        // The rerun fetched only what the killed pull had not applied, and ends exactly where an uninterrupted pull does.
        Assert.Equal(1200 - partial, JsonDocument.Parse(resumed.Out).RootElement.GetProperty("upserts").GetInt32());
        Assert.Equal(await File.ReadAllTextAsync(reference, TestContext.Current.CancellationToken), await File.ReadAllTextAsync(Temp("interrupted.jsonl"), TestContext.Current.CancellationToken));
        Assert.Equal(1200, File.ReadAllLines(reference).Length);
    }

    [Fact]
    public async Task A_jsonl_view_of_an_earlier_version_is_imported_once_then_pulled_on_from_its_cursor()
    {
        var (client, key) = await PartnerAsync();
        Assert.Equal(0, (await _cli.RunAsync("cases", "push", CsvFile("many.csv", 1200), "--linkage-key-file", key)).Exit);
        var legacy = Temp("legacy.jsonl");
        var reference = Temp("reference.jsonl");
        // As an earlier sharectl left it after a crash between its two files: 1,000 records, and the cursor after 700.
        using (var connection = client.Connect())
        {
            var all = await connection.Cases.PullAllAsync(client.Parent);
            var (_, cursor, _) = await connection.Cases.PullAllAsync(client.Parent, maxChanges: 700);
            var formatter = new Google.Protobuf.JsonFormatter(Google.Protobuf.JsonFormatter.Settings.Default);
            await File.WriteAllLinesAsync(legacy, all.Changes.Take(1000).Select(c => formatter.Format(c.Record)), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(legacy + ".cursor", cursor, TestContext.Current.CancellationToken);
        }

        var first = await _cli.RunAsync("cases", "pull", "--out", legacy, "--output", "json");
        var second = await _cli.RunAsync("cases", "pull", "--out", legacy, "--output", "json");
        Assert.Equal(0, (await _cli.RunAsync("cases", "pull", "--out", reference)).Exit);

        Assert.True(first.Exit == 0, first.Error);
        var imported = JsonDocument.Parse(first.Out).RootElement;
        Assert.Equal(1000, imported.GetProperty("imported").GetInt32());
        Assert.Equal(500, imported.GetProperty("upserts").GetInt32()); // from the imported cursor on, not from the start
        Assert.Equal(1200, imported.GetProperty("held").GetInt32());
        Assert.True(File.Exists(legacy + ".db"));
        Assert.False(File.Exists(legacy + ".cursor")); // the store holds it now: the .jsonl is an export
        var again = JsonDocument.Parse(second.Out).RootElement;
        Assert.Equal(0, again.GetProperty("imported").GetInt32());
        Assert.Equal(0, again.GetProperty("upserts").GetInt32());
        Assert.Equal(await File.ReadAllTextAsync(reference, TestContext.Current.CancellationToken), await File.ReadAllTextAsync(legacy, TestContext.Current.CancellationToken));
        var told = await _cli.RunAsync("cases", "pull", "--out", Temp("told.jsonl"));
        Assert.DoesNotContain("Imported", told.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_earlier_view_is_imported_with_a_message_for_people()
    {
        var (client, key) = await PartnerAsync();
        Assert.Equal(0, (await _cli.RunAsync("cases", "push", CsvFile("few.csv", 3), "--linkage-key-file", key)).Exit);
        var legacy = Temp("people.jsonl");
        using (var connection = client.Connect())
        {
            var (changes, cursor, _) = await connection.Cases.PullAllAsync(client.Parent);
            var formatter = new Google.Protobuf.JsonFormatter(Google.Protobuf.JsonFormatter.Settings.Default);
            await File.WriteAllLinesAsync(legacy, changes.Select(c => formatter.Format(c.Record)), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(legacy + ".cursor", cursor, TestContext.Current.CancellationToken);
        }

        var (exit, output, error) = await _cli.RunAsync("cases", "pull", "--out", legacy);

        Assert.True(exit == 0, error);
        Assert.Contains("Imported 3 records and the cursor of the earlier view", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_picks_up_a_record_pushed_while_it_runs_and_stops_on_ctrl_c_with_exit_130()
    {
        var (client, key) = await PartnerAsync();
        Assert.Equal(0, (await _cli.RunAsync("cases", "push", CsvFile("few.csv", 3), "--linkage-key-file", key)).Exit);
        var store = Temp("followed.db");
        using var stop = new CancellationTokenSource();

        var following = _cli.RunAsync(stop.Token, "cases", "pull", "--store", store, "--follow", "--output", "json");
        await HeldAsync(store, 3);
        using (var connection = client.Connect())
        {
            await connection.Cases.PushCasesAsync(Records.Push(client, Records.Valid(client.CaseName("live-1"))));
        }

        await HeldAsync(store, 4);
        stop.Cancel();
        var (exit, output, error) = await following.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(exit == 130, error);
        var reports = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, reports[0].GetProperty("held").GetInt32());
        Assert.Equal(4, reports[^1].GetProperty("held").GetInt32());
        Assert.True(reports[^1].GetProperty("caughtUp").GetBoolean());
    }

    /// <summary>Waits (reading the store as another program would, while the pull writes it) until it holds <paramref name="count"/> records.</summary>
    private static async Task HeldAsync(string store, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                if (File.Exists(store) && new FileInfo(store).Length > 0)
                {
                    using var view = LocalView.Open(store);
                    if (view.Count == count)
                    {
                        return;
                    }
                }
            }
            catch (InvalidDataException)
            {
                // Caught while the pull was still writing the new file's first page: look again.
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    [Fact]
    public async Task Bad_input_files_get_a_clear_message_a_non_zero_exit_and_nothing_is_sent()
    {
        var (client, key) = await PartnerAsync();
        var wrongColumns = Temp("wrong.csv");
        File.WriteAllText(wrongColumns, "case_id,name,dob\nc-1,Kim,1990-01-01\n");
        var brokenUtf8 = Temp("broken.csv");
        File.WriteAllBytes(brokenUtf8, [.. Encoding.UTF8.GetBytes(Header + "\nc-1,"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(",x\n")]);
        var hugeLine = Temp("huge.csv");
        using (var writer = new StreamWriter(hugeLine))
        {
            writer.Write(Header + "\nc-1,Kim,Mira,1990-01-01,F,,detained,restricted,partners,,arrested,2024,CN,,,,,\"");
            writer.Write(new string('x', 50 * 1024 * 1024));
            writer.Write("\",,,,\n");
        }

        var badValue = CsvFile("bad-value.csv", 3);
        File.WriteAllText(badValue, File.ReadAllText(badValue).Replace("detained,restricted", "held,restricted", StringComparison.Ordinal));

        var badCredibility = CsvFile("bad-credibility.csv", 1);
        File.WriteAllText(badCredibility, File.ReadAllText(badCredibility).Replace(",B,2\n", ",B,five\n", StringComparison.Ordinal));
        var nulYear = CsvFile("nul-year.csv", 1);
        File.WriteAllText(nulYear, File.ReadAllText(nulYear).Replace("1994-03-15", "1994\0", StringComparison.Ordinal));

        var results = new Dictionary<string, (int Exit, string Out, string Error)>
        {
            ["must be a whole number"] = await _cli.RunAsync("cases", "push", badCredibility, "--linkage-key-file", key),
            ["must be yyyy-MM-dd or yyyy"] = await _cli.RunAsync("cases", "push", nulYear, "--linkage-key-file", key),
            ["wrong columns"] = await _cli.RunAsync("cases", "push", wrongColumns, "--linkage-key-file", key),
            ["not valid UTF-8"] = await _cli.RunAsync("cases", "push", brokenUtf8, "--linkage-key-file", key),
            ["longer than 1 MiB"] = await _cli.RunAsync("cases", "push", hugeLine, "--linkage-key-file", key),
            ["must be one of"] = await _cli.RunAsync("cases", "push", badValue, "--linkage-key-file", key),
        };

        foreach (var (expected, result) in results)
        {
            Assert.Equal(1, result.Exit);
            Assert.Contains(expected, result.Out + result.Error, StringComparison.Ordinal);
        }

        using var connection = client.Connect();
        Assert.Empty((await connection.Cases.PullAllAsync(client.Parent)).Changes);
    }

    [Fact]
    public async Task Malformed_files_never_echo_what_they_hold()
    {
        var (client, key) = await PartnerAsync();
        var files = new Dictionary<string, string>
        {
            ["headerless.csv"] = "c1,Kim Minsu,1990-03-04,M,Seoul\n",
            ["stray-quote.csv"] = "c1,Kim \"Minsu\",1990-03-04\n",
            ["not-objects.jsonl"] = "[\"Kim Minsu\", \"1990-03-04\"]\n",
            ["bad-events.jsonl"] = "{\"case_id\":\"c1\",\"family_name\":\"Kim\",\"given_name\":\"Minsu\",\"events\":[1]}\n",
            // A first line of lower-case words looks like a header of unknown columns; those words are names here.
            ["headerless-lower-case.csv"] = "kim,minsu,detained,restricted,partners\nlee,mira,released,restricted,partners\n",
            ["name-as-key.jsonl"] = "{\"case_id\":\"c1\",\"minsu\":\"x\"}\n",
        };

        foreach (var (name, content) in files)
        {
            var path = Temp(name);
            await File.WriteAllTextAsync(path, content, TestContext.Current.CancellationToken);
            var (exit, output, error) = await _cli.RunAsync("cases", "push", path, "--linkage-key-file", key);

            Assert.True(exit == 1, $"{name}: exit {exit} {error}");
            Assert.DoesNotContain("Minsu", output + error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("1990", output + error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // no stack trace
        }

        using var connection = client.Connect();
        Assert.Empty((await connection.Cases.PullAllAsync(client.Parent)).Changes);
    }

    [Fact]
    public async Task Problems_name_the_line_a_record_starts_on_past_blank_lines_and_quoted_line_breaks()
    {
        var (_, key) = await PartnerAsync();
        var path = Temp("blank-lines.csv");
        // Line 1 header, 2-3 blank, 4-5 one record (a quoted line break), 6 blank, 7 a bad status, 8 bare CR ends 9.
        await File.WriteAllTextAsync(path,
            "case_id,family_name,given_name,status,classification,consent_scope,narrative\n\n\n"
            + "c-1,Kim,A,detained,restricted,partners,\"two\nlines\"\n\n"
            + "c-2,Lee,B,held,restricted,partners,\n\r"
            + "c-3,Park,C,detained,restricted,wide,\r", TestContext.Current.CancellationToken);

        var (exit, output, _) = await _cli.RunAsync("cases", "push", path, "--linkage-key-file", key, "--output", "json");

        Assert.Equal(1, exit);
        var problems = JsonDocument.Parse(output).RootElement.EnumerateArray()
            .Select(p => (p.GetProperty("line").GetString(), p.GetProperty("field").GetString())).ToList();
        Assert.Equal([("7", "status"), ("9", "consent_scope")], problems);
    }

    [Fact]
    public async Task One_case_id_for_two_different_people_is_a_problem_not_a_merge()
    {
        var (_, key) = await PartnerAsync();
        var csv = CsvFile("reused.csv", 1);
        await File.AppendAllTextAsync(csv, "c-0000,박,철수,1980-01-01,M,,detained,restricted,partners,KP-09,arrested,2024,CN,CN-JL,Tumen,,,\"x\",demo,family,B,2\n", TestContext.Current.CancellationToken);

        var (exit, output, _) = await _cli.RunAsync("cases", "push", csv, "--linkage-key-file", key, "--output", "json");

        Assert.Equal(1, exit);
        Assert.Contains("different person", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_view_store_its_journal_and_the_export_are_readable_by_the_owner_only()
    {
        var (_, key) = await PartnerAsync();
        Assert.Equal(0, (await _cli.RunAsync("cases", "push", CsvFile("few.csv", 2), "--linkage-key-file", key)).Exit);
        var view = Temp("private-view.jsonl");
        var files = new[] { view, view + ".db", view + ".db-journal" };

        Assert.Equal(0, (await _cli.RunAsync("cases", "pull", "--out", view)).Exit);

        Assert.All(files, f => Assert.True(File.Exists(f), f));
        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in files)
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }

            // Widened by mistake (a copy, a chmod): the next pull narrows the store and its journal again.
            var wide = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            File.SetUnixFileMode(view + ".db", wide);
            File.SetUnixFileMode(view + ".db-journal", wide);
            Assert.Equal(0, (await _cli.RunAsync("cases", "pull", "--out", view)).Exit);

            foreach (var file in files)
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
    }

    [Fact]
    public async Task A_file_that_is_not_a_view_store_is_refused_unchanged_and_never_echoed()
    {
        await PartnerAsync();
        var other = Temp("other-program.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={other};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE people (name TEXT, born TEXT); INSERT INTO people VALUES ('Kim Minsu', '1990-03-04');";
            command.ExecuteNonQuery();
        }

        var files = new Dictionary<string, byte[]>
        {
            ["old-view.jsonl"] = Encoding.UTF8.GetBytes("{\"name\":\"tenants/x/cases/c1\",\"narrative\":\"Kim Minsu, born 1990\"}\n"),
            ["random.bin"] = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7919 % 251)), .. Encoding.UTF8.GetBytes("Kim Minsu 1990")],
            ["header-then-garbage.db"] = [.. Encoding.ASCII.GetBytes("SQLite format 3\0"), .. Enumerable.Repeat(Encoding.UTF8.GetBytes("Kim Minsu 1990 "), 300).SelectMany(b => b)],
            ["other-program.db"] = File.ReadAllBytes(other),
        };

        foreach (var (name, content) in files)
        {
            var path = Temp(name);
            await File.WriteAllBytesAsync(path, content, TestContext.Current.CancellationToken);
            var (exit, output, error) = await _cli.RunAsync("cases", "pull", "--store", path);

            Assert.True(exit == 1, $"{name}: exit {exit} {error}");
            Assert.Contains("not a view store", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Minsu", output + error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("1990", output + error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // no stack trace
            Assert.Equal(content, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Listing_follows_page_tokens_until_the_limit_or_the_end()
    {
        var (_, key) = await PartnerAsync();
        Assert.Equal(0, (await _cli.RunAsync("cases", "push", CsvFile("many.csv", 1200), "--linkage-key-file", key)).Exit);

        var some = await _cli.RunAsync("cases", "list", "--limit", "1100", "--output", "json");
        var all = await _cli.RunAsync("cases", "list", "--limit", "5000", "--output", "json");
        var few = await _cli.RunAsync("cases", "list", "--limit", "5");

        Assert.True(some.Exit == 0, some.Error);
        var names = JsonDocument.Parse(some.Out).RootElement.EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        Assert.Equal(1100, names.Distinct().Count());
        Assert.Equal(1200, JsonDocument.Parse(all.Out).RootElement.GetArrayLength());
        Assert.Contains("More records follow", few.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_the_server_refuses_are_reported_by_line_and_the_rest_are_pushed()
    {
        var (_, key) = await PartnerAsync();
        var csv = CsvFile("mixed.csv", 3, i => i == 1 ? "Broker reachable on 138 0013 8000." : "Arrested at the station.");

        var (exit, output, _) = await _cli.RunAsync("cases", "push", csv, "--linkage-key-file", key, "--output", "json");

        Assert.Equal(5, exit);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(2, root.GetProperty("counts").GetProperty("created").GetInt32());
        var problem = Assert.Single(root.GetProperty("problems").EnumerateArray());
        Assert.Equal(4, problem.GetProperty("line").GetInt32());
        Assert.Equal("PHONE_NUMBER", problem.GetProperty("reason").GetString());
        Assert.DoesNotContain("138", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_data_from_sharectl_pushes_cleanly_in_hangul_and_romanized()
    {
        var (_, key) = await PartnerAsync();
        var hangul = Temp("demo-hangul.csv");
        var romanized = Temp("demo-roman.csv");
        Assert.Equal(0, (await _cli.RunAsync("demo", "data", "--count", "120", "--out", hangul, "--seed", "3")).Exit);
        Assert.Equal(0, (await _cli.RunAsync("demo", "data", "--count", "120", "--out", romanized, "--seed", "3", "--romanized")).Exit);

        var first = await _cli.RunAsync("cases", "push", hangul, "--linkage-key-file", key, "--output", "json");
        var second = await _cli.RunAsync("cases", "push", romanized, "--linkage-key-file", key, "--output", "json");

        Assert.True(first.Exit == 0, first.Out + first.Error);
        Assert.Equal(120, JsonDocument.Parse(first.Out).RootElement.GetProperty("counts").GetProperty("created").GetInt32());
        // The same invented people written in romanization get the same tokens: nothing changes.
        Assert.True(second.Exit == 0, second.Out + second.Error);
        Assert.Equal(120, JsonDocument.Parse(second.Out).RootElement.GetProperty("counts").GetProperty("unchanged").GetInt32());
    }

    public void Dispose() => _cli.Dispose();

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
