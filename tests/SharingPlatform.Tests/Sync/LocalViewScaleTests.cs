using System.Globalization;
using SharingPlatform.Client.Sync;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Sync;

/// <summary>Runs alone, after the parallel classes: it counts every byte this process writes while it measures.</summary>
[CollectionDefinition(nameof(WriteAccounting), DisableParallelization = true)]
public sealed class WriteAccounting;

/// <summary>
/// A large view takes one more message at the cost of that message, not of the view: an earlier version rewrote the
/// whole file every few thousand changes (about 200 GB of writes for a million records).
/// </summary>
[Collection(nameof(WriteAccounting))]
public sealed class LocalViewScaleTests : IDisposable
{
    private const int Held = 100_000;
    private const int PerMessage = 500;

    private readonly string _directory = Directory.CreateTempSubdirectory("localview-scale-").FullName;

    private static CaseRecord Record(int i)
    {
        var record = Records.Valid(Name(i));
        record.Narrative = $"Case {i}: arrested with two others at a bus station near the river crossing, held for some weeks at a detention centre before transfer.";
        return record;
    }

    private static string Name(int i) => $"tenants/scale/cases/c-{i:D6}";

    private static Change Upsert(CaseRecord record) => new() { Name = record.Name, Record = record };

    /// <summary>Bytes this process has handed to write(2) and friends so far (Linux).</summary>
    private static long WrittenBytes() => long.Parse(
        File.ReadLines("/proc/self/io").Single(l => l.StartsWith("wchar:", StringComparison.Ordinal))["wchar:".Length..].Trim(), CultureInfo.InvariantCulture);

    [Fact]
    public void Applying_one_message_to_a_store_of_100000_records_writes_a_small_part_of_the_file()
    {
        Assert.SkipUnless(File.Exists("/proc/self/io"), "Counting written bytes needs Linux's /proc/self/io.");
        var store = Path.Combine(_directory, "view.db");
        using (var view = LocalView.Open(store))
        {
            for (var start = 0; start < Held; start += PerMessage)
            {
                view.Apply(new PullChangesResponse { Changes = { Enumerable.Range(start, PerMessage).Select(i => Upsert(Record(i))) }, NextCursor = $"cursor-{start}" });
            }
        }

        var size = new FileInfo(store).Length;
        // 100 changes spread over the whole view: 70 new records, 20 updated, 10 tombstones.
        var message = new PullChangesResponse { NextCursor = "cursor-last" };
        message.Changes.Add(Enumerable.Range(0, 70).Select(k => Upsert(Records.Valid(Name(k * 1409) + "-new"))));
        message.Changes.Add(Enumerable.Range(0, 20).Select(k => Upsert(Record(k * 4999 + 7))));
        message.Changes.Add(Enumerable.Range(0, 10).Select(k => new Change { Name = Name(k * 9973 + 3), Tombstone = new Tombstone { Name = Name(k * 9973 + 3) } }));

        var before = WrittenBytes();
        using (var view = LocalView.Open(store))
        {
            Assert.Equal((90, 10), view.Apply(message));
        }

        var written = WrittenBytes() - before;

        Assert.True(written < size / 10, $"{written:N0} bytes written for one message to a {size:N0}-byte store");
        using var reopened = LocalView.Open(store);
        Assert.Equal(Held + 70 - 10, reopened.Count);
        Assert.Equal("cursor-last", reopened.Cursor);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
