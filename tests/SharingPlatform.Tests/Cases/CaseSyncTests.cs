using Grpc.Core;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Cases;

/// <summary>Push, pull, get, list and retract through real gRPC calls; run on SQLite and on PostgreSQL.</summary>
public abstract class CaseSyncTests(PlatformFixture fixture)
{
    [Fact]
    public async Task Pushed_record_can_be_read_back_with_get_list_and_pull()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var record = Records.Valid(client.CaseName("case-1"));

        var response = await connection.Cases.PushCasesAsync(Records.Push(client, record));

        var result = Assert.Single(response.Results);
        Assert.Equal(PushOutcome.Created, result.Outcome);
        Assert.NotEmpty(result.Etag);
        var stored = await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = record.Name });
        Assert.Equal(result.Etag, stored.Etag);
        Assert.NotNull(stored.CreateTime);
        Assert.Equal(record.SubjectToken, stored.SubjectToken);
        Assert.Equal(record.Events, stored.Events);
        Assert.Equal(record.Narrative, stored.Narrative);
        var listed = await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent });
        Assert.Equal(stored, Assert.Single(listed.Cases));
        var (changes, _, caughtUp) = await connection.Cases.PullAllAsync(client.Parent);
        Assert.True(caughtUp);
        Assert.Equal(stored, Assert.Single(changes).Record);
    }

    [Fact]
    public async Task Replayed_request_id_returns_the_first_answer_and_changes_nothing()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var request = Records.Push(client, Records.Valid(client.CaseName("a")), Records.Valid(client.CaseName("b")));
        var first = await connection.Cases.PushCasesAsync(request);
        var (_, cursor, _) = await connection.Cases.PullAllAsync(client.Parent);

        var replay = await connection.Cases.PushCasesAsync(request);

        Assert.Equal(first, replay);
        Assert.All(replay.Results, r => Assert.Equal(PushOutcome.Created, r.Outcome));
        var (after, _, _) = await connection.Cases.PullAllAsync(client.Parent, cursor);
        Assert.Empty(after);
    }

    [Fact]
    public async Task Reused_request_id_with_a_different_payload_is_refused()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var request = Records.Push(client, Records.Valid(client.CaseName("a")));
        await connection.Cases.PushCasesAsync(request);
        request.Records[0].Narrative = "Something else.";

        var error = await Assert.ThrowsAsync<RpcException>(() => connection.Cases.PushCasesAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("request_id", error.Status.Detail);
    }

    [Fact]
    public async Task Update_needs_the_current_etag_and_reports_conflicts_with_it()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var record = Records.Valid(client.CaseName("a"));
        var created = (await connection.Cases.PushCasesAsync(Records.Push(client, record))).Results[0];

        var changed = record.Clone();
        changed.Status = CaseStatus.Repatriated;
        changed.Etag = created.Etag;
        var updated = (await connection.Cases.PushCasesAsync(Records.Push(client, changed))).Results[0];
        var stale = changed.Clone();
        stale.Status = CaseStatus.Imprisoned;
        var conflict = (await connection.Cases.PushCasesAsync(Records.Push(client, stale))).Results[0];
        var blind = stale.Clone();
        blind.Etag = "";
        var blindConflict = (await connection.Cases.PushCasesAsync(Records.Push(client, blind))).Results[0];
        var same = changed.Clone();
        same.Etag = updated.Etag;
        var unchanged = (await connection.Cases.PushCasesAsync(Records.Push(client, same))).Results[0];

        Assert.Equal(PushOutcome.Updated, updated.Outcome);
        Assert.NotEqual(created.Etag, updated.Etag);
        Assert.Equal(PushOutcome.Conflict, conflict.Outcome);
        Assert.Equal(updated.Etag, conflict.Etag);
        Assert.Equal(PushOutcome.Conflict, blindConflict.Outcome);
        Assert.Equal(PushOutcome.Unchanged, unchanged.Outcome);
        Assert.Equal(updated.Etag, unchanged.Etag);
        var stored = await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = record.Name });
        Assert.Equal(CaseStatus.Repatriated, stored.Status);
    }

    [Fact]
    public async Task Invalid_records_are_rejected_by_field_while_valid_ones_in_the_batch_are_stored()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var badToken = Records.Valid(client.CaseName("bad-token"));
        badToken.SubjectToken = "Kim Mi-ra 1994-03-15";
        var badDay = Records.Valid(client.CaseName("bad-day"));
        badDay.Events[0].Date = new PartialDate { Year = 2023, Month = 2, Day = 30 };
        var foreign = Records.Valid("tenants/someone-else/cases/x");
        var good = Records.Valid(client.CaseName("good"));

        var results = (await connection.Cases.PushCasesAsync(Records.Push(client, badToken, badDay, foreign, good, good.Clone()))).Results;

        Assert.Equal(PushOutcome.Rejected, results[0].Outcome);
        Assert.Equal("subject_token", results[0].Violation.Field);
        Assert.DoesNotContain("Kim", results[0].Violation.Description, StringComparison.Ordinal);
        Assert.Equal("events[0].date.day", results[1].Violation.Field);
        Assert.Equal("WRONG_PARENT", results[2].Violation.Reason);
        Assert.Equal(PushOutcome.Created, results[3].Outcome);
        Assert.Equal("DUPLICATE", results[4].Violation.Reason);
        var (changes, _, _) = await connection.Cases.PullAllAsync(client.Parent);
        Assert.Equal(good.Name, Assert.Single(changes).Name);
    }

    [Fact]
    public async Task Retracted_record_becomes_a_tombstone_and_its_content_is_erased()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var record = Records.Valid(client.CaseName("gone"));
        await connection.Cases.PushCasesAsync(Records.Push(client, record));
        var (_, cursor, _) = await connection.Cases.PullAllAsync(client.Parent);

        var retracted = await connection.Cases.RetractCaseAsync(new RetractCaseRequest { Name = record.Name });

        Assert.Equal(TombstoneReason.Retracted, retracted.Tombstone.Reason);
        var (changes, _, _) = await connection.Cases.PullAllAsync(client.Parent, cursor);
        Assert.Equal(retracted.Tombstone, Assert.Single(changes).Tombstone);
        var error = await Assert.ThrowsAsync<RpcException>(() => connection.Cases.GetCaseAsync(new GetCaseRequest { Name = record.Name }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Empty((await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent })).Cases);
        var content = await fixture.WithDbAsync(db => Task.FromResult(db.Cases.Single(c => c.CaseId == "gone" && c.Retracted).Content));
        Assert.Empty(content);
        var again = await connection.Cases.RetractCaseAsync(new RetractCaseRequest { Name = record.Name });
        Assert.Equal(retracted.Tombstone, again.Tombstone);
    }

    [Fact]
    public async Task Retract_with_a_stale_etag_is_aborted()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var record = Records.Valid(client.CaseName("a"));
        await connection.Cases.PushCasesAsync(Records.Push(client, record));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            connection.Cases.RetractCaseAsync(new RetractCaseRequest { Name = record.Name, Etag = "\"99\"" }).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.NotNull(await connection.Cases.GetCaseAsync(new GetCaseRequest { Name = record.Name }));
    }

    [Fact]
    public async Task Pull_resumes_exactly_from_any_cursor_in_small_batches()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var records = Enumerable.Range(0, 25).Select(i => Records.Valid(client.CaseName($"c-{i:D2}"))).ToArray();
        await connection.Cases.PushCasesAsync(Records.Push(client, records));

        var seen = new List<string>();
        var cursor = "";
        bool caughtUp;
        do
        {
            (var changes, cursor, caughtUp) = await connection.Cases.PullAllAsync(client.Parent, cursor, batchSize: 4, maxChanges: 7);
            seen.AddRange(changes.Select(c => c.Name));
        }
        while (!caughtUp);

        Assert.Equal(records.Select(r => r.Name), seen);
    }

    [Fact]
    public async Task Pull_yields_only_the_latest_state_of_a_record_changed_twice()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var record = Records.Valid(client.CaseName("a"));
        var (_, cursor, _) = await connection.Cases.PullAllAsync(client.Parent);
        var created = (await connection.Cases.PushCasesAsync(Records.Push(client, record))).Results[0];
        record.Etag = created.Etag;
        record.Status = CaseStatus.Released;
        await connection.Cases.PushCasesAsync(Records.Push(client, record));

        var (changes, _, _) = await connection.Cases.PullAllAsync(client.Parent, cursor);

        Assert.Equal(CaseStatus.Released, Assert.Single(changes).Record.Status);
    }

    [Fact]
    public async Task List_filters_and_pages_with_tokens_bound_to_the_query()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var records = Enumerable.Range(0, 9).Select(i => Records.Valid(
            client.CaseName($"c-{i}"),
            status: i % 3 == 0 ? CaseStatus.Repatriated : CaseStatus.Detained,
            region: i % 2 == 0 ? "CN-JL" : "CN-LN",
            eventType: i < 4 ? EventType.Repatriated : EventType.Arrested)).ToArray();
        await connection.Cases.PushCasesAsync(Records.Push(client, records));

        var repatriated = new ListCasesRequest { Parent = client.Parent, Statuses = { CaseStatus.Repatriated }, PageSize = 2 };
        var first = await connection.Cases.ListCasesAsync(repatriated);
        var second = await connection.Cases.ListCasesAsync(new ListCasesRequest(repatriated) { PageToken = first.NextPageToken });
        var jilin = await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent, Regions = { "CN-JL" } });
        var typed = await connection.Cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent, EventTypes = { EventType.Repatriated, EventType.Released } });
        var mismatched = await Assert.ThrowsAsync<RpcException>(() => connection.Cases.ListCasesAsync(
            new ListCasesRequest { Parent = client.Parent, PageToken = first.NextPageToken }).ResponseAsync);

        Assert.Equal(["c-0", "c-3", "c-6"], first.Cases.Concat(second.Cases).Select(c => c.Name.Split('/')[^1]));
        Assert.Empty(second.NextPageToken);
        Assert.Equal(5, jilin.Cases.Count);
        Assert.Equal(4, typed.Cases.Count);
        Assert.Equal(StatusCode.InvalidArgument, mismatched.StatusCode);
    }

    [Fact]
    public async Task Concurrent_pushers_and_a_puller_see_every_change_exactly_once()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        const int pushers = 4, batches = 8, perBatch = 25;
        var pushing = Enumerable.Range(0, pushers).Select(p => Task.Run(async () =>
        {
            using var own = client.Connect();
            for (var b = 0; b < batches; b++)
            {
                var records = Enumerable.Range(0, perBatch).Select(i => Records.Valid(client.CaseName($"p{p}-b{b}-r{i}"))).ToArray();
                await own.Cases.PushCasesAsync(Records.Push(client, records));
            }
        })).ToArray();

        var seen = new List<string>();
        var cursor = "";
        var allPushed = Task.WhenAll(pushing);
        while (!allPushed.IsCompleted)
        {
            (var changes, cursor, _) = await connection.Cases.PullAllAsync(client.Parent, cursor, batchSize: 10);
            seen.AddRange(changes.Select(c => c.Name));
        }

        await allPushed;
        var (rest, _, _) = await connection.Cases.PullAllAsync(client.Parent, cursor);
        seen.AddRange(rest.Select(c => c.Name));

        Assert.Equal(pushers * batches * perBatch, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task Malformed_requests_get_invalid_argument_naming_the_field()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var cases = connection.Cases;

        await AssertInvalid("parent", cases.PushCasesAsync(new PushCasesRequest { Parent = "tenants/", RequestId = Records.RequestId(), Records = { Records.Valid(client.CaseName("a")) } }).ResponseAsync);
        await AssertInvalid("request_id", cases.PushCasesAsync(new PushCasesRequest { Parent = client.Parent, RequestId = "x", Records = { Records.Valid(client.CaseName("a")) } }).ResponseAsync);
        await AssertInvalid("records", cases.PushCasesAsync(new PushCasesRequest { Parent = client.Parent, RequestId = Records.RequestId() }).ResponseAsync);
        await AssertInvalid("records", cases.PushCasesAsync(Records.Push(client, [.. Enumerable.Range(0, 501).Select(i => Records.Valid(client.CaseName($"c{i}")))])).ResponseAsync);
        await AssertInvalid("cursor", cases.PullAllAsync(client.Parent, cursor: "not-a-cursor"));
        await AssertInvalid("batch_size", cases.PullAllAsync(client.Parent, batchSize: -1));
        await AssertInvalid("page_size", cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent, PageSize = -1 }).ResponseAsync);
        await AssertInvalid("page_token", cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent, PageToken = "garbage" }).ResponseAsync);
        await AssertInvalid("regions", cases.ListCasesAsync(new ListCasesRequest { Parent = client.Parent, Regions = { "Liaoning" } }).ResponseAsync);
        await AssertInvalid("name", cases.GetCaseAsync(new GetCaseRequest { Name = "cases/1" }).ResponseAsync);
    }

    [Fact]
    public async Task Oversized_message_is_refused_with_resource_exhausted()
    {
        var client = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        var huge = Records.Valid(client.CaseName("huge"));
        huge.Narrative = new string('x', 9 * 1024 * 1024);

        var error = await Assert.ThrowsAsync<RpcException>(() => connection.Cases.PushCasesAsync(Records.Push(client, huge)).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    private static async Task AssertInvalid(string field, Task call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var badRequest = error.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(field, Assert.Single(badRequest.FieldViolations).Field);
    }
}

public sealed class SqliteCaseSyncTests(SqliteFixture fixture) : CaseSyncTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresCaseSyncTests(PostgresFixture fixture) : CaseSyncTests(fixture), IClassFixture<PostgresFixture>;
