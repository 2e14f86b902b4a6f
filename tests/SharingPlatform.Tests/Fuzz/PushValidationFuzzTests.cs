extern alias server;

using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;
using server::SharingPlatform.Server.Cases;
using ServerPush = server::SharingPlatform.V1.PushCasesRequest;
using ServerRecord = server::SharingPlatform.V1.CaseRecord;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// The push path's record checks in-process, for many more cases than <see cref="PushCasesFuzzTests"/> can send:
/// records mutated from a valid one at any depth (ill-formed UTF-16 included, which no wire can carry), records made
/// at random, and bytes read as a push request. Every case meets <see cref="RecordContract"/>.
/// </summary>
public sealed class PushValidationFuzzTests
{
    [Fact]
    public void A_rich_record_to_mutate_from_is_valid() =>
        Assert.Null(RecordContract.Check(FuzzRecords.ServerCopy(FuzzRecords.Rich("tenants/fuzz/cases/c1", new Random(1)))));

    [Fact]
    public void Any_record_is_refused_naming_a_field_or_accepted_only_within_the_contract() =>
        FuzzProperty.Check("push-record", FuzzBudget.InProcess(1500), AnyRecord, ProtoFuzzer.Shrink, r => r.ToByteArray(), RecordContract.Check,
            r => CaseValidator.Validate(r, TimeProvider.System) is null ? "accepted" : "refused");

    [Fact]
    public void Any_bytes_read_as_a_push_request_are_unreadable_or_each_record_meets_the_contract() =>
        FuzzProperty.Check("push-bytes", FuzzBudget.InProcess(600), AnyBytes, Shrinks.Bytes, b => b, bytes =>
        {
            // What protobuf cannot read is refused as MALFORMED_MESSAGE before any of the server's code runs (MalformedMessageTests).
            return Readable(bytes) is not { } request ? null : request.Records.Select(RecordContract.Check).FirstOrDefault(w => w is not null);
        }, bytes => Readable(bytes) is { } request ? $"read with {Math.Min(request.Records.Count, 3)}+ records" : "unreadable");

    private static ServerPush? Readable(byte[] bytes)
    {
        try
        {
            return ServerPush.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static Gen<ServerRecord> AnyRecord =>
        Gen.Choose(0, int.MaxValue).Select(seed =>
        {
            var random = new Random(seed);
            return random.Next(6) == 0
                ? (ServerRecord)ProtoFuzzer.Random(ServerRecord.Descriptor, random)
                : ProtoFuzzer.Mutate(FuzzRecords.ServerCopy(FuzzRecords.Rich("tenants/fuzz/cases/c1", random)), random);
        });

    private static Gen<byte[]> AnyBytes =>
        Gen.Choose(0, int.MaxValue).Select(seed =>
        {
            var random = new Random(seed);
            var valid = new PushCasesRequest
            {
                Parent = "tenants/fuzz",
                RequestId = FuzzRecords.RequestId(random),
                Records = { Enumerable.Range(0, random.Next(1, 4)).Select(i => FuzzRecords.Rich("tenants/fuzz/cases/c" + i.ToString(CultureInfo.InvariantCulture), random)) },
            }.ToByteArray();
            return random.Next(10) switch
            {
                0 => FuzzValues.Bytes(random, 256),
                // Two messages back to back merge into one: repeated fields add up, later scalars win.
                1 => FuzzValues.Mutate([.. valid, .. valid], random),
                < 6 => ProtoFuzzer.AppendFields(valid, random, FuzzRecords.Rich("tenants/fuzz/cases/x", random).ToByteArray()),
                _ => FuzzValues.Mutate(valid, random),
            };
        });
}
