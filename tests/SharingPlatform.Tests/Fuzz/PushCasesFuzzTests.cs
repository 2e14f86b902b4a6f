extern alias server;

using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using ServerRecord = server::SharingPlatform.V1.CaseRecord;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// PushCases through the real host, with a real token: requests mutated at any depth (as the SDK sends them) and
/// their bytes mutated or replaced by noise (sent as hand-made frames, invalid UTF-8 included), with names that
/// collide across cases (updates, conflicts), request ids replayed and reused. Every answer is OK with one result per
/// record, or a documented refusal (<see cref="FuzzAnswers"/>); whatever is stored validates.
/// </summary>
public abstract class PushCasesFuzzTests(PlatformFixture fixture)
{
    private static readonly StatusCode[] Documented =
        [StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.FailedPrecondition, StatusCode.ResourceExhausted];

    /// <summary>One case: a request, its bytes when sent raw, whether to replay the last answered request or reuse its id, and
    /// whether its records carry the etags the server last gave for their names (so that they update).</summary>
    public sealed record PushCase(PushCasesRequest Request, byte[]? Raw, bool Replay, bool ReuseId, bool Etags);

    [Fact]
    public async Task Any_push_is_answered_ok_or_with_a_documented_error_and_only_valid_records_are_stored()
    {
        var client = await fixture.CreateClientAsync();
        var other = await fixture.CreateClientAsync();
        using var connection = client.Connect();
        (PushCasesRequest Request, PushCasesResponse Response)? answered = null;
        var etags = new Dictionary<string, string>(StringComparer.Ordinal);

        await FuzzProperty.CheckAsync("push-grpc", FuzzBudget.ThroughGrpc(100), Cases(client, other), c => c.Raw ?? c.Request.ToByteArray(), async c =>
        {
            if (c.Raw is not null)
            {
                var token = await connection.Tokens.GetTokenAsync(TestContext.Current.CancellationToken);
                var reply = await GrpcFrames.PostAsync(fixture, "/sharing.v1.CaseService/PushCases", GrpcFrames.Frame(c.Raw), token);
                return (reply.Status == StatusCode.OK ? null : FuzzAnswers.Refusal(reply.Status, reply.Message, reply.Details, Documented, null),
                    "raw " + (reply.Status == StatusCode.OK ? "OK" : "refused " + reply.Status));
            }

            // A replay sends the last answered request again; a reuse sends this one under its request id.
            var earlier = answered;
            var request = c.Replay && earlier is { } replayed ? replayed.Request : c.Request.Clone();
            if (c.ReuseId && earlier is { } reused)
            {
                request.RequestId = reused.Request.RequestId;
            }

            foreach (var record in request.Records.Where(r => c.Etags && !c.Replay && etags.ContainsKey(r.Name)))
            {
                record.Etag = etags[record.Name];
            }

            var kind = c.Replay && earlier is not null ? "replayed" : c.ReuseId && earlier is not null ? "reused id" : "new";
            PushCasesResponse response;
            try
            {
                response = await connection.Cases.PushCasesAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            }
            catch (RpcException e)
            {
                return (FuzzAnswers.Refusal(e, Documented, request), $"{kind} refused {e.StatusCode}");
            }

            if (earlier is { } first && request.RequestId == first.Request.RequestId && !(request.Equals(first.Request) && response.Equals(first.Response)))
            {
                return ("a request id answered OK for another request, or with another answer", kind);
            }

            answered = (request, response);
            foreach (var result in response.Results.Where(r => r.Etag.Length > 0))
            {
                etags[result.Name] = result.Etag;
            }

            return (Answer(request, response), $"{kind} {Outcomes(response)}");
        });

        var stored = await fixture.WithDbAsync(async db =>
        {
            var tenantId = await db.Tenants.Where(t => t.Slug == client.TenantSlug).Select(t => t.Id).SingleAsync();
            return await db.Set<server::SharingPlatform.Server.Cases.CaseEntity>().Where(e => e.TenantId == tenantId && !e.Retracted).Select(e => e.Content).ToListAsync();
        });
        Assert.NotEmpty(stored);
        Assert.All(stored, content => Assert.Null(RecordContract.Check(ServerRecord.Parser.ParseFrom(content))));
    }

    /// <summary>What is wrong with an OK answer to <paramref name="request"/>, or null.</summary>
    private static string? Answer(PushCasesRequest request, PushCasesResponse response)
    {
        if (response.Results.Count != request.Records.Count)
        {
            return $"{response.Results.Count} results for {request.Records.Count} records";
        }

        for (var i = 0; i < request.Records.Count; i++)
        {
            var (record, result) = (request.Records[i], response.Results[i]);
            if (result.Outcome == PushOutcome.Rejected)
            {
                if (result.Violation is not { Field.Length: > 0, Reason.Length: > 0 } || RecordContract.Echoes(result.Violation.ToString(), record))
                {
                    return $"records[{i}] rejected without a field and reason, or repeating a value";
                }
            }
            else if (result.Outcome is PushOutcome.Created or PushOutcome.Updated
                && (RecordContract.Check(FuzzRecords.ServerCopy(record)) ?? (Parent(record.Name) == request.Parent ? null : "it is not under the parent")) is { } wrong)
            {
                return $"records[{i}] {result.Outcome} although {wrong}";
            }
            else if (result.Outcome is not (PushOutcome.Created or PushOutcome.Updated or PushOutcome.Unchanged or PushOutcome.Conflict))
            {
                return $"records[{i}] has outcome {result.Outcome}";
            }
        }

        return null;
    }

    private static string Parent(string name) =>
        server::SharingPlatform.Server.Cases.CaseNames.TryParse(name, out var slug, out _) ? "tenants/" + slug : "";

    private static string Outcomes(PushCasesResponse response) =>
        response.Results.Any(r => r.Outcome is PushOutcome.Created or PushOutcome.Updated) ? "OK, wrote" : "OK, wrote nothing";

    private static Gen<PushCase> Cases(TestClient client, TestClient other) =>
        Gen.Choose(0, int.MaxValue).Select(seed =>
        {
            var random = new Random(seed);
            // Few case ids, so that pushes meet records earlier ones stored: updates, conflicts, unchanged.
            var request = Records.Push(client, [.. Enumerable.Range(0, random.Next(1, 5))
                .Select(_ => FuzzRecords.Rich(client.CaseName("c" + random.Next(0, 40).ToString(CultureInfo.InvariantCulture)), random))]);
            request.RequestId = FuzzRecords.RequestId(random);
            request.Parent = random.Next(20) switch { 0 => other.Parent, 1 => FuzzValues.Text(random), _ => request.Parent };
            var mutated = random.Next(5) == 0 ? request : ProtoFuzzer.Mutate(request, random);
            return random.Next(10) switch
            {
                0 => new PushCase(mutated, FuzzValues.Mutate(mutated.ToByteArray(), random), false, false, false),
                1 => new PushCase(mutated, random.Next(2) == 0 ? FuzzValues.Bytes(random, 512) : ProtoFuzzer.AppendFields(mutated.ToByteArray(), random), false, false, false),
                2 => new PushCase(mutated, null, Replay: true, ReuseId: false, Etags: false),
                3 => new PushCase(mutated, null, Replay: false, ReuseId: true, Etags: false),
                _ => new PushCase(mutated, null, false, false, Etags: random.Next(2) == 0),
            };
        });
}

public sealed class SqlitePushCasesFuzzTests(SqliteFuzzFixture fixture) : PushCasesFuzzTests(fixture), IClassFixture<SqliteFuzzFixture>;

public sealed class PostgresPushCasesFuzzTests(PostgresFuzzFixture fixture) : PushCasesFuzzTests(fixture), IClassFixture<PostgresFuzzFixture>;
